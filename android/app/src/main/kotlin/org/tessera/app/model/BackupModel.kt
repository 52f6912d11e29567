package org.tessera.app.model

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import org.tessera.AutoBackupOutcome
import org.tessera.AutoBackupStatus
import org.tessera.KdfParams
import org.tessera.Vault
import org.tessera.defaultAutoBackupKeep
import org.tessera.app.platform.DocumentFolder
import org.tessera.app.platform.FolderBackupDestination
import org.tessera.readLatestBackup

/** A recovery key just made, to show once. Printing it does not show the key. */
class RecoveryKey(
    /** The key as it is to be written down (seven groups of four symbols). */
    val text: String,
) {
    override fun toString() = "RecoveryKey(<redacted>)"
}

/**
 * What the backup reminder says, from core's status, the most urgent first: the settings
 * screen's line (and, for anything but [UpToDate], a reason to bring the user there).
 */
sealed interface BackupReminder {
    /** Automatic backups are off: losing this phone loses the accounts. */
    data object Off : BackupReminder

    /** The last attempt failed, for [reason] (the folder's or core's): no newer backup than [lastVerifiedAt]. */
    data class Failing(val reason: String, val lastVerifiedAt: Long?) : BackupReminder

    /** Core asks to re-enter the backup password (it has not been proven for a long time). */
    data object CheckPassword : BackupReminder

    /** Changes wait for their backup (written within minutes while the app runs). */
    data class Pending(val lastVerifiedAt: Long?) : BackupReminder

    /** Every change is in a verified backup, the last written at [lastVerifiedAt] (Unix seconds). */
    data class UpToDate(val lastVerifiedAt: Long) : BackupReminder

    companion object {
        /** The reminder for core's [status]. */
        fun of(status: AutoBackupStatus): BackupReminder {
            val last = status.lastVerifiedAt?.toLong()
            return when {
                !status.enabled -> Off
                status.lastFailure != null -> Failing(status.lastFailure!!, last)
                status.askForPassword -> CheckPassword
                status.unbackedChanges || last == null -> Pending(last)
                else -> UpToDate(last)
            }
        }
    }
}

/** The settings screen's "never lose an account" part. */
data class BackupState(
    /** Core's automatic-backup status: on or off, the last verified backup, the last failure, whether to ask for the password again. */
    val status: AutoBackupStatus? = null,
    /** What the reminder says about [status] (`null` before it was read). */
    val reminder: BackupReminder? = null,
    /** A recovery key can open the vault. */
    val hasRecoveryKey: Boolean = false,
    /** A recovery key just made: shown until the user confirms writing it down (it is never shown again). */
    val newRecoveryKey: RecoveryKey? = null,
    /** Something to tell the user once ("Backups are on", "Restored 3 accounts"). */
    val message: String? = null,
    /** A failure to show (core's reason, or the folder's). */
    val error: String? = null,
)

/**
 * Automatic backups to a folder the user picked, and the recovery key: the two ways Tessera
 * keeps a person from losing their accounts with their phone. Core owns every rule (the backup
 * key sealed in the vault, coalescing, read-back verification, rotation, the reminder status,
 * the recovery key's format); this model tells core when the vault changed, sleeps until the
 * time core names, and keeps the screen's state.
 *
 * The folder is remembered by core as the backup's destination ([AutoBackupStatus.destination]):
 * on the phone the SAF tree URI, in the tests a directory; [folders] opens it.
 */
