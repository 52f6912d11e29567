package org.tessera.tests

import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.tessera.Clock
import org.tessera.KeygenListener
import org.tessera.KeygenStep
import org.tessera.PushClient
import org.tessera.PushDeviceKeys
import org.tessera.PushVerdict
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.displayName
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.Signature
import java.util.concurrent.ConcurrentHashMap
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** The login side of a password reset: privacyIDEA's /validate endpoints (no admin rights). */
class ResetPage(private val base: String, private val user: String) {
    private val http = HttpClient.newHttpClient()

    private fun post(path: String, form: Map<String, String>): String {
        val body = form.entries.joinToString("&") { (k, v) -> "$k=${URLEncoder.encode(v, "UTF-8")}" }
        val request = HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build()
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body()
    }

    private fun field(json: String, name: String): String =
        Regex("\"$name\"\\s*:\\s*\"([^\"]*)\"").find(json)?.groupValues?.get(1) ?: ""

    /** Starts a push authentication; returns the transaction id. */
    fun trigger(): String {
        val json = post("/validate/check", mapOf("user" to user, "pass" to "push-pin"))
        assertEquals("CHALLENGE", field(json, "authentication"), json)
        return field(json, "transaction_id")
    }

    /** The final check after the phone answered: ACCEPT or REJECT. */
    fun finish(transactionId: String): String =
        field(post("/validate/check", mapOf("user" to user, "pass" to "", "transaction_id" to transactionId)), "authentication")
}

/**
 * Device keys the way an Android app holds them in the Keystore (here the JVM's provider).
 * With [pkcs1], the public key comes back the way iOS's `SecKeyCopyExternalRepresentation`
 * gives it: PKCS#1 RSAPublicKey, not SubjectPublicKeyInfo.
 */
class JvmPushKeys(private val pkcs1: Boolean = false) : PushDeviceKeys {
    val keys = ConcurrentHashMap<String, KeyPair>()

    override fun generate(alias: String, bits: UInt): ByteArray {
        val pair = KeyPairGenerator.getInstance("RSA").apply { initialize(bits.toInt()) }.generateKeyPair()
        keys[alias] = pair
        val spki = pair.public.encoded // X.509 SubjectPublicKeyInfo DER
        if (!pkcs1) return spki
        // An RSA-2048 SPKI is a fixed 24-byte header (SEQUENCE, rsaEncryption, NULL, BIT
        // STRING) around the PKCS#1 key: strip it, after checking it is that header.
        val header = "30820122300d06092a864886f70d01010105000382010f00"
        assertEquals(header, spki.copyOf(24).joinToString("") { "%02x".format(it) }, "an RSA-2048 SPKI")
        return spki.copyOfRange(24, spki.size)
    }

    override fun sign(alias: String, message: ByteArray): ByteArray {
        val pair = keys[alias] ?: throw TesseraException.Platform("no key $alias")
        return Signature.getInstance("SHA256withRSA").run { initSign(pair.private); update(message); sign() }
    }

    override fun delete(alias: String) {
        keys.remove(alias)
    }
}

class PushTest {
    private fun fixture(name: String): Pair<String, String>? {
        val base = System.getenv("TESSERA_PI_URL")
        val user = System.getenv("TESSERA_PI_PUSH_USER_$name")
        val uri = System.getenv("TESSERA_PI_PUSH_URI_$name")
        if (base == null || user == null || uri == null) {
            println("SKIPPED push test '$name': no privacyIDEA push fixture (run ./tests/run-all.sh)")
            return null
        }
        return user to uri
    }

