package org.tessera.app.model

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.withContext
import org.tessera.ExportEncryption
import org.tessera.ExportFormat
import org.tessera.ExportFile
import org.tessera.ExportResult
import org.tessera.exportFile
import java.util.TimeZone
import org.tessera.ImportProgressListener
import org.tessera.ImportReport
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.exportFormatInfo
import org.tessera.exportFromVault
import org.tessera.importIntoVault

/** The import and export screen. */
sealed interface TransferState {
    /** Nothing running. */
    data object Idle : TransferState

    /** The file is encrypted: ask for its password ([wrongPassword] after a miss). */
    data class ImportPassword(val wrongPassword: Boolean) : TransferState

    /** Importing: [written] of [total] entries stored so far. */
    data class Importing(val written: Long, val total: Long) : TransferState

    /** The per-entry report of a finished import. */
    data class Imported(val report: ImportReport) : TransferState

    /**
     * Export of [format]: ask for a password; [plainAllowed] offers "without a password", which
     * leads to [PlainConsent] first.
     */
    data class ExportPassword(val format: ExportFormat, val plainAllowed: Boolean) : TransferState

    /** The user asked for an unencrypted export: say what that means and ask to confirm. */
    data class PlainConsent(val format: ExportFormat) : TransferState

    /**
     * The export is ready to be written to the document the user picks; [file] is core's
     * proposed file name, extension and MIME type. Printing it shows no content.
     */
    class Exported(val result: ExportResult, val file: ExportFile) : TransferState {
        override fun toString() = "Exported(${result.data.size} bytes, ${result.skipped.size} skipped)"
    }

    /** Nothing was changed; [reason] is core's. */
    data class Failed(val reason: String) : TransferState
}

/**
 * Moving accounts in and out. Core detects formats, says when a password is required and which
 * exports may be unencrypted (`exportFormatInfo`), and refuses a plain export without the
 * explicit opt-in; this model turns those answers into prompts.
 */
class TransferModel(
    private val vault: Vault,
    private val io: CoroutineDispatcher = Dispatchers.IO,
    /** Called after an import changed the vault (automatic backups). */
    private val onChanged: () -> Unit = {},
    /** The device's time (Unix seconds) and time zone (seconds east of UTC) that date an export's file name. */
    private val now: () -> Pair<Long, Int> = {
        val millis = System.currentTimeMillis()
        millis / 1000 to TimeZone.getDefault().getOffset(millis) / 1000
    },
) {
    private val _state = MutableStateFlow<TransferState>(TransferState.Idle)

    /** The screen's state. */
    val state: StateFlow<TransferState> = _state.asStateFlow()

    private var pendingImport: ByteArray? = null

    /** Imports the bytes of a document the user picked (Storage Access Framework). */
    suspend fun import(data: ByteArray) {
        pendingImport = data
        runImport(null)
    }

    /** The password of the file being imported. */
    suspend fun importPassword(password: String) = runImport(password)

    private suspend fun runImport(password: String?) {
        val data = pendingImport ?: return
        _state.value = TransferState.Importing(0, 0)
        val progress = object : ImportProgressListener {
            override fun onProgress(written: ULong, total: ULong) {
                _state.value = TransferState.Importing(written.toLong(), total.toLong())
            }
        }
        _state.value = try {
            val report = withContext(io) { importIntoVault(vault, data, null, password, false, progress) }
            forgetImport()
            onChanged()
            TransferState.Imported(report)
        } catch (e: TesseraException.PasswordRequired) {
            TransferState.ImportPassword(wrongPassword = false)
        } catch (e: TesseraException.WrongPassword) {
            TransferState.ImportPassword(wrongPassword = true)
        } catch (e: TesseraException) {
            forgetImport()
            TransferState.Failed(e.message ?: e.javaClass.simpleName)
        }
    }

    /** The user gave up on the password prompt. */
    fun cancel() {
        forgetImport()
        _state.value = TransferState.Idle
    }

    private fun forgetImport() {
        pendingImport?.fill(0) // the file may be a plain export: its bytes are secrets
        pendingImport = null
    }

    /** Starts an export of [format]: asks for what core says the format needs. */
    suspend fun startExport(format: ExportFormat) {
        val info = withContext(io) { exportFormatInfo(format) }
        _state.value = when (info.encryption) {
            ExportEncryption.NEVER -> TransferState.PlainConsent(format)
            ExportEncryption.OPTIONAL -> TransferState.ExportPassword(format, plainAllowed = true)
            ExportEncryption.ALWAYS -> TransferState.ExportPassword(format, plainAllowed = false)
        }
    }

    /** The user chose "without a password" on the password prompt. */
    fun choosePlain(format: ExportFormat) {
        _state.value = TransferState.PlainConsent(format)
    }

    /** Exports encrypted with [password]. */
    suspend fun exportEncrypted(format: ExportFormat, password: String) = export(format, true) { exportFromVault(vault, format, password, false) }

    /** Exports without encryption, after the user confirmed [TransferState.PlainConsent]. */
    suspend fun exportPlain(format: ExportFormat) = export(format, false) { exportFromVault(vault, format, null, true) }

    private suspend fun export(format: ExportFormat, encrypted: Boolean, call: () -> ExportResult) {
        val failed = { reason: String -> _state.value = TransferState.Failed(reason) }
        val result = coreCall(io, failed, call) ?: return
        val (time, offset) = now()
        val file = coreCall(io, failed) { exportFile(format, encrypted, time.toULong(), offset) }
        if (file == null) {
            result.data.fill(0)
            return
        }
        _state.value = TransferState.Exported(result, file)
    }

    /** The export was written (or the user gave up): its bytes are wiped. */
    fun exportWritten() {
        (_state.value as? TransferState.Exported)?.result?.data?.fill(0)
        _state.value = TransferState.Idle
    }
}
