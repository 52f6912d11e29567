package org.tessera.app.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.tessera.Clock
import org.tessera.PushClient
import org.tessera.Vault
import org.tessera.app.model.ServerTimeModel
import org.tessera.app.platform.HttpPushTransport
import org.tessera.describeClockOffset
import org.tessera.otpCodeAt
import org.tessera.parseOtpUri
import java.io.File
import kotlin.math.abs
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** A device clock an hour behind the real time. */
class HourBehind : Clock {
    override fun nowUnix(): ULong = (System.currentTimeMillis() / 1000 - 3600).toULong()
}

class ServerTimeModelTest {
    /** The screens show core's words for the offset (`describeClockOffset`). */
    @Test
    fun anOffsetIsSaidInWordsWithItsDirection() {
        assertEquals("45 s behind pi.example", describeClockOffset(45, "pi.example"))
        assertEquals("1 min 35 s behind pi.example", describeClockOffset(95, "pi.example"))
        assertEquals("2 min 5 s ahead of pi.example", describeClockOffset(-125, "pi.example"))
        assertEquals("1 min behind pi.example", describeClockOffset(60, "pi.example"))
        assertEquals("1 h ahead of pi.example", describeClockOffset(-3600, "pi.example"))
        assertEquals("2 h 1 min behind pi.example", describeClockOffset(7265, "pi.example"), "seconds are noise beside hours")
    }

    @Test
    fun anHourWrongClockIsCorrectedFromThePushServer() {
        val base = System.getenv("TESSERA_PI_URL") ?: return assumeTrue(false, "no privacyIDEA server (TESSERA_PI_URL unset)")
        val uri = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example"
        val keys = Pkcs12Store()
        Vault.create(File(tempDir(), "vault.db").path, keys.keyProvider(), HourBehind()).use { vault ->
            vault.addUri(uri)
            PushClient(vault, keys.pushKeys(), HttpPushTransport()).use { push ->
                val time = ServerTimeModel(vault, push)
                runBlocking {
                    time.load()
                    assertNull(time.state.value.status, "never synced")
                    time.sync("$base/")
                    val status = assertNotNull(time.state.value.status, time.state.value.error)
                    assertTrue(abs(status.offsetSeconds - 3600) < 60, "offset ${status.offsetSeconds}")
                    assertTrue(status.warning, "an hour off is worth a warning")
                    // Codes now follow the server's clock: the code of the real time, not of an hour ago.
                    val account = parseOtpUri(uri)
                    val realNow = System.currentTimeMillis() / 1000
                    val shown = vault.codeList(null).items.single().code
                    // The real time's code by the OTP engine on its own (either side of a period edge).
                    val expected = (realNow - 2..realNow + 2).map { otpCodeAt(account.secretBase32, account.params, it.toULong()).code }
                    assertTrue(shown in expected, "the code of the true time")
                    time.reset()
                    assertNull(time.state.value.status)
                }
            }
        }
    }
}
