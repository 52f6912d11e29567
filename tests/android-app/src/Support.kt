package org.tessera.app.tests

import org.tessera.app.platform.KeystoreKeyProvider
import org.tessera.app.platform.KeystorePushKeys
import java.io.File
import java.nio.file.Files
import java.security.KeyStore
import javax.crypto.KeyGenerator

fun tempDir(): File = Files.createTempDirectory("tessera-android-app").toFile()

/**
 * A PKCS#12 key store file standing in for the Android Keystore: the adapters under test are
 * the app's own classes, only key generation differs (on a phone it happens inside the
 * Keystore; here the JDK generates and the file stores).
 */
class Pkcs12Store(val file: File = File(tempDir(), "keys.p12"), val password: CharArray = "store-pass".toCharArray()) {
    val store: KeyStore = KeyStore.getInstance("PKCS12").apply {
        if (file.exists()) file.inputStream().use { load(it, password) } else load(null, password)
    }

    fun save() = file.outputStream().use { store.store(it, password) }

    /** The vault's device slot over this store, its AES-256 key created on first use. */
    fun keyProvider(alias: String = "vault", authorizer: org.tessera.app.platform.CipherAuthorizer = org.tessera.app.platform.CipherAuthorizer.NONE) =
        KeystoreKeyProvider(store, alias, password, { a ->
            val key = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
            store.setEntry(a, KeyStore.SecretKeyEntry(key), KeyStore.PasswordProtection(password))
            save()
            key
        }, authorizer)

    /**
     * Push device keys over this store. A PKCS#12 private key needs a certificate, which the
     * JDK only makes through keytool (the Android Keystore makes its own): keytool generates
     * the pair into the file, which is then read again.
     */
    fun pushKeys() = KeystorePushKeys(store, password) { alias, bits ->
        save()
        val keytool = File(System.getProperty("java.home"), "bin/keytool").path
        val process = ProcessBuilder(
            keytool, "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "$bits",
            "-sigalg", "SHA256withRSA", "-dname", "CN=Tessera push device key", "-validity", "3650",
            "-storetype", "PKCS12", "-keystore", file.path, "-storepass", String(password),
        ).redirectErrorStream(true).start()
        val output = process.inputStream.bufferedReader().readText()
        check(process.waitFor() == 0) { "keytool failed: $output" }
        file.inputStream().use { store.load(it, password) }
    }
}

/** The privacyIDEA of run.sh, driven through tests/privacyidea/pi_admin.py (the login side). */
object PrivacyIdea {
    private val python: String? = System.getenv("TESSERA_PI_ADMIN_PY")

    /** The enrollment URI and user of a push fixture of run.sh, or null (with the reason printed). */
    fun fixture(name: String): Pair<String, String>? {
        val user = System.getenv("TESSERA_PI_PUSH_USER_$name")
        val uri = System.getenv("TESSERA_PI_PUSH_URI_$name")
        if (python == null || user == null || uri == null) {
            println("SKIPPED: no privacyIDEA push fixture '$name' (TESSERA_PI_* unset: run via tests/run-all.sh or start tests/privacyidea/server.sh)")
            return null
        }
        return user to uri
    }

    /** `/validate/check`: the words pi_admin.py prints (AUTH [TXID [NUMBER]]). */
    fun check(user: String, pass: String, transaction: String? = null): List<String> {
        val args = mutableListOf(python!!, "tests/privacyidea/pi_admin.py", "check", user, pass)
        if (transaction != null) args += transaction
        val process = ProcessBuilder(args).redirectErrorStream(true).start()
        val output = process.inputStream.bufferedReader().readText().trim()
        check(process.waitFor() == 0) { "pi_admin.py check failed: $output" }
        return output.split(" ")
    }
}
