package org.tessera.app.platform

import android.content.pm.PackageManager
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG
import androidx.biometric.BiometricPrompt
import androidx.core.content.ContextCompat
import androidx.fragment.app.FragmentActivity
import org.tessera.TesseraException
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey

/**
 * The Android-only half of the key adapters: key generation inside the Android Keystore
 * (StrongBox when the device has one) and the biometric prompt. The adapters themselves
 * ([KeystoreKeyProvider], [KeystorePushKeys]) are plain `java.security` code tested on the JVM.
 */
object AndroidKeystore {
    private fun store(): KeyStore = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }

    private fun hasStrongBox(context: android.content.Context) =
        Build.VERSION.SDK_INT >= 28 && context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)

    /** The vault's device slot: an AES-256-GCM key, bound to the user's biometrics when [biometric]. */
    fun vaultKeys(context: android.content.Context, biometric: Boolean, authorizer: CipherAuthorizer): KeystoreKeyProvider =
        aesKeys(context, "tessera-vault", biometric, authorizer)

    /**
     * The poll slot's key: AES-256-GCM that needs no user, since the background fetch can show
     * no prompt. It opens only core's poll slot, which holds no secret and cannot answer.
     */
    fun pollSlotKeys(context: android.content.Context): KeystoreKeyProvider =
        aesKeys(context, "tessera-pollslot", false, CipherAuthorizer.NONE)

    private fun aesKeys(context: android.content.Context, alias: String, biometric: Boolean, authorizer: CipherAuthorizer) =
        KeystoreKeyProvider(store(), alias, null, { alias ->
            fun spec(strongBox: Boolean) = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .apply { if (strongBox) setIsStrongBoxBacked(true) } // API 28+, only asked for there
                .apply {
                    if (biometric) {
                        setUserAuthenticationRequired(true)
                        setInvalidatedByBiometricEnrollment(true)
                        if (Build.VERSION.SDK_INT >= 30) setUserAuthenticationParameters(0, KeyProperties.AUTH_BIOMETRIC_STRONG)
                    }
                }.build()
            generateWithFallback(hasStrongBox(context)) { strongBox ->
                KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore").run { init(spec(strongBox)); generateKey() }
            }
        }, if (biometric) authorizer else CipherAuthorizer.NONE)

    /** Push device keys: RSA pairs generated in the Keystore, signing SHA256withRSA PKCS#1 v1.5. */
    fun pushKeys(context: android.content.Context): KeystorePushKeys = KeystorePushKeys(store(), null) { alias, bits ->
        fun spec(strongBox: Boolean) = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_SIGN)
            .setKeySize(bits)
            .setDigests(KeyProperties.DIGEST_SHA256)
            .setSignaturePaddings(KeyProperties.SIGNATURE_PADDING_RSA_PKCS1)
            .apply { if (strongBox) setIsStrongBoxBacked(true) }
            .build()
        generateWithFallback(hasStrongBox(context)) { strongBox ->
            KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_RSA, "AndroidKeyStore").run { initialize(spec(strongBox)); generateKeyPair() }
        }
    }

    // StrongBox chips refuse some sizes and may be busy: fall back to the TEE-backed Keystore.
    private fun <T> generateWithFallback(strongBox: Boolean, generate: (Boolean) -> T): T =
        if (!strongBox) generate(false) else try {
            generate(true)
        } catch (e: StrongBoxUnavailableException) {
            generate(false)
        }

    /**
     * Shows the biometric prompt for one use of the vault key and blocks the calling thread
     * (a background thread: vault calls never run on the main thread) until the user answers.
     */
    fun biometricAuthorizer(activity: FragmentActivity, title: String, cancel: String): CipherAuthorizer = CipherAuthorizer { cipher ->
        val result = CompletableFuture<Cipher>()
        ContextCompat.getMainExecutor(activity).execute {
            val prompt = BiometricPrompt(activity, ContextCompat.getMainExecutor(activity), object : BiometricPrompt.AuthenticationCallback() {
                override fun onAuthenticationSucceeded(r: BiometricPrompt.AuthenticationResult) {
                    result.complete(r.cryptoObject?.cipher ?: cipher)
                }
                override fun onAuthenticationError(code: Int, message: CharSequence) {
                    result.completeExceptionally(TesseraException.Cancelled())
                }
            })
            prompt.authenticate(
                BiometricPrompt.PromptInfo.Builder().setTitle(title).setNegativeButtonText(cancel)
                    .setAllowedAuthenticators(BIOMETRIC_STRONG).build(),
                BiometricPrompt.CryptoObject(cipher),
            )
        }
        try {
            result.get()
        } catch (e: ExecutionException) {
            throw e.cause ?: TesseraException.Cancelled()
        }
    }
}
