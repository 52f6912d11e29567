package org.tessera.tests

import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.tessera.ContainerClient
import org.tessera.ContainerCurve
import org.tessera.ContainerHash
import org.tessera.ContainerKeys
import org.tessera.ContainerState
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.readContainerQr
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.spec.ECGenParameterSpec
import java.util.concurrent.ConcurrentHashMap
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/**
 * Container keys the way an Android app holds them in StrongBox: P-256 whatever curve the QR
 * asks for (privacyIDEA 3.14 does not check it), signing with SHA*withECDSA (ASN.1 DER).
 */
class JvmContainerKeys : ContainerKeys {
    val keys = ConcurrentHashMap<String, KeyPair>()
    val asked = mutableListOf<ContainerCurve>()

    override fun generate(alias: String, wanted: ContainerCurve): ByteArray {
        asked.add(wanted)
        val pair = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair()
        keys[alias] = pair
        return pair.public.encoded // X.509 SubjectPublicKeyInfo DER
    }

    override fun sign(alias: String, message: ByteArray, hash: ContainerHash): ByteArray {
        val pair = keys[alias] ?: throw TesseraException.Platform("no key $alias")
        val algorithm = when (hash) {
            ContainerHash.SHA256 -> "SHA256withECDSA"
            ContainerHash.SHA384 -> "SHA384withECDSA"
            ContainerHash.SHA512 -> "SHA512withECDSA"
        }
        return Signature.getInstance(algorithm).run { initSign(pair.private); update(message); sign() }
    }

    override fun delete(alias: String) {
        keys.remove(alias)
    }
}

class ContainerTest {
    private fun validate(user: String, pass: String): String {
        val base = System.getenv("TESSERA_PI_URL")
        val body = mapOf("user" to user, "pass" to pass).entries
            .joinToString("&") { (k, v) -> "$k=${URLEncoder.encode(v, "UTF-8")}" }
        val request = HttpRequest.newBuilder(URI.create("$base/validate/check"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build()
        val json = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body()
        return Regex("\"authentication\"\\s*:\\s*\"([^\"]*)\"").find(json)?.groupValues?.get(1) ?: json
    }

    private fun registerAndSync(name: String, keys: JvmContainerKeys?) {
        val user = System.getenv("TESSERA_PI_CONTAINER_USER_$name")
        val uri = System.getenv("TESSERA_PI_CONTAINER_QR_$name")
        if (System.getenv("TESSERA_PI_URL") == null || user == null || uri == null) {
            println("SKIPPED container test '$name': no privacyIDEA container fixture (run ./tests/run-all.sh)")
            return assumeTrue(false, "no privacyIDEA server")
        }
        val qr = readContainerQr(uri)
        assertEquals("", qr.passphrasePrompt)
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            // The mobile library has no HTTP client of its own: the platform's stack, as an app brings it.
            ContainerClient(vault, keys, transport = if (mobileBuild) JvmTransport() else null).use { containers ->
                val info = containers.register(uri, null, "Tessera", "Kotlin on the JVM – Zoë")
                assertEquals(ContainerState.REGISTERED, info.state)
                assertEquals(qr.serial, info.serial)
                if (keys != null) {
                    assertEquals(listOf(ContainerCurve.P384), keys.asked, "the QR's curve is asked for")
                    assertEquals(1, keys.keys.size, "the platform holds the key")
                }
                val report = containers.sync(info.serial)
                val added = report.added.single()
                assertEquals("totp", added.kind)
                val accountId = assertNotNull(added.accountId)
                val code = assertNotNull(vault.codes().single { it.id == accountId }.code)
                assertEquals("ACCEPT", validate(user, "totp-pin$code"), "the synced TOTP logs in")
                assertEquals(info.serial, containers.managerOf(accountId))
                assertEquals(1, containers.list().single().tokens.size)
                // registering the same QR again is refused: it is registered already
                assertFailsWith<TesseraException.Duplicate> { containers.register(uri, null, null, null) }
            }
        }
    }

    @Test
    fun registersAndSyncsAContainerWithAPlatformKeyAgainstPrivacyIdea() = registerAndSync("platform", JvmContainerKeys())

    @Test
    fun registersAndSyncsAContainerWithSoftwareKeysAgainstPrivacyIdea() = registerAndSync("software", null)

    @Test
    fun refusesAForeignUriWithoutAServer() {
        assertFailsWith<TesseraException.InvalidInput> { readContainerQr("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP") }
    }
}
