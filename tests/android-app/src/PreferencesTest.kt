package org.tessera.app.tests

import org.junit.jupiter.api.Test
import org.tessera.LockTimeout
import org.tessera.defaultLockTimeout
import org.tessera.lockTimeoutChoices
import org.tessera.app.model.AppLock
import org.tessera.app.model.PreferenceStore
import org.tessera.app.model.Preferences
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class PreferencesTest {
    @Test
    fun screenshotsAreBlockedUntilTheUserAllowsThem() {
        val file = File(tempDir(), "prefs.properties")
        val store = PreferenceStore(file)
        assertTrue(store.load().secureScreen, "FLAG_SECURE by default")
        assertEquals(defaultLockTimeout(), store.load().lockTimeout, "core's default")
        for (timeout in lockTimeoutChoices()) {
            store.save(Preferences(secureScreen = false, lockTimeout = timeout, biometricUnlock = true, backgroundPush = false))
            assertEquals(Preferences(false, timeout, true, false), PreferenceStore(file).load(), "$timeout is kept")
        }
        assertEquals(listOf("prefs.properties"), file.parentFile.list()!!.toList(), "no temporary file is left behind")
    }

    @Test
    fun aDamagedFileGivesTheSafeDefaults() {
        val file = File(tempDir(), "prefs.properties")
        file.writeText("secureScreen=maybe\nlockTimeout=-5\n\u0000garbage")
        val prefs = PreferenceStore(file).load()
        assertTrue(prefs.secureScreen)
        assertEquals(Preferences().lockTimeout, prefs.lockTimeout)
    }

    @Test
    fun theAppLocksAfterTheChosenTimeInTheBackground() {
        var timeout: LockTimeout = LockTimeout.After(60u)
        val lock = AppLock { timeout }
        assertFalse(lock.onForeground(1_000), "a first start is not a return from the background")
        assertFalse(lock.onBackground(10_000), "a minute's timeout does not lock on leaving")
        assertFalse(lock.onForeground(69_999), "59.999 s away")
        lock.onBackground(100_000)
        assertTrue(lock.onForeground(160_000), "60 s away")
        timeout = LockTimeout.Immediately
        assertTrue(lock.onBackground(200_000), "immediately: locks as the app is left")
        timeout = LockTimeout.Never
        lock.onBackground(300_000)
        assertFalse(lock.onForeground(300_000 + 30L * 24 * 3600 * 1000), "never: not even after a month")
    }
}
