package org.tessera.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.tessera.Algorithm
import org.tessera.Clock
import org.tessera.OtpKind
import org.tessera.OtpParams
import org.tessera.TesseraException
import org.tessera.otpCodeAt
import org.tessera.otpCodeNow
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

// Expected codes are the published test vectors of RFC 6238 (appendix B) and RFC 4226
// (appendix D), not values produced by Tessera.
const val RFC_SHA1 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
const val RFC_SHA256 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"

fun totp(digits: Int = 6, period: Int = 30, algorithm: Algorithm = Algorithm.SHA1) =
    OtpParams(OtpKind.TOTP, algorithm, digits.toUByte(), period.toUInt(), 0uL)

class OtpTest {
    @Test
    fun computesRfc6238VectorsAtExplicitTimes() {
        val cases = listOf(
            Triple(59L, Algorithm.SHA1, "94287082"),
            Triple(1111111109L, Algorithm.SHA1, "07081804"),
            Triple(2000000000L, Algorithm.SHA1, "69279037"),
            Triple(59L, Algorithm.SHA256, "46119246"),
            Triple(1234567890L, Algorithm.SHA256, "91819424"),
        )
        for ((time, algorithm, expected) in cases) {
            val secret = if (algorithm == Algorithm.SHA1) RFC_SHA1 else RFC_SHA256
            val code = otpCodeAt(secret, totp(digits = 8, algorithm = algorithm), time.toULong())
            assertEquals(expected, code.code, "RFC 6238 $algorithm at $time")
        }
    }

    @Test
    fun reportsRemainingSecondsOfThePeriod() {
        val code = otpCodeAt(RFC_SHA1, totp(), 59uL)
        assertEquals(1u, code.remainingSeconds)
        assertEquals(30u, code.period)
        assertEquals(30u, otpCodeAt(RFC_SHA1, totp(), 60uL).remainingSeconds)
    }

    @Test
    fun computesRfc4226HotpVectorsWithoutExpiry() {
        val expected = listOf("755224", "287082", "359152")
        expected.forEachIndexed { counter, want ->
            val params = OtpParams(OtpKind.HOTP, Algorithm.SHA1, 6u, 30u, counter.toULong())
            val code = otpCodeAt(RFC_SHA1, params, 0uL)
            assertEquals(want, code.code, "RFC 4226 counter $counter")
            assertEquals(0u, code.remainingSeconds)
        }
    }

    @Test
    fun computesCodesAtTheTimeOfAKotlinClock() {
        val clock = object : Clock {
            override fun nowUnix(): ULong = 59uL
        }
        assertEquals("94287082", otpCodeNow(RFC_SHA1, totp(digits = 8), clock).code)
    }

    @Test
    fun throwingKotlinClockBecomesPlatformError() {
        val clock = object : Clock {
            override fun nowUnix(): ULong = throw IllegalStateException("no network time")
        }
        val error = assertFailsWith<TesseraException.Platform> {
            otpCodeNow(RFC_SHA1, totp(), clock)
        }
        assertTrue(error.reason.contains("no network time"), error.reason)
    }

    @Test
    fun rejectsBadSecretsAndParametersAsInvalidInput() {
        assertFailsWith<TesseraException.InvalidInput> { otpCodeAt("not base32!", totp(), 0uL) }
        assertFailsWith<TesseraException.InvalidInput> { otpCodeAt("", totp(), 0uL) }
        assertFailsWith<TesseraException.InvalidInput> { otpCodeAt(RFC_SHA1, totp(digits = 0), 0uL) }
        assertFailsWith<TesseraException.InvalidInput> { otpCodeAt(RFC_SHA1, totp(digits = 11), 0uL) }
        assertFailsWith<TesseraException.InvalidInput> { otpCodeAt(RFC_SHA1, totp(period = 0), 0uL) }
    }
}
