package org.tessera.app.platform

import org.tessera.KeyProvider
import org.tessera.TesseraException
import java.security.GeneralSecurityException
import java.security.InvalidKeyException
import java.security.KeyStore
import java.security.UnrecoverableKeyException
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Lets the user authorize one use of a keystore key, e.g. with a biometric prompt bound to the
 * cipher (`BiometricPrompt.CryptoObject`). Called on the thread of the vault call (never the
 * UI thread); returns the cipher once it may be used, or throws `TesseraException.Cancelled`
 * when the user dismissed the prompt.
 */
fun interface CipherAuthorizer {
    /** Returns [cipher], initialized and now usable. */
    fun authorize(cipher: Cipher): Cipher

    companion object {
        /** For keys that need no user authentication. */
        val NONE = CipherAuthorizer { it }
    }
}

/**
 * The vault's device slot over an AES-256-GCM key that never leaves [store]: the vault key is
 * encrypted under it (IV first, then ciphertext and tag). Written against `java.security` so the
 * same class runs over the Android Keystore on a phone (see `AndroidKeystore.kt`) and over a
 * PKCS#12 file in the JVM tests.
 *
 * @param store a loaded key store.
 * @param alias the key's name in [store].
 * @param entryPassword the entry's password (`null` for the Android Keystore, whose keys have none).
 * @param generate creates the key under the alias inside [store] and returns it (called by the
 *   first [wrap] when there is no key yet).
 * @param authorizer lets the user authorize each use of a key bound to authentication.
 */
class KeystoreKeyProvider(
    private val store: KeyStore,
    private val alias: String,
    private val entryPassword: CharArray?,
    private val generate: (alias: String) -> SecretKey,
    private val authorizer: CipherAuthorizer = CipherAuthorizer.NONE,
) : KeyProvider {

    private fun existingKey(): SecretKey? = try {
        store.getKey(alias, entryPassword) as? SecretKey
    } catch (e: UnrecoverableKeyException) {
        null
    } catch (e: GeneralSecurityException) {
        throw TesseraException.Platform("the key store cannot be read (${e.javaClass.simpleName})")
    }

    override fun wrap(key: ByteArray): ByteArray {
        try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            // The keystore picks the IV (the Android Keystore refuses caller-chosen IVs).
            try {
                cipher.init(Cipher.ENCRYPT_MODE, existingKey() ?: generate(alias))
            } catch (e: InvalidKeyException) {
                // An invalidated key (lock screen or biometrics changed) cannot wrap any more:
                // core calls wrap to register a new device key, so a fresh key replaces it.
                deleteKey()
                cipher.init(Cipher.ENCRYPT_MODE, generate(alias))
            }
            val ready = authorizer.authorize(cipher)
            val iv = ready.iv
            if (iv.size != IV_BYTES) throw TesseraException.Platform("the key store chose a ${iv.size}-byte IV, not $IV_BYTES")
            return iv + ready.doFinal(key)
        } catch (e: GeneralSecurityException) {
            throw TesseraException.Platform("the device key could not wrap the vault key (${e.javaClass.simpleName})")
        } finally {
            key.fill(0)
        }
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        // No key under the alias: it was deleted (app data cleared, device reset) and the
        // vault can only be opened with its password now.
        val secretKey = existingKey() ?: throw TesseraException.WrongKey()
        if (wrapped.size < IV_BYTES + TAG_BYTES) throw TesseraException.WrongKey()
        try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, secretKey, GCMParameterSpec(TAG_BYTES * 8, wrapped, 0, IV_BYTES))
            return authorizer.authorize(cipher).doFinal(wrapped, IV_BYTES, wrapped.size - IV_BYTES)
        } catch (e: AEADBadTagException) {
            throw TesseraException.WrongKey() // another key: not this device's slot
        } catch (e: InvalidKeyException) {
            // Android's KeyPermanentlyInvalidatedException (the lock screen or enrolled
            // biometrics changed) is an InvalidKeyException: the key is gone for good.
            throw TesseraException.WrongKey()
        } catch (e: GeneralSecurityException) {
            throw TesseraException.Platform("the device key could not unwrap the vault key (${e.javaClass.simpleName})")
        }
    }

    /** Deletes the key (e.g. before registering a new one after it was invalidated). */
    fun deleteKey() {
        if (store.containsAlias(alias)) store.deleteEntry(alias)
    }

    private companion object {
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
        const val TAG_BYTES = 16
    }
}
