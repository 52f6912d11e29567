package org.tessera.tests

import org.tessera.Clock
import org.tessera.KdfParams
import org.tessera.KeyProvider
import org.tessera.OtpAccount
import org.tessera.OtpKind
import org.tessera.OtpParams
import org.tessera.Algorithm
import org.tessera.TesseraException
import java.nio.file.Files
import java.nio.file.Path
import java.security.SecureRandom
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * A device key the way an Android app writes one against the Keystore: AES-256-GCM with a key
 * the app never exports (here a JVM key), IV prepended. A wrong key is reported as WrongKey.
 */
class JvmKeyProvider(
    private val deviceKey: SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey(),
) : KeyProvider {
    var unwrapCalls = 0
        private set

    override fun wrap(key: ByteArray): ByteArray {
        val iv = ByteArray(12).also { SecureRandom().nextBytes(it) }
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, deviceKey, GCMParameterSpec(128, iv))
        val sealed = cipher.doFinal(key)
        key.fill(0)
        return iv + sealed
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        unwrapCalls++
        if (wrapped.size < 12 + 16) throw TesseraException.WrongKey()
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.DECRYPT_MODE, deviceKey, GCMParameterSpec(128, wrapped, 0, 12))
        try {
            return cipher.doFinal(wrapped, 12, wrapped.size - 12)
        } catch (e: AEADBadTagException) {
            throw TesseraException.WrongKey()
        }
    }
}

/** A keystore that blows up the way buggy platform code does: not with a TesseraException. */
class ExplodingKeyProvider : KeyProvider {
    override fun wrap(key: ByteArray): ByteArray = throw IllegalStateException("keystore exploded")
    override fun unwrap(wrapped: ByteArray): ByteArray = throw NullPointerException()
}

/** A keystore whose user dismissed the biometric prompt. */
class CancelledKeyProvider : KeyProvider {
    override fun wrap(key: ByteArray): ByteArray = throw TesseraException.Cancelled()
    override fun unwrap(wrapped: ByteArray): ByteArray = throw TesseraException.Cancelled()
}

class FixedClock(private val time: Long) : Clock {
    override fun nowUnix(): ULong = time.toULong()
}

/** The cheapest Argon2id cost the FFI accepts: OWASP's last row, 7 MiB × 5 passes (the default is 64 MiB × 3). */
val CHEAP_KDF = KdfParams(memoryKib = 7168u, iterations = 5u, parallelism = 1u)

fun tempVaultPath(): String {
    val dir = Files.createTempDirectory("tessera-kotlin")
    dir.toFile().deleteOnExit()
    return dir.resolve("vault.db").toString()
}

fun tempDir(): Path = Files.createTempDirectory("tessera-kotlin")

fun otpAccount(
    issuer: String,
    label: String,
    secret: String = RFC_SHA1,
    kind: OtpKind = OtpKind.TOTP,
    digits: Int = 6,
    counter: Long = 0,
) = OtpAccount(
    issuer = issuer,
    label = label,
    secretBase32 = secret,
    params = OtpParams(kind, Algorithm.SHA1, digits.toUByte(), 30u, counter.toULong()),
)
