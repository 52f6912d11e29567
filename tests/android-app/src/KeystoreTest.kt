package org.tessera.app.tests

import org.junit.jupiter.api.Test
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.app.platform.CipherAuthorizer
import java.io.File
import java.security.Signature
import java.security.KeyFactory
import java.security.interfaces.RSAPublicKey
import java.security.spec.X509EncodedKeySpec
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class KeystoreTest {
    private val uri = "otpauth://totp/Example:alice@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Example"

    @Test
    fun theDeviceKeyInTheKeyStoreCreatesAndReopensTheVault() {
        val keys = Pkcs12Store()
        val path = File(tempDir(), "vault.db").path
        Vault.create(path, keys.keyProvider()).use { it.addUri(uri) }
        assertTrue(keys.store.isKeyEntry("vault"), "the AES key was created inside the key store")
        // A fresh process: the store read back from its file opens the vault.
        val reread = Pkcs12Store(keys.file, keys.password)
        Vault.open(path, reread.keyProvider()).use { assertEquals("Example", it.list().single().issuer) }
    }

    @Test
    fun anotherDevicesKeyOrALostKeyIsWrongKey() {
        val path = File(tempDir(), "vault.db").path
        val keys = Pkcs12Store()
        Vault.create(path, keys.keyProvider()).close()
        // Another key store holds another key under the same alias.
        val other = Pkcs12Store()
        other.keyProvider().wrap(ByteArray(32)) // creates its key
        assertFailsWith<TesseraException.WrongKey> { Vault.open(path, other.keyProvider()) }
        // The key was deleted (app data cleared, lock screen removed): the password is the way in.
        keys.keyProvider().deleteKey()
        assertFalse(keys.store.containsAlias("vault"))
        assertFailsWith<TesseraException.WrongKey> { Vault.open(path, keys.keyProvider()) }
    }

    @Test
    fun aDismissedPromptIsCancelledAndTheKeyStillWorksAfterwards() {
        val path = File(tempDir(), "vault.db").path
        val keys = Pkcs12Store()
        Vault.create(path, keys.keyProvider()).close()
        var prompts = 0
        val dismissed = CipherAuthorizer { prompts++; throw TesseraException.Cancelled() }
        assertFailsWith<TesseraException.Cancelled> { Vault.open(path, keys.keyProvider(authorizer = dismissed)) }
        assertEquals(1, prompts, "the prompt was shown once")
        Vault.open(path, keys.keyProvider()).close()
    }

    @Test
    fun aWrappedKeyIsBoundToItsBytes() {
        val provider = Pkcs12Store().keyProvider()
        val vaultKey = ByteArray(32) { it.toByte() }
        val wrapped = provider.wrap(vaultKey.copyOf())
        assertContentEquals(ByteArray(32) { it.toByte() }, provider.unwrap(wrapped.copyOf()))
        val tampered = wrapped.copyOf().also { it[it.size - 1] = (it[it.size - 1].toInt() xor 1).toByte() }
        assertFailsWith<TesseraException.WrongKey> { provider.unwrap(tampered) }
        assertFailsWith<TesseraException.WrongKey> { provider.unwrap(ByteArray(5)) }
    }

    @Test
    fun pushDeviceKeysSignWithSha256WithRsaAndAreDeleted() {
        val store = Pkcs12Store()
        val keys = store.pushKeys()
        val spki = keys.generate("push-1", 2048u)
        val public = KeyFactory.getInstance("RSA").generatePublic(X509EncodedKeySpec(spki)) as RSAPublicKey
        assertEquals(2048, public.modulus.bitLength())
        val message = "nonce|url|serial|question|title|sslverify".toByteArray()
        val signature = keys.sign("push-1", message)
        val verifier = Signature.getInstance("SHA256withRSA").apply { initVerify(public); update(message) }
        assertTrue(verifier.verify(signature), "PKCS#1 v1.5 SHA-256 signature verifies with the public key")
        assertFailsWith<TesseraException.Platform> { keys.generate("push-1", 2048u) }
        keys.delete("push-1")
        keys.delete("push-1") // absent: no error
        val e = assertFailsWith<TesseraException.Platform> { keys.sign("push-1", message) }
        assertTrue(e.message!!.contains("no device key"), e.message)
    }
}
