package org.tessera.app.model

import java.io.File
import java.nio.file.Files
import java.nio.file.StandardCopyOption
import java.util.Properties

/** The app's own preferences (none of them secret). */
data class Preferences(
    /** Block screenshots and the recent-apps preview (`FLAG_SECURE`). On unless the user turns it off. */
    val secureScreen: Boolean = true,
    /** Lock the vault after the app was in the background this long (seconds); 0 locks at once. */
    val lockAfterSeconds: Int = 60,
    /** Bind the device key to biometric authentication (takes effect when the key is next made). */
    val biometricUnlock: Boolean = false,
    /** Fetch push requests in the background (WorkManager). */
    val backgroundPush: Boolean = true,
)

/**
 * Keeps [Preferences] in a properties file, written atomically (a temporary file renamed over
 * the old one), so a crash mid-write never leaves half a file. A missing or unreadable file
 * gives the defaults.
 */
class PreferenceStore(private val file: File) {
    /** The stored preferences, or the defaults. */
    fun load(): Preferences {
        val p = Properties()
        try {
            file.inputStream().use { p.load(it) }
        } catch (e: java.io.IOException) {
            return Preferences()
        }
        val d = Preferences()
        return Preferences(
            secureScreen = p.getProperty("secureScreen")?.toBooleanStrictOrNull() ?: d.secureScreen,
            lockAfterSeconds = p.getProperty("lockAfterSeconds")?.toIntOrNull()?.takeIf { it >= 0 } ?: d.lockAfterSeconds,
            biometricUnlock = p.getProperty("biometricUnlock")?.toBooleanStrictOrNull() ?: d.biometricUnlock,
            backgroundPush = p.getProperty("backgroundPush")?.toBooleanStrictOrNull() ?: d.backgroundPush,
        )
    }

    /** Stores [prefs]. */
    fun save(prefs: Preferences) {
        val p = Properties().apply {
            setProperty("secureScreen", prefs.secureScreen.toString())
            setProperty("lockAfterSeconds", prefs.lockAfterSeconds.toString())
            setProperty("biometricUnlock", prefs.biometricUnlock.toString())
            setProperty("backgroundPush", prefs.backgroundPush.toString())
        }
        file.parentFile?.mkdirs()
        val temp = File.createTempFile("prefs", ".tmp", file.absoluteFile.parentFile)
        try {
            temp.outputStream().use { out -> p.store(out, null); out.fd.sync() }
            Files.move(temp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING)
        } finally {
            temp.delete()
        }
    }
}
