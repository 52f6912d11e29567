package org.tessera.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.tessera.DeviceKeyFailure
import org.tessera.KeyProvider
import org.tessera.TesseraException
import org.tessera.UnlockMethod
import org.tessera.Unlocker
import org.tessera.Vault
import org.tessera.vaultStatus
import java.io.RandomAccessFile
import kotlin.test.assertFailsWith

/**
 * Core's unlock policy as an Android unlock screen drives it: the device key first, the
 * password when core says it is required, a lost device key registered again afterwards.
 */
class UnlockTest {
    /** A vault with one account and a password; returns its path. */
    private fun vaultWithPassword(keys: KeyProvider): String {
        val path = tempVaultPath()
        Vault.create(path, keys).use { vault ->
            vault.add(otpAccount("ACME", "alice"))
            vault.setPassword("correct horse", CHEAP_KDF)
        }
        return path
    }

    @Test
    fun statusTellsTheFirstScreenBeforeUnlocking() {
        val path = tempVaultPath()
        val none = vaultStatus(path)
        assertFalse(none.exists)
        assertFalse(none.hasPassword)
        val keys = JvmKeyProvider()
        Vault.create(path, keys).use { it.add(otpAccount("ACME", "alice")) }
        val fresh = vaultStatus(path)
        assertTrue(fresh.exists && fresh.hasDeviceKey && !fresh.hasPassword && !fresh.newerVersion, "$fresh")
        Unlocker(path, keys).use { unlocker ->
            unlocker.unlock().vault.use { vault -> vault.setPassword("pw", CHEAP_KDF) }
            assertTrue(unlocker.status().hasPassword)
        }
        val text = tempDir().resolve("notes.txt").toFile().apply { writeText("just some text, not a vault") }
        assertFailsWith<TesseraException.InvalidInput> { vaultStatus(text.path) }
    }

    @Test
    fun theDeviceKeyUnlocksWithoutAPassword() {
        val keys = JvmKeyProvider()
        val path = vaultWithPassword(keys)
        Unlocker(path, keys).use { unlocker ->
            val result = unlocker.unlock()
            result.vault.use { vault -> assertEquals(listOf("alice"), vault.list().map { it.label }) }
            assertEquals(UnlockMethod.DEVICE_KEY, result.method)
            assertFalse(result.deviceKeyRenewed)
            assertNull(unlocker.deviceKeyFailure())
        }
    }

    @Test
    fun aCancellingKotlinKeyProviderFallsBackToThePassword() {
        val keys = JvmKeyProvider()
        val path = vaultWithPassword(keys)
        Unlocker(path, CancelledKeyProvider()).use { unlocker ->
            assertFailsWith<TesseraException.PasswordRequired> { unlocker.unlock() }
            assertEquals(DeviceKeyFailure.Cancelled, unlocker.deviceKeyFailure())
            assertFailsWith<TesseraException.WrongPassword> { unlocker.unlock("wrong") }
            val result = unlocker.unlock("correct horse")
            result.vault.use { vault -> assertEquals(1, vault.list().size) }
            assertEquals(UnlockMethod.PASSWORD, result.method)
            // Cancelling says nothing about the key: it stays registered.
            assertFalse(result.deviceKeyRenewed)
        }
        Unlocker(path, keys).use { assertEquals(UnlockMethod.DEVICE_KEY, it.unlock().method) }
    }

    @Test
    fun aLostDeviceKeyIsRegisteredAgainAfterThePassword() {
        val path = vaultWithPassword(JvmKeyProvider())
        // The Keystore key was invalidated; the app's provider now holds a new key.
        val newKeys = JvmKeyProvider()
        Unlocker(path, newKeys).use { unlocker ->
            assertFailsWith<TesseraException.PasswordRequired> { unlocker.unlock() }
            assertEquals(DeviceKeyFailure.Lost, unlocker.deviceKeyFailure())
            val result = unlocker.unlock("correct horse")
            result.vault.close()
            assertTrue(result.deviceKeyRenewed)
            assertNull(result.deviceKeyProblem)
        }
        Unlocker(path, newKeys).use { unlocker ->
            val result = unlocker.unlock()
            result.vault.close()
            assertEquals(UnlockMethod.DEVICE_KEY, result.method)
        }
    }

    @Test
    fun withoutAPasswordCancelledAndLostAreDistinct() {
        val path = tempVaultPath()
        Vault.create(path, JvmKeyProvider()).close()
        Unlocker(path, CancelledKeyProvider()).use { unlocker ->
            assertFailsWith<TesseraException.Cancelled> { unlocker.unlock() }
        }
        Unlocker(path, JvmKeyProvider()).use { unlocker ->
            val lost = assertFailsWith<TesseraException.KeyLost> { unlocker.unlock() }
            assertFalse(lost.reason.contains("tessera "), lost.reason)
        }
    }

    @Test
    fun aVaultFromANewerVersionAsksForAnUpdate() {
        val keys = JvmKeyProvider()
        val path = vaultWithPassword(keys)
        // SQLite's user_version (header offset 60) raised past what this library reads.
        RandomAccessFile(path, "rw").use { file ->
            file.seek(60)
            file.writeInt(9999)
        }
        assertTrue(vaultStatus(path).newerVersion)
        Unlocker(path, keys).use { unlocker ->
            assertFailsWith<TesseraException.NewerVersion> { unlocker.unlock() }
            assertFailsWith<TesseraException.NewerVersion> { unlocker.unlock("correct horse") }
        }
    }
    @Test
    fun theRecoveryKeyOpensTheVaultWhenTheKeyIsGoneAndThePasswordForgotten() {
        val oldPhone = JvmKeyProvider()
        val path = vaultWithPassword(oldPhone)
        val printed = Unlocker(path, oldPhone).use { it.unlock().vault.use { vault -> vault.createRecoveryKey() } }
        assertEquals(7, printed.split("-").size, "seven groups")
        assertTrue(vaultStatus(path).hasRecoveryKey)
        val newPhone = JvmKeyProvider()
        Unlocker(path, newPhone).use { unlocker ->
            assertFailsWith<TesseraException.PasswordRequired> { unlocker.unlock() }
            // One symbol mistyped: caught by the check symbols, nothing changes.
            val typo = printed.replaceRange(0, 1, if (printed[0] == 'A') "B" else "A")
            val invalid = assertFailsWith<TesseraException.InvalidInput> { unlocker.unlockWithRecoveryKey(typo) }
            assertTrue(invalid.reason.contains("typing error"), invalid.reason)
            assertFalse(invalid.reason.contains(printed.substring(5, 9)), "the key is repeated")
            val result = unlocker.unlockWithRecoveryKey(printed.lowercase().replace("-", " "))
            assertEquals(UnlockMethod.RECOVERY_KEY, result.method)
            assertTrue(result.deviceKeyRenewed)
            result.vault.use { vault ->
                assertEquals(listOf("alice"), vault.list().map { it.label })
                vault.setPassword("a new one", CHEAP_KDF)
                vault.revokeRecoveryKey()
                assertFalse(vault.hasRecoveryKey())
            }
        }
        Unlocker(path, newPhone).use { assertEquals(UnlockMethod.DEVICE_KEY, it.unlock().method) }
        Unlocker(path, JvmKeyProvider()).use { unlocker ->
            runCatching { unlocker.unlock() }
            assertFailsWith<TesseraException.InvalidInput> { unlocker.unlockWithRecoveryKey(printed) }
        }
    }
}
