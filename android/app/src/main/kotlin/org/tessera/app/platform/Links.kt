package org.tessera.app.platform

import org.tessera.ImportFormat
import org.tessera.TesseraException
import org.tessera.UriKind
import org.tessera.detectImportFormat
import org.tessera.uriKind

/**
 * What a link or a scanned QR code asks the app to do. Core classifies it (`uriKind`, then
 * `detectImportFormat`); the app only routes. Holds the text (a secret): never log it.
 */
sealed class Link {
    /** An OTP account (`otpauth://totp|hotp|steam/…`): confirm, then add it to the vault. */
    class Account(val uri: String) : Link()

    /** A privacyIDEA push enrollment (`otpauth://pipush/…`, `pia://pipush/…`): enroll it. */
    class PushEnrollment(val uri: String) : Link()

    /** Accounts to import, e.g. a Google Authenticator transfer (`otpauth-migration://…`). */
    class Import(val data: ByteArray, val format: ImportFormat) : Link()

    /** Nothing Tessera can use; [reason] is core's, fit for the user, without the text. */
    class Unusable(val reason: String) : Link()

    override fun toString(): String = javaClass.simpleName // never the URI
}

/**
 * Routes the text of a link (an intent's data URI) or of a scanned QR code. The schemes the
 * app declares in its intent filters (`otpauth`, `otpauth-migration`, `pia`) all arrive here.
 */
fun classifyLink(text: String): Link {
    val trimmed = text.trim()
    val kindError = try {
        return when (uriKind(trimmed)) {
            UriKind.OTP -> Link.Account(trimmed)
            UriKind.PUSH_ENROLLMENT -> Link.PushEnrollment(trimmed)
        }
    } catch (e: TesseraException.InvalidInput) {
        e
    }
    // Not one account: a link may still be a Google Authenticator transfer, which core reads
    // as an import. (Core's uriKind does not know that scheme yet; when it does, this goes.)
    val data = trimmed.toByteArray(Charsets.UTF_8)
    return if (detectImportFormat(data) == ImportFormat.GOOGLE_MIGRATION) {
        Link.Import(data, ImportFormat.GOOGLE_MIGRATION)
    } else {
        Link.Unusable(kindError.message ?: "not an otpauth link")
    }
}
