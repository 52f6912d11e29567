package org.tessera.app.model

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import org.tessera.ImportReport
import org.tessera.OtpAccount
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.app.platform.Link
import org.tessera.app.platform.classifyLink
import org.tessera.importIntoVault
import org.tessera.displayName
import org.tessera.parseOtpUri
import org.tessera.scanQrLuma

/** The add-account flow: scanning, a link to confirm, and what came of it. */
sealed interface AddState {
    /** Waiting for a scan, a picked image, a link or typed details. */
    data object Idle : AddState

    /** A link or scanned code to confirm before anything is stored; [title] names it (never its secret). */
    data class Confirm(val link: Link, val title: String) : AddState

    /** An account was added. */
    data class Added(val id: String) : AddState

    /** A batch was imported (Google transfer, several QR codes): the per-entry report. */
    data class Imported(val report: ImportReport) : AddState

    /** A push token was enrolled. */
    data class Enrolled(val serial: String) : AddState

    /** Nothing was stored; [reason] is core's. */
    data class Failed(val reason: String) : AddState
}

/**
 * The add-account screen's state holder: every input (a camera frame's luma plane, an image the
 * platform decoded, a link from another app, typed details) goes to core, which reads and checks
 * it; the model asks the user to confirm and stores it. Push enrollments go to [enrollPush].
 */
class AddAccountModel(
    private val vault: Vault,
    private val enrollPush: suspend (uri: String) -> String?,
    private val io: CoroutineDispatcher = Dispatchers.IO,
    /** Called after an account was added or imported (automatic backups). */
    private val onChanged: () -> Unit = {},
) {
    private val _state = MutableStateFlow<AddState>(AddState.Idle)

    /** The screen's state. */
    val state: StateFlow<AddState> = _state.asStateFlow()

    private fun fail(reason: String) {
        _state.value = AddState.Failed(reason)
    }

    /** A link opened from another app, or text a QR code held: asks to confirm it. */
    suspend fun open(text: String) {
        val link = coreCall(io, ::fail) { classifyLink(text) } ?: return
        _state.value = when (link) {
            is Link.Unusable -> AddState.Failed(link.reason)
            // The session routes request links to the inbox; one arriving here is not an account.
            is Link.PushRequest -> AddState.Failed("this link opens a sign-in request, not an account")
            is Link.Account -> coreCall(io, ::fail) { parseOtpUri(link.uri) }?.let { AddState.Confirm(link, titleOf(it)) } ?: return
            is Link.PushEnrollment -> AddState.Confirm(link, "privacyIDEA push sign-in approvals")
            is Link.Import -> AddState.Confirm(link, "Accounts from ${link.format.name.lowercase().replace('_', ' ')}")
        }
    }

    /**
     * A camera frame or a decoded image as grey levels (see `packLuma`). Returns true when it
     * held a QR code (the scanner stops then); a frame without one is simply skipped.
     */
    suspend fun scanned(width: Int, height: Int, luma: ByteArray): Boolean = read(width, height, luma, picked = false)

    /**
     * An image the user picked, as grey levels: like [scanned], but an image without a QR code
     * is reported (core's reason) rather than skipped.
     */
    suspend fun picked(width: Int, height: Int, luma: ByteArray): Boolean = read(width, height, luma, picked = true)

    private suspend fun read(width: Int, height: Int, luma: ByteArray, picked: Boolean): Boolean {
        val texts = try {
            kotlinx.coroutines.withContext(io) { scanQrLuma(width.toUInt(), height.toUInt(), luma) }
        } catch (e: TesseraException.InvalidInput) {
            // No QR code in this camera frame: the next one may have it.
            if (picked) fail(e.message ?: "no QR code was found in the image")
            return false
        }
        val text = texts.firstOrNull() ?: return false
        open(text)
        return true
    }

    /** The user confirmed what [AddState.Confirm] showed. */
    suspend fun confirm() {
        val link = (_state.value as? AddState.Confirm)?.link ?: return
        when (link) {
            is Link.Account -> coreCall(io, ::fail) { vault.addUri(link.uri) }?.let { _state.value = AddState.Added(it); onChanged() }
            is Link.PushEnrollment -> enrollPush(link.uri)?.let { _state.value = AddState.Enrolled(it) }
            is Link.Import -> coreCall(io, ::fail) { importIntoVault(vault, link.data, link.format, null, false) }
                ?.let { _state.value = AddState.Imported(it); onChanged() }
            is Link.Unusable, is Link.PushRequest -> Unit
        }
    }

    /** Adds an account typed in by the user (start from core's per-kind defaults). */
    suspend fun addManual(account: OtpAccount) {
        coreCall(io, ::fail) { vault.add(account) }?.let { _state.value = AddState.Added(it); onChanged() }
    }

    /** Back to waiting for input. */
    fun reset() {
        _state.value = AddState.Idle
    }

    // The name core gives an account not saved yet, as its lists will show it.
    private fun titleOf(account: OtpAccount) = displayName(account.issuer, account.label)
}
