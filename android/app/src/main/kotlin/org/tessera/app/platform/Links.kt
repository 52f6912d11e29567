package org.tessera.app.platform

import org.tessera.ImportFormat
import org.tessera.TesseraException
import org.tessera.UriKind
import org.tessera.uriKind
import java.net.URLDecoder
import java.net.URLEncoder

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

    /** A sign-in request a notification opened ([requestLink]): show it in the inbox. */
    class PushRequest(val id: String) : Link()

    /** Nothing Tessera can use; [reason] is core's, fit for the user, without the text. */
    class Unusable(val reason: String) : Link()

    override fun toString(): String = javaClass.simpleName // never the URI
}

// The app's own scheme (reverse domain, as RFC 8252 advises for private schemes). No intent
// filter declares it: only the notification's explicit intent carries it, and the id it names
// only selects among requests core already verified, so another app sending it can do no harm.
private const val REQUEST_PREFIX = "org.tessera.app://push-request/"

/**
 * The link a push notification opens: the request [id] (the server's nonce), URL-encoded. As the
 * intent's data it also keeps one notification's intent apart from another's.
 */
fun requestLink(id: String): String = REQUEST_PREFIX + URLEncoder.encode(id, Charsets.UTF_8)

/**
 * Routes the text of a link (an intent's data URI) or of a scanned QR code. The schemes the
 * app declares in its intent filters (`otpauth`, `otpauth-migration`, `pia`) all arrive here,
 * and the app's own [requestLink].
 */
fun classifyLink(text: String): Link {
    val trimmed = text.trim()
    if (trimmed.startsWith(REQUEST_PREFIX)) {
        val id = try {
            URLDecoder.decode(trimmed.removePrefix(REQUEST_PREFIX), Charsets.UTF_8)
        } catch (e: IllegalArgumentException) {
            ""
        }
        return if (id.isEmpty()) Link.Unusable("this sign-in link names no request") else Link.PushRequest(id)
    }
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
