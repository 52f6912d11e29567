package org.tessera.app.ui

import android.app.Activity
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.foundation.selection.toggleable
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import org.tessera.ImportReport
import org.tessera.app.model.BackupReminder
import org.tessera.app.model.PreferenceStore
import org.tessera.app.model.Session
import org.tessera.app.model.TransferState
import org.tessera.app.model.describeTimeout
import org.tessera.describeClockOffset
import org.tessera.exportFormats
import org.tessera.lockTimeoutChoices

/** Settings: security, moving accounts, server time, trash, password, about. */
@OptIn(androidx.compose.foundation.layout.ExperimentalLayoutApi::class) // FlowRow
@Composable
fun SettingsScreen(session: Session, preferences: PreferenceStore, onPreferencesChanged: () -> Unit, onLock: () -> Unit) {
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    var prefs by remember { mutableStateOf(preferences.load()) }
    fun save(changed: org.tessera.app.model.Preferences) {
        prefs = changed
        preferences.save(changed)
        onPreferencesChanged()
        if (changed.backgroundPush) PushPollWorker.schedule(context) else PushPollWorker.cancel(context)
    }
    val vaultState by session.settings.state.collectAsState()
    LaunchedEffect(session) { session.settings.load() }
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Section("Security")
        Toggle("Block screenshots and the app preview", prefs.secureScreen) { save(prefs.copy(secureScreen = it)) }
        Toggle("Unlock with fingerprint or face (applies to the next device key)", prefs.biometricUnlock) { save(prefs.copy(biometricUnlock = it)) }
        Text("Lock when left: ${describeTimeout(prefs.lockTimeout)}")
        // Core's choices, shortest first.
        androidx.compose.foundation.layout.FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            lockTimeoutChoices().forEach { t ->
                androidx.compose.material3.FilterChip(selected = prefs.lockTimeout == t, onClick = { save(prefs.copy(lockTimeout = t)) }, label = { Text(describeTimeout(t)) })
            }
        }
        Button(onClick = onLock) { Text("Lock now") }
        Toggle("Check for sign-in requests in the background", prefs.backgroundPush) { save(prefs.copy(backgroundPush = it)) }

        Section("Password")
        Text(if (vaultState.hasPassword) "A password can open the vault if this phone's key is lost." else "No password: if this phone's key is lost, the vault cannot be opened.")
        PasswordField(error = null, action = if (vaultState.hasPassword) "Change password" else "Set password") { pw -> scope.launch { session.settings.setPassword(pw) } }
        vaultState.message?.let { Text(it) }
        vaultState.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }

        Section("Never lose an account")
        BackupSection(session)

        Section("Move accounts")
        TransferSection(session)

        Section("Server time")
        ServerTimeSection(session)

        Section("Trash")
        if (vaultState.trash.isEmpty()) Text("Empty")
        vaultState.trash.forEach { account ->
            ListItem(
                headlineContent = { Text(account.displayName) },
                trailingContent = {
                    Row {
                        TextButton(onClick = { scope.launch { session.settings.restore(account.id) } }) { Text("Restore") }
                        TextButton(onClick = { scope.launch { session.settings.purge(account.id) } }) { Text("Delete for good") }
                    }
                },
            )
        }

        Section("About")
        val notice = remember { context.assets.open("THIRD-PARTY-NOTICES.md").bufferedReader().use { it.readText() } }
        var showNotice by remember { mutableStateOf(false) }
        Text("Tessera is free software under the MIT or Apache-2.0 licence.")
        TextButton(onClick = { showNotice = true }) { Text("Third-party licences") }
        if (showNotice) AlertDialog(
            onDismissRequest = { showNotice = false }, title = { Text("Third-party licences") },
            text = { Text(notice, modifier = Modifier.verticalScroll(rememberScrollState())) },
            confirmButton = { TextButton(onClick = { showNotice = false }) { Text("Close") } },
        )
    }
}

