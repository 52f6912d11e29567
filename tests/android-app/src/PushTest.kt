package org.tessera.app.tests

import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.tessera.HttpField
import org.tessera.HttpRequest
import org.tessera.PushClient
import org.tessera.PushVerdict
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.app.platform.HttpPushTransport
import java.io.File
import java.net.ServerSocket
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class PushTest {
    @Test
    fun theAppsAdaptersEnrollAndApproveAgainstPrivacyIdea() {
        val (user, uri) = PrivacyIdea.fixture("adapters") ?: return assumeTrue(false, "no privacyIDEA server")
        val keys = Pkcs12Store()
        Vault.create(File(tempDir(), "vault.db").path, keys.keyProvider()).use { vault ->
            PushClient(vault, keys.pushKeys(), HttpPushTransport()).use { push ->
                val token = push.enroll(uri, 2048u, null, false)
                assertEquals(1, keys.store.aliases().toList().count { it != "vault" }, "the device key is in the key store")
                val (auth, transaction) = PrivacyIdea.check(user, "push-pin")
                assertEquals("CHALLENGE", auth)
                val poll = push.poll()
                assertEquals(emptyList(), poll.failed)
                val request = poll.received.single()
                assertEquals(token.serial, request.serial)
                assertEquals(PushVerdict.Accepted(null), push.approve(request.id))
                assertEquals("ACCEPT", PrivacyIdea.check(user, "", transaction).first())
            }
        }
    }

    @Test
    fun noResponseIsANetworkErrorThatNamesOnlyTheHost() {
        // A port that was free a moment ago: nothing listens there.
        val port = ServerSocket(0).use { it.localPort }
        val request = HttpRequest(
            post = true, url = "http://127.0.0.1:$port/ttype/push",
            query = listOf(HttpField("serial", "PIPU-SECRET-SERIAL")),
            form = listOf(HttpField("signature", "SIGNATURE-VALUE")), verifyTls = true,
        )
        val e = assertFailsWith<TesseraException.Network> { HttpPushTransport().send(request) }
        assertTrue(e.message!!.contains("127.0.0.1"), e.message)
        assertFalse(e.message!!.contains("SIGNATURE-VALUE") || e.message!!.contains("PIPU-SECRET-SERIAL"), e.message)
    }

    @Test
    fun anyStatusIsAResponseWithItsBody() {
        val base = System.getenv("TESSERA_PI_URL") ?: return assumeTrue(false, "no privacyIDEA server (TESSERA_PI_URL unset)")
        val response = HttpPushTransport().send(HttpRequest(false, "$base/token/", emptyList(), emptyList(), true))
        assertEquals(401, response.status.toInt(), "the admin API without a token refuses")
        assertTrue(String(response.body).contains("\"status\""), "privacyIDEA's JSON error body is passed on")
    }
}
