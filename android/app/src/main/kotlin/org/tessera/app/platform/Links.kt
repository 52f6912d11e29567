package org.tessera.app.platform

import org.tessera.ImportFormat
import org.tessera.TesseraException
import org.tessera.UriKind
import org.tessera.uriKind

/**
 * What a link or a scanned QR code asks the app to do. Core classifies it (`uriKind`); the
 * app only routes. Holds the text (a secret): never log it.
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
    return try {
        when (uriKind(trimmed)) {
            UriKind.OTP -> Link.Account(trimmed)
            UriKind.PUSH_ENROLLMENT -> Link.PushEnrollment(trimmed)
            UriKind.IMPORT_BATCH -> Link.Import(trimmed.toByteArray(Charsets.UTF_8), ImportFormat.GOOGLE_MIGRATION)
        }
    } catch (e: TesseraException.InvalidInput) {
        Link.Unusable(e.message ?: "not an otpauth link")
    }
}