/**
 * Automatic backups into a folder the user picks (any the system's picker offers, cloud
 * providers' included), the reminder core's status gives, a restore for a fresh install, and
 * the recovery key: shown once, kept only after "I wrote it down".
 */
@Composable
private fun BackupSection(session: Session) {
    val model = session.backup
    val state by model.state.collectAsState()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    LaunchedEffect(model) { model.load() }
    // The folder picked, waiting for the password of what to do with it.
    var picked by remember { mutableStateOf<Pair<String, Boolean>?>(null) } // (tree URI, true = switch on / false = restore)
    var forRestore by remember { mutableStateOf(false) }
    val pickFolder = rememberLauncherForActivityResult(ActivityResultContracts.OpenDocumentTree()) { uri ->
        uri ?: return@rememberLauncherForActivityResult
        // Keep the permission across restarts: backups are written while the app runs later.
        val flags = android.content.Intent.FLAG_GRANT_READ_URI_PERMISSION or android.content.Intent.FLAG_GRANT_WRITE_URI_PERMISSION
        context.contentResolver.takePersistableUriPermission(uri, flags)
        picked = uri.toString() to !forRestore
    }
    Text(
        when (val r = state.reminder) {
            null -> ""
            BackupReminder.Off -> "Automatic backups are off. If this phone is lost or broken, your accounts are lost with it."
            is BackupReminder.Failing -> "The last backup failed: ${r.reason}." + (r.lastVerifiedAt?.let { " The last good one is from ${dateOf(it)}." } ?: "")
            BackupReminder.CheckPassword -> "Do you still know your backup password? Enter it to check: without it, no backup can be restored."
            is BackupReminder.Pending -> "Recent changes are waiting for their backup." + (r.lastVerifiedAt?.let { " The last one is from ${dateOf(it)}." } ?: "")
            is BackupReminder.UpToDate -> "Every account is in a verified backup (${dateOf(r.lastVerifiedAt)})."
        },
        color = if (state.reminder is BackupReminder.UpToDate) MaterialTheme.colorScheme.onSurface else MaterialTheme.colorScheme.error,
    )
    if (state.reminder == BackupReminder.CheckPassword) PasswordField(null, "Check the backup password") { pw -> scope.launch { model.testPassword(pw) } }
    if (state.status?.enabled == true) {
        TextButton(onClick = { scope.launch { model.disable() } }) { Text("Turn automatic backups off") }
    } else {
        Button(onClick = { forRestore = false; pickFolder.launch(null) }, modifier = Modifier.fillMaxWidth()) { Text("Back up automatically to a folder…") }
    }
    OutlinedButton(onClick = { forRestore = true; pickFolder.launch(null) }, modifier = Modifier.fillMaxWidth()) { Text("Restore from a backup folder…") }
    picked?.let { (folder, switchOn) ->
        AlertDialog(
            onDismissRequest = { picked = null },
            title = { Text(if (switchOn) "Choose a backup password" else "The backup password") },
            text = {
                Column {
                    Text(if (switchOn) "Backups are encrypted with it. It is asked for only to restore: write it down." else "The password the backups in this folder were made with.")
                    PasswordField(null, if (switchOn) "Turn backups on" else "Restore") { pw ->
                        picked = null
                        scope.launch { if (switchOn) model.enable(pw, folder) else { model.restoreFrom(folder, pw); session.codes.reload() } }
                    }
                }
            },
            confirmButton = {}, dismissButton = { TextButton(onClick = { picked = null }) { Text("Cancel") } },
        )
    }

    Text(if (state.hasRecoveryKey) "A recovery key can open the vault if this phone's key and the password are both lost." else "No recovery key.")
    Button(onClick = { scope.launch { model.createRecoveryKey() } }) { Text(if (state.hasRecoveryKey) "Make a new recovery key" else "Make a recovery key") }
    state.newRecoveryKey?.let { key ->
        AlertDialog(
            onDismissRequest = { scope.launch { model.discardRecoveryKey() } },
            title = { Text("Your recovery key") },
            text = {
                Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    Text("Write it down and keep it away from this phone. It is shown only now.")
                    // Read group by group, symbol by symbol, as it is to be written.
                    Text(
                        key.text, style = MaterialTheme.typography.titleLarge, fontFamily = androidx.compose.ui.text.font.FontFamily.Monospace,
                        modifier = Modifier.semantics { contentDescription = key.text.split('-').joinToString(", ") { g -> g.toList().joinToString(" ") } },
                    )
                }
            },
            confirmButton = { TextButton(onClick = model::confirmRecoveryKeyWritten) { Text("I wrote it down") } },
            dismissButton = { TextButton(onClick = { scope.launch { model.discardRecoveryKey() } }) { Text("Not now") } },
        )
    }
    state.message?.let { Text(it) }
    state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
}

