package org.tessera.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Test
import org.tessera.Algorithm
import org.tessera.OtpKind
import org.tessera.TesseraException
import org.tessera.UriKind
import org.tessera.formatOtpUri
import org.tessera.otpCodeForUriAt
import org.tessera.parseOtpUri
import org.tessera.uriKind
import kotlin.test.assertFailsWith

// The example of Google's Key Uri Format page.
const val GOOGLE_EXAMPLE =
    "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"
const val PUSH_ENROLLMENT =
    "otpauth://pipush/PIPU0001?url=https%3A//pi.example/ttype/push&ttl=10&issuer=privacyIDEA" +
        "&enrollment_credential=0123abcd&v=1&serial=PIPU0001&sslverify=1"

class UriTest {
    @Test
    fun parsesTheKeyUriFormatExample() {
        val account = parseOtpUri(GOOGLE_EXAMPLE)
        assertEquals("Example", account.issuer)
        assertEquals("alice@google.com", account.label)
        assertEquals("JBSWY3DPEHPK3PXP", account.secretBase32)
        assertEquals(OtpKind.TOTP, account.params.kind)
        assertEquals(Algorithm.SHA1, account.params.algorithm)
        assertEquals(6.toUByte(), account.params.digits)
        assertEquals(30u, account.params.period)
    }

    @Test
    fun computesTheCodeOfAUriAtAnExplicitTime() {
        val uri = "otpauth://totp/ACME:bob?secret=$RFC_SHA1&digits=8&issuer=ACME"
        assertEquals("94287082", otpCodeForUriAt(uri, 59uL).code) // RFC 6238, T = 59
    }

    @Test
    fun formatThenParseKeepsEveryField() {
        val original = parseOtpUri(
            "otpauth://hotp/Bank%20One:carol%2B2fa@example.com?secret=$RFC_SHA1" +
                "&issuer=Bank%20One&algorithm=SHA256&digits=8&counter=42&pin=1234",
        )
        val again = parseOtpUri(formatOtpUri(original))
        assertEquals(original, again)
        assertEquals("carol+2fa@example.com", again.label)
        assertEquals(42uL, again.params.counter)
        assertEquals(listOf("pin" to "1234"), again.extra.map { it.name to it.value })
    }

    @Test
    fun tellsPushEnrollmentsFromOtpAccounts() {
        assertEquals(UriKind.OTP, uriKind(GOOGLE_EXAMPLE))
        assertEquals(UriKind.PUSH_ENROLLMENT, uriKind(PUSH_ENROLLMENT))
        assertFailsWith<TesseraException.InvalidInput> { parseOtpUri(PUSH_ENROLLMENT) }
    }

    @Test
    fun rejectsUriWithoutSecretNamingThePartNotTheValue() {
        val error = assertFailsWith<TesseraException.InvalidInput> {
            parseOtpUri("otpauth://totp/Example:alice@google.com?issuer=Example")
        }
        assertFalse(error.reason.contains("alice"), error.reason)
        val bad = assertFailsWith<TesseraException.InvalidInput> {
            parseOtpUri("otpauth://totp/x?secret=JBSWY3DPEHPK3PX1")
        }
        assertFalse(bad.reason.contains("JBSWY3DPEHPK3PX1"), bad.reason)
        assertFailsWith<TesseraException.InvalidInput> { uriKind("https://example.com") }
        assertFailsWith<TesseraException.InvalidInput> { otpCodeForUriAt("", 0uL) }
    }
}
