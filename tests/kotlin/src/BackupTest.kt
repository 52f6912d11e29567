package org.tessera.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.tessera.AutoBackupOutcome
import org.tessera.BackupDestination
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.readLatestBackup
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.StandardCopyOption
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.name
import kotlin.test.assertFailsWith
import kotlin.test.assertIs

/** A folder as an Android app's Storage Access Framework adapter would expose it, over java.nio. */
class FolderDestination(private val dir: Path) : BackupDestination {
    override fun write(name: String, bytes: ByteArray) {
        val tmp = dir.resolve(".$name.tmp")
        Files.write(tmp, bytes)
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING)
    }
    override fun read(name: String): ByteArray = Files.readAllBytes(dir.resolve(name))
    override fun list(): List<String> = dir.listDirectoryEntries().map { it.name }
    override fun delete(name: String) = Files.delete(dir.resolve(name))
}

/** Automatic backups through a destination written in Kotlin, and a restore into a fresh vault. */
class BackupTest {
    @Test
    fun changesAreCoalescedVerifiedRotatedAndRestored() {
        val folder = tempDir()
        val destination = FolderDestination(folder)
        Vault.create(tempVaultPath(), JvmKeyProvider(), FixedClock(1_800_000_000)).use { vault ->
            vault.enableAutoBackup("backup pw", 2u, folder.toString(), CHEAP_KDF)
            vault.add(otpAccount("ACME", "alice"))
            // The clock stands still: the change waits to be coalesced with the next ones.
            assertIs<AutoBackupOutcome.Waiting>(vault.backupIfDue(destination))
            for (digits in 7..8) vault.add(otpAccount("ACME", "alice$digits", digits = digits))
            assertIs<AutoBackupOutcome.Written>(vault.flushAutoBackup(destination))
            assertEquals(AutoBackupOutcome.UpToDate, vault.flushAutoBackup(destination))
            val status = vault.autoBackupStatus()
            assertTrue(status.enabled && !status.unbackedChanges && status.lastVerifiedAt != null, "$status")
            assertFalse(status.askForPassword)
            assertTrue(vault.testBackupPassword("backup pw"))
            assertFalse(vault.testBackupPassword("wrong"))
        }
        assertEquals(1, folder.listDirectoryEntries().size)
        // A fresh install: the newest backup, with the backup password only.
        assertFailsWith<TesseraException.WrongPassword> { readLatestBackup(destination, "nope") }
        val accounts = readLatestBackup(destination, "backup pw")
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { fresh ->
            fresh.addMany(accounts)
            assertEquals(3, fresh.list().size)
        }
    }
}