/** A Unix time as a local date and time for the reminder. */
private fun dateOf(unixSeconds: Long): String =
    java.text.DateFormat.getDateTimeInstance(java.text.DateFormat.MEDIUM, java.text.DateFormat.SHORT).format(java.util.Date(unixSeconds * 1000))

/** Import through the Storage Access Framework, and export to a document the user picks. */
@Composable
private fun TransferSection(session: Session) {
    val model = session.transfer
    val state by model.state.collectAsState()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    val open = rememberLauncherForActivityResult(ActivityResultContracts.OpenDocument()) { uri ->
        uri ?: return@rememberLauncherForActivityResult
        scope.launch {
            // Read off the main thread; the bytes go to core, which detects the format.
            val bytes = kotlinx.coroutines.withContext(kotlinx.coroutines.Dispatchers.IO) {
                context.contentResolver.openInputStream(uri)?.use { it.readBytes() }
            } ?: return@launch
            model.import(bytes)
            session.codes.reload()
        }
    }
    val create = rememberLauncherForActivityResult(CreateTypedDocument) { uri ->
        val exported = state as? TransferState.Exported
        if (uri != null && exported != null) scope.launch {
            kotlinx.coroutines.withContext(kotlinx.coroutines.Dispatchers.IO) {
                context.contentResolver.openOutputStream(uri, "wt")?.use { it.write(exported.result.data) }
            }
        }
        model.exportWritten()
    }
    Button(onClick = { open.launch(arrayOf("*/*")) }, modifier = Modifier.fillMaxWidth()) { Text("Import from a file") }
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        exportFormats().forEach { f -> OutlinedButton(onClick = { scope.launch { model.startExport(f.format) } }) { Text(f.title) } }
    }
    when (val s = state) {
        TransferState.Idle -> Unit
        is TransferState.ImportPassword -> AlertDialog(
            onDismissRequest = model::cancel, title = { Text("This file is encrypted") },
            text = { Column { PasswordField(if (s.wrongPassword) "Wrong password" else null, "Import") { pw -> scope.launch { model.importPassword(pw); session.codes.reload() } } } },
            confirmButton = {}, dismissButton = { TextButton(onClick = model::cancel) { Text("Cancel") } },
        )
        is TransferState.Importing -> Column {
            Text("Importing ${s.written} of ${s.total}")
            if (s.total > 0) LinearProgressIndicator(progress = { s.written.toFloat() / s.total }, modifier = Modifier.fillMaxWidth()) else LinearProgressIndicator(Modifier.fillMaxWidth())
        }
        is TransferState.Imported -> ReportDialog(s.report, onClose = model::cancel)
        is TransferState.ExportPassword -> AlertDialog(
            onDismissRequest = model::cancel, title = { Text("Protect the export with a password") },
            text = { Column { PasswordField(null, "Export") { pw -> scope.launch { model.exportEncrypted(s.format, pw) } } } },
            confirmButton = {},
            dismissButton = { if (s.plainAllowed) TextButton(onClick = { model.choosePlain(s.format) }) { Text("Without a password…") } },
        )
        is TransferState.PlainConsent -> AlertDialog(
            onDismissRequest = model::cancel, title = { Text("Export without a password?") },
            text = { Text("Anyone who gets this file can sign in as you on every account in it. Keep it only as long as you need it.") },
            confirmButton = { TextButton(onClick = { scope.launch { model.exportPlain(s.format) } }) { Text("I understand, export") } },
            dismissButton = { TextButton(onClick = model::cancel) { Text("Cancel") } },
        )
        is TransferState.Exported -> LaunchedEffect(s) { create.launch(s.file) }
        is TransferState.Failed -> AlertDialog(
            onDismissRequest = model::cancel, title = { Text("Nothing was changed") }, text = { Text(s.reason) },
            confirmButton = { TextButton(onClick = model::cancel) { Text("OK") } },
        )
    }
}

