package org.tessera.app.tests

import org.junit.jupiter.api.Test
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
        store.save(Preferences(secureScreen = false, lockAfterSeconds = 300, biometricUnlock = true, backgroundPush = false))
        assertEquals(Preferences(false, 300, true, false), PreferenceStore(file).load())
        assertEquals(listOf("prefs.properties"), file.parentFile.list()!!.toList(), "no temporary file is left behind")
    }

    @Test
    fun aDamagedFileGivesTheSafeDefaults() {
        val file = File(tempDir(), "prefs.properties")
        file.writeText("secureScreen=maybe\nlockAfterSeconds=-5\n\u0000garbage")
        val prefs = PreferenceStore(file).load()
        assertTrue(prefs.secureScreen)
        assertEquals(Preferences().lockAfterSeconds, prefs.lockAfterSeconds)
    }

    @Test
    fun theAppLocksAfterTheChosenTimeInTheBackground() {
        var after = 60
        val lock = AppLock { after }
        assertFalse(lock.onForeground(1_000), "a first start is not a return from the background")
        lock.onBackground(10_000)
        assertFalse(lock.onForeground(69_999), "59.999 s away")
        lock.onBackground(100_000)
        assertTrue(lock.onForeground(160_000), "60 s away")
        after = 0
        lock.onBackground(200_000)
        assertTrue(lock.onForeground(200_000), "0: locks at once")
    }
}
