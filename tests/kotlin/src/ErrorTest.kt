package org.tessera.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.tessera.AddOutcome
import org.tessera.KdfParams
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.importIntoVault
import java.io.RandomAccessFile
import kotlin.test.assertFailsWith

/** Every variant of TesseraException, each produced by a real failure. */
class ErrorTest {
    @Test
    fun everyErrorVariantArrivesAsItsTypedException() {
        val path = tempVaultPath()
        val keys = JvmKeyProvider()
        Vault.create(path, keys).use { vault ->
            val id = vault.add(otpAccount("ACME", "alice"))
            assertFailsWith<TesseraException.InvalidInput> { vault.addUri("otpauth://totp/x") }
            assertFailsWith<TesseraException.Duplicate> { vault.add(otpAccount("Again", "alice")) }
            assertFailsWith<TesseraException.NotFound> { vault.accountInfo("8c5a1a8e-3f6b-4c1e-9a51-7d2f00000000") }
            // Below OWASP's Argon2id floor (19 MiB needs 2 passes): refused, nothing set.
            val weak = KdfParams(memoryKib = 19456u, iterations = 1u, parallelism = 1u)
            assertFailsWith<TesseraException.InvalidInput> { vault.setPassword("pw", weak) }
            assertFailsWith<TesseraException.InvalidInput> { vault.exportBackup("pw", weak) }
            assertFalse(vault.hasPassword())
            val backup = vault.exportBackup("pw", CHEAP_KDF)
            assertFailsWith<TesseraException.WrongPassword> { importIntoVault(vault, backup, password = "wrong") }
            assertFailsWith<TesseraException.PasswordRequired> { importIntoVault(vault, backup) }
            backup[backup.size - 1] = (backup[backup.size - 1].toInt() xor 1).toByte()
            assertFailsWith<TesseraException.InvalidInput> { importIntoVault(vault, backup, password = "pw") }
            assertFailsWith<TesseraException.Platform> { vault.setKeyProvider(ExplodingKeyProvider()) }
            assertFailsWith<TesseraException.Cancelled> { vault.setKeyProvider(CancelledKeyProvider()) }
            vault.lock()
            assertFailsWith<TesseraException.Locked> { vault.accountInfo(id) }
        }
        assertFailsWith<TesseraException.WrongKey> { Vault.open(path, JvmKeyProvider()) }
        assertFailsWith<TesseraException.Storage> {
            Vault.create(tempDir().resolve("missing/dir/vault.db").toString(), keys)
        }
        // A vault written by a newer Tessera: SQLite's user_version (header offset 60) raised.
        RandomAccessFile(path, "rw").use { file ->
            file.seek(60)
            file.writeInt(9999)
        }
        val newer = assertFailsWith<TesseraException.NewerVersion> { Vault.open(path, keys) }
        assertTrue(newer.reason.contains("newer"), newer.reason)
    }

    @Test
    fun throwingKeyProviderNeitherCrashesNorCorruptsTheVault() {
        val path = tempVaultPath()
        val keys = JvmKeyProvider()
        val failedCreate = tempVaultPath()
        val e = assertFailsWith<TesseraException.Platform> { Vault.create(failedCreate, ExplodingKeyProvider()) }
        assertTrue(e.reason.contains("keystore exploded"), e.reason)
        Vault.create(failedCreate, keys).close() // the interrupted create left nothing in the way

        Vault.create(path, keys).use { vault ->
            vault.add(otpAccount("ACME", "alice"))
            assertFailsWith<TesseraException.Platform> { vault.setKeyProvider(ExplodingKeyProvider()) }
            assertEquals(1, vault.list().size, "the vault still works after the failed callback")
        }
        repeat(3) { assertFailsWith<TesseraException.Platform> { Vault.open(path, ExplodingKeyProvider()) } }
        assertFailsWith<TesseraException.Cancelled> { Vault.open(path, CancelledKeyProvider()) }
        Vault.open(path, keys).use { vault ->
            assertEquals(listOf("alice"), vault.list().map { it.label })
            assertEquals(1, vault.codesAt(59uL).count { it.code != null })
        }
    }

    @Test
    fun throwingKotlinClockFailsTheCallButNotTheVault() {
        val clock = object : org.tessera.Clock {
            override fun nowUnix(): ULong = error("clock service down")
        }
        Vault.create(tempVaultPath(), JvmKeyProvider(), clock).use { vault ->
            vault.add(otpAccount("ACME", "alice"))
            assertFailsWith<TesseraException.Platform> { vault.codes() }
            assertEquals(1, vault.codesAt(59uL).size)
        }
    }

    @Test
    fun errorMessagesNeverCarryTheSecret() {
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            vault.add(otpAccount("ACME", "alice"))
            val dup = assertFailsWith<TesseraException.Duplicate> { vault.add(otpAccount("B", "b")) }
            assertFalse(dup.reason.contains(RFC_SHA1), dup.reason)
            val outcomes = vault.addMany(listOf(otpAccount("C", "c", secret = "JBSWY3DPEHPK3PX1")))
            val rejected = outcomes.single() as AddOutcome.Rejected
            assertFalse(rejected.reason.contains("JBSWY3DPEHPK3PX1"), rejected.reason)
        }
    }
}