/**
 * `CreateDocument` with the MIME type of each export (core's `exportFile`): the stock contract
 * fixes one type when it is registered.
 */
private object CreateTypedDocument : androidx.activity.result.contract.ActivityResultContract<org.tessera.ExportFile, android.net.Uri?>() {
    override fun createIntent(context: android.content.Context, input: org.tessera.ExportFile) =
        android.content.Intent(android.content.Intent.ACTION_CREATE_DOCUMENT)
            .addCategory(android.content.Intent.CATEGORY_OPENABLE)
            .setType(input.mimeType)
            .putExtra(android.content.Intent.EXTRA_TITLE, input.fileName)

    override fun parseResult(resultCode: Int, intent: android.content.Intent?): android.net.Uri? =
        if (resultCode == Activity.RESULT_OK) intent?.data else null
}

/** Every entry of an import and what happened to it. */
@Composable
fun ReportDialog(report: ImportReport, onClose: () -> Unit) {
    AlertDialog(
        onDismissRequest = onClose,
        title = { Text("Imported ${report.imported}, ${report.duplicates} already there, ${report.failed} failed") },
        text = {
            Column(Modifier.verticalScroll(rememberScrollState())) {
                report.entries.forEach { e -> Text("${e.name}: ${outcomeText(e.outcome)}") }
            }
        },
        confirmButton = { TextButton(onClick = onClose) { Text("OK") } },
    )
}

private fun outcomeText(o: org.tessera.ImportOutcome) = when (o) {
    is org.tessera.ImportOutcome.Imported -> "added"
    org.tessera.ImportOutcome.WouldImport -> "would be added"
    is org.tessera.ImportOutcome.Duplicate -> "already there"
    is org.tessera.ImportOutcome.RepeatedInSource -> "repeated in the file"
    is org.tessera.ImportOutcome.Unsupported -> o.reason
    is org.tessera.ImportOutcome.Invalid -> o.reason
}

@Composable
private fun Section(title: String) {
    HorizontalDivider()
    Text(title, style = MaterialTheme.typography.titleMedium)
}

@Composable
private fun Toggle(label: String, checked: Boolean, onChange: (Boolean) -> Unit) {
    // The whole row toggles, so TalkBack reads the label with the switch's state as one control.
    ListItem(
        headlineContent = { Text(label) },
        trailingContent = { Switch(checked = checked, onCheckedChange = null) },
        modifier = Modifier.toggleable(value = checked, onValueChange = onChange, role = Role.Switch),
    )
}

/** The offset core measured between this phone's clock and a server's, and a sync button. */
@Composable
private fun ServerTimeSection(session: Session) {
    val model = session.time
    val state by model.state.collectAsState()
    val scope = rememberCoroutineScope()
    LaunchedEffect(model) { model.load() }
    val status = state.status
    if (status == null) {
        Text("Codes use this phone's clock.")
    } else {
        Text("This phone's clock is ${describeClockOffset(status.offsetSeconds, status.source)}; codes are corrected.")
        if (status.warning) Text("Your phone's clock is wrong. Codes still work, but other apps may not.", color = MaterialTheme.colorScheme.error)
    }
    state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        Button(onClick = { scope.launch { model.sync() } }) { Text("Sync with the push server") }
        if (status != null) TextButton(onClick = { scope.launch { model.reset() } }) { Text("Use the phone's clock") }
    }
}
