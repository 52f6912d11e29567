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
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import org.tessera.ExportFormat
import org.tessera.ImportReport
import org.tessera.app.model.PreferenceStore
import org.tessera.app.model.Session
import org.tessera.app.model.TransferState
import org.tessera.app.model.describeOffset

/** Settings: security, moving accounts, server time, trash, password, about. */
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
        Text("Lock after ${prefs.lockAfterSeconds} s in the background")
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            listOf(0, 60, 300, 900).forEach { s -> OutlinedButton(onClick = { save(prefs.copy(lockAfterSeconds = s)) }) { Text(if (s == 0) "at once" else "${s / 60} min") } }
        }
        Button(onClick = onLock) { Text("Lock now") }
        Toggle("Check for sign-in requests in the background", prefs.backgroundPush) { save(prefs.copy(backgroundPush = it)) }

        Section("Password")
        Text(if (vaultState.hasPassword) "A password can open the vault if this phone's key is lost." else "No password: if this phone's key is lost, the vault cannot be opened.")
        PasswordField(error = null, action = if (vaultState.hasPassword) "Change password" else "Set password") { pw -> scope.launch { session.settings.setPassword(pw) } }
        vaultState.message?.let { Text(it) }
        vaultState.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }

        Section("Move accounts")
        TransferSection(session)

        Section("Server time")
        ServerTimeSection(session)

        Section("Trash")
        if (vaultState.trash.isEmpty()) Text("Empty")
        vaultState.trash.forEach { account ->
            ListItem(
                headlineContent = { Text(listOf(account.issuer, account.label).filter { it.isNotBlank() }.joinToString(" · ")) },
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
    val create = rememberLauncherForActivityResult(ActivityResultContracts.CreateDocument("application/octet-stream")) { uri ->
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
        ExportFormat.entries.forEach { f -> OutlinedButton(onClick = { scope.launch { model.startExport(f) } }) { Text(f.name.lowercase().replace('_', ' ')) } }
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
        is TransferState.Exported -> LaunchedEffect(s) { create.launch(s.suggestedName) }
        is TransferState.Failed -> AlertDialog(
            onDismissRequest = model::cancel, title = { Text("Nothing was changed") }, text = { Text(s.reason) },
            confirmButton = { TextButton(onClick = model::cancel) { Text("OK") } },
        )
    }
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
    ListItem(headlineContent = { Text(label) }, trailingContent = { Switch(checked = checked, onCheckedChange = onChange) })
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
        Text("This phone's clock is ${describeOffset(status.offsetSeconds, status.source)}; codes are corrected.")
        if (status.warning) Text("Your phone's clock is wrong. Codes still work, but other apps may not.", color = MaterialTheme.colorScheme.error)
    }
    state.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        Button(onClick = { scope.launch { model.sync() } }) { Text("Sync with the push server") }
        if (status != null) TextButton(onClick = { scope.launch { model.reset() } }) { Text("Use the phone's clock") }
    }
}