class BackupModel(
    private val vault: Vault,
    private val folders: (String) -> DocumentFolder,
    private val wakeups: Wakeups = DelayWakeups(),
    private val io: CoroutineDispatcher = Dispatchers.IO,
    // Tests pass a cheap cost; the app uses core's default (Argon2id, slow by design).
    private val kdf: KdfParams? = null,
) {
    private val _state = MutableStateFlow(BackupState())

    /** The screen's state. */
    val state: StateFlow<BackupState> = _state.asStateFlow()

    // Conflated: any number of changes before the next look at the vault is one signal.
    private val changes = Channel<Unit>(Channel.CONFLATED)

    private fun fail(reason: String) = _state.update { it.copy(error = reason, message = null) }

    /** Reads core's status and whether a recovery key exists. */
    suspend fun load() {
        val (status, recovery) = coreCall(io, ::fail) { vault.autoBackupStatus() to vault.hasRecoveryKey() } ?: return
        _state.update { it.copy(status = status, reminder = BackupReminder.of(status), hasRecoveryKey = recovery) }
    }

    /**
     * The vault changed (an account added, edited, reordered, trashed, imported): every state
     * holder that changes the vault calls this. Cheap; the backup itself happens in [run].
     */
    fun changed() {
        changes.trySend(Unit)
    }

    /**
     * Keeps backups current until cancelled: after each change, asks core whether a backup is
     * due, sleeps until the time core answers (changes are coalesced there) and asks again.
     * Launch it in the session's scope.
     */
    suspend fun run() {
        changed() // changes made before this session (or a failed attempt) are looked at once
        while (true) {
            changes.receive()
            var outcome = backupIfDue() ?: continue
            while (outcome is AutoBackupOutcome.Waiting) {
                val due = outcome.dueAt.toLong()
                val now = coreCall(io, ::fail) { vault.nowUnix().toLong() } ?: break
                wakeups.until(due, (due - now).coerceAtLeast(0) * 1000)
                outcome = backupIfDue() ?: break
            }
            load()
        }
    }

    /** Writes a backup now if anything changed (the app going to the background). */
    suspend fun flush() {
        val destination = destination() ?: return
        coreCall(io, ::fail) { vault.flushAutoBackup(destination) } ?: return
        load()
    }

    /** `null` when backups are off or the call failed (the error is shown). */
    private suspend fun backupIfDue(): AutoBackupOutcome? {
        val destination = destination() ?: return null
        return coreCall(io, ::fail) { vault.backupIfDue(destination) }
    }

    private suspend fun destination(): FolderBackupDestination? {
        val status = coreCall(io, ::fail) { vault.autoBackupStatus() } ?: return null
        if (!status.enabled) return null
        return FolderBackupDestination(folders(status.destination))
    }

    /**
     * Switches automatic backups on into [folder] with a backup password (slow by design: the
     * backup key is derived now, and never asked for again until a restore), and writes the
     * first backup at once so the user sees it verified.
     */
    suspend fun enable(password: String, folder: String) {
        coreCall(io, ::fail) { vault.enableAutoBackup(password, defaultAutoBackupKeep(), folder, kdf) } ?: return
        _state.update { it.copy(message = "Automatic backups are on", error = null) }
        flush()
    }

    /** Switches automatic backups off (the files in the folder stay). */
    suspend fun disable() {
        coreCall(io, ::fail) { vault.disableAutoBackup() } ?: return
        _state.update { it.copy(message = "Automatic backups are off", error = null) }
        load()
    }

    /** The user re-entered the backup password when the status asked (`askForPassword`). */
    suspend fun testPassword(password: String) {
        val right = coreCall(io, ::fail) { vault.testBackupPassword(password) } ?: return
        _state.update {
            if (right) it.copy(message = "That is the backup password", error = null)
            else it.copy(error = "That is not the backup password. If it is lost, switch backups on again with a new one.", message = null)
        }
        load()
    }

    /**
     * A fresh install after a lost phone: adds the accounts of the newest intact backup in
     * [folder] (core skips half-written and damaged files). A wrong password changes nothing.
     */
    suspend fun restoreFrom(folder: String, password: String) {
        val added = coreCall(io, ::fail) {
            val accounts = readLatestBackup(FolderBackupDestination(folders(folder)), password)
            vault.addMany(accounts)
        } ?: return
        _state.update { it.copy(message = "Restored ${added.size} accounts from the backup", error = null) }
        changed()
    }

    /**
     * Makes a new recovery key (replacing any earlier one) and shows it once. Tessera keeps no
     * readable copy: the user writes it down and confirms ([confirmRecoveryKeyWritten]).
     */
    suspend fun createRecoveryKey() {
        val key = coreCall(io, ::fail) { vault.createRecoveryKey() } ?: return
        _state.update { it.copy(newRecoveryKey = RecoveryKey(key), hasRecoveryKey = true, error = null, message = null) }
    }

    /** The user wrote the recovery key down: it leaves the screen for good. */
    fun confirmRecoveryKeyWritten() =
        _state.update { it.copy(newRecoveryKey = null, message = "Keep the recovery key somewhere safe, away from this phone") }

    /**
     * The user left without confirming: a key nobody wrote down would only look like a way in,
     * so it is revoked (the earlier one was already replaced when this one was made).
     */
    suspend fun discardRecoveryKey() {
        if (_state.value.newRecoveryKey == null) return
        _state.update { it.copy(newRecoveryKey = null) }
        coreCall(io, ::fail) { vault.revokeRecoveryKey() } ?: return
        _state.update { it.copy(hasRecoveryKey = false, message = "No recovery key was kept: make one when you can write it down") }
    }
}