    private fun approveThroughTheBindings(name: String, keys: PushDeviceKeys?) {
        val (user, uri) = fixture(name) ?: return assumeTrue(false, "no privacyIDEA server")
        // The mobile library has neither key generation nor HTTP of its own (MobileTest checks
        // what it says without them): there, the platform brings both, as an app does.
        assumeTrue(keys != null || !mobileBuild, "software device keys are not in the mobile library")
        val page = ResetPage(System.getenv("TESSERA_PI_URL"), user)
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            PushClient(vault, keys, if (mobileBuild) JvmTransport() else null).use { push ->
                val steps = mutableListOf<KeygenStep>()
                val listener = object : KeygenListener {
                    override fun onProgress(step: KeygenStep): Boolean { steps.add(step); return true }
                }
                val token = push.enroll(uri, 2048u, listener)
                assertEquals(1, push.tokens().size)
                if (keys == null) assertTrue(steps.first() is KeygenStep.Started, "software keygen reports progress")

                val transaction = page.trigger()
                val poll = push.poll()
                assertEquals(emptyList(), poll.failed)
                assertEquals(emptyList(), poll.rejected)
                val request = poll.received.single()
                assertEquals(token.serial, request.serial)
                assertTrue(request.choices.isEmpty())
                assertTrue(request.question.isNotEmpty())

                assertEquals(PushVerdict.Accepted(null), push.approve(request.id))
                assertEquals("ACCEPT", page.finish(transaction))
                assertTrue(push.pending().isEmpty())
                // answering again is refused locally, as a replay
                assertFailsWith<TesseraException.Rejected> { push.approve(request.id) }
            }
        }
    }

    @Test
    fun approvesAPushWithSoftwareDeviceKeysAgainstPrivacyIdea() = approveThroughTheBindings("software", null)

    @Test
    fun approvesAPushWithPlatformDeviceKeysAgainstPrivacyIdea() = approveThroughTheBindings("platform", JvmPushKeys())

    @Test
    fun approvesAPushWithPlatformKeysThatGivePkcs1LikeIos() = approveThroughTheBindings("pkcs1", JvmPushKeys(pkcs1 = true))

    @Test
    fun theInboxDescribesEachRequestAndTheServerTeachesItsTime() {
        val (user, uri) = fixture("inbox") ?: return assumeTrue(false, "no privacyIDEA server")
        val page = ResetPage(System.getenv("TESSERA_PI_URL"), user)
        // The phone's clock is an hour behind (the server runs on this machine's clock).
        val behind = object : Clock {
            override fun nowUnix(): ULong = (System.currentTimeMillis() / 1000 - 3600).toULong()
        }
        Vault.create(tempVaultPath(), JvmKeyProvider(), behind).use { vault ->
            // the platform's stack in both builds: its Date header is what teaches the time
            PushClient(vault, JvmPushKeys(), JvmTransport()).use { push ->
                val token = push.enroll(uri, 2048u)
                assertEquals(null, token.forceUnlock, "the server sent no app_force_unlock")
                assertEquals(displayName(token.issuer, token.label), token.displayName)
                // the enrollment response's Date: the server is an hour ahead of the phone
                val time = vault.serverTime() ?: error("the enrollment response taught the server time")
                assertTrue(kotlin.math.abs(time.offsetSeconds - 3600) <= 2, "offset ${time.offsetSeconds}")
                assertTrue(time.warning)
                assertTrue(System.getenv("TESSERA_PI_URL").contains(time.source), time.source)

                val transaction = page.trigger()
                val request = push.poll().received.single()
                assertEquals(token.issuer, request.issuer)
                assertEquals(token.label, request.label)
                assertEquals(token.displayName, request.displayName)
                assertTrue(request.isNew, "arrived in this poll")
                assertEquals(request.receivedAt + 120u, request.expiresAt)
                // time left is judged by the server's clock: a request that just arrived has
                // its whole two minutes, although the phone's clock says it expires in an hour
                assertEquals(120uL, request.secondsLeft)
                assertTrue(request.expiresAt > behind.nowUnix() + 3000u, "expiresAt is on the server's clock")
                assertEquals(null, request.forceUnlock)
                assertTrue(!push.poll().received.single().isNew, "open from the previous poll")
                val inbox = push.pending().single()
                assertEquals(request.id, inbox.id)
                assertTrue(!inbox.isNew)
                // (time left is not compared: every response re-measures the server offset,
                // which may move the corrected clock by a second either way)
                assertEquals(request.expiresAt, inbox.expiresAt)

                assertEquals(PushVerdict.Accepted(null), push.approve(request.id))
                assertEquals("ACCEPT", page.finish(transaction))
                assertTrue(push.removeToken(token.serial), "one call removes the token")
                assertTrue(push.tokens().isEmpty())
                assertTrue(!push.removeToken(token.serial))
            }
        }
    }

    @Test
    fun rejectsATamperedPushPayloadWithoutAServer() {
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            PushClient(vault).use { push ->
                val payload = mapOf(
                    "nonce" to "NONCE", "url" to "https://pi.example/ttype/push", "serial" to "PIPU-UNKNOWN",
                    "question" to "q", "title" to "t", "sslverify" to "1", "signature" to "AEBAG===",
                )
                assertFailsWith<TesseraException.Rejected> { push.receive(payload) }
                assertFailsWith<TesseraException.InvalidInput> { push.receive(payload - "signature") }
                assertTrue(push.pending().isEmpty())
            }
        }
    }
}
