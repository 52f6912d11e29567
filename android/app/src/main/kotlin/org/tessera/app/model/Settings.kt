package org.tessera.app.model

import java.io.File
import java.nio.file.Files
import java.nio.file.StandardCopyOption
import java.util.Properties
import org.tessera.LockTimeout
import org.tessera.defaultLockTimeout

// A lock timeout in the file: "immediately", "never" or whole seconds.
private fun textOf(timeout: LockTimeout) = when (timeout) {
    LockTimeout.Immediately -> "immediately"
    LockTimeout.Never -> "never"
    is LockTimeout.After -> timeout.seconds.toString()
}

private fun timeoutOf(text: String): LockTimeout? = when (text) {
    "immediately" -> LockTimeout.Immediately
    "never" -> LockTimeout.Never
    else -> text.toUIntOrNull()?.let { LockTimeout.After(it) }
}

/** What a lock timeout is called in settings ("at once", "after 5 min", "never"). */
fun describeTimeout(timeout: LockTimeout): String = when (timeout) {
    LockTimeout.Immediately -> "at once"
    LockTimeout.Never -> "never"
    is LockTimeout.After -> timeout.seconds.toLong().let { s -> if (s < 60) "after $s s" else "after ${s / 60} min" + if (s % 60 != 0L) " ${s % 60} s" else "" }
}

/** The app's own preferences (none of them secret). */
data class Preferences(
    /** Block screenshots and the recent-apps preview (`FLAG_SECURE`). On unless the user turns it off. */
    val secureScreen: Boolean = true,
    /** How long the app may be left before it locks the vault (core's choices and default). */
    val lockTimeout: LockTimeout = defaultLockTimeout(),
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
            lockTimeout = p.getProperty("lockTimeout")?.let(::timeoutOf) ?: d.lockTimeout,
            biometricUnlock = p.getProperty("biometricUnlock")?.toBooleanStrictOrNull() ?: d.biometricUnlock,
            backgroundPush = p.getProperty("backgroundPush")?.toBooleanStrictOrNull() ?: d.backgroundPush,
        )
    }

    /** Stores [prefs]. */
    fun save(prefs: Preferences) {
        val p = Properties().apply {
            setProperty("secureScreen", prefs.secureScreen.toString())
            setProperty("lockTimeout", textOf(prefs.lockTimeout))
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
