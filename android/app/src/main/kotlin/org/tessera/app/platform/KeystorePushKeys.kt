package org.tessera.app.platform

import org.tessera.PushDeviceKeys
import org.tessera.TesseraException
import java.security.GeneralSecurityException
import java.security.KeyStore
import java.security.PrivateKey
import java.security.Signature

/**
 * Push device keys in a key store: RSA key pairs generated inside it, signing with
 * SHA256withRSA (RSASSA-PKCS1-v1_5), the private key never leaving it. Written against
 * `java.security` so the same class runs over the Android Keystore (see `AndroidKeystore.kt`,
 * which generates the pair there, in StrongBox when the device has it) and over a PKCS#12 file
 * in the JVM tests.
 *
 * @param store a loaded key store.
 * @param entryPassword the entries' password (`null` for the Android Keystore).
 * @param generate creates an RSA key pair of `bits` under `alias` inside [store], with a
 *   certificate holding its public key (the Android Keystore makes a self-signed one itself).
 */
class KeystorePushKeys(
    private val store: KeyStore,
    private val entryPassword: CharArray?,
    private val generate: (alias: String, bits: Int) -> Unit,
) : PushDeviceKeys {

    override fun generate(alias: String, bits: UInt): ByteArray = keystoreCall("generate") {
        if (store.containsAlias(alias)) throw TesseraException.Platform("a device key is already stored under this alias")
        generate(alias, bits.toInt())
        val certificate = store.getCertificate(alias)
            ?: throw TesseraException.Platform("the key store kept no public key for the new device key")
        certificate.publicKey.encoded // X.509 SubjectPublicKeyInfo DER, what core expects
    }

    override fun sign(alias: String, message: ByteArray): ByteArray = keystoreCall("sign") {
        val key = store.getKey(alias, entryPassword) as? PrivateKey
            ?: throw TesseraException.Platform("no device key is stored under this alias")
        Signature.getInstance("SHA256withRSA").run {
            initSign(key)
            update(message)
            sign()
        }
    }

    override fun delete(alias: String) = keystoreCall("delete") {
        if (store.containsAlias(alias)) store.deleteEntry(alias)
    }

    // The key store's own exceptions become Platform errors naming the step, never the data.
    private fun <T> keystoreCall(step: String, body: () -> T): T = try {
        body()
    } catch (e: GeneralSecurityException) {
        throw TesseraException.Platform("the key store could not $step the push device key (${e.javaClass.simpleName})")
    }
}
