package org.tessera.app.tests

import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.tessera.Algorithm
import org.tessera.KdfParams
import org.tessera.OtpAccount
import org.tessera.OtpKind
import org.tessera.OtpParams
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.app.model.BackupModel
import org.tessera.app.model.BackupReminder
import org.tessera.app.model.Session
import org.tessera.app.platform.HttpPushTransport
import org.tessera.app.platform.DocumentFolder
import org.tessera.app.platform.FolderBackupDestination
import java.io.File
import java.io.IOException
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * A directory behaving as a Storage Access Framework folder does: creating a name that exists
 * gives the new file another name (`x (1).y`), and renaming can be switched off (providers
 * that do not support it). The app's `SafFolder` is the same five calls over `DocumentFile`.
 */
class DirectoryFolder(val dir: File, private val canRename: Boolean = true) : DocumentFolder {
    override fun names(): List<String> = dir.list()?.sorted() ?: throw IOException("no such folder")
    override fun read(name: String): ByteArray? = File(dir, name).takeIf { it.isFile }?.readBytes()
    override fun create(name: String, bytes: ByteArray): String {
        var file = File(dir, name)
        var n = 0
        while (file.exists()) file = File(dir, name.substringBeforeLast('.') + " (${++n})." + name.substringAfterLast('.'))
        file.writeBytes(bytes)
        return file.name
    }
    override fun rename(from: String, to: String): Boolean = canRename && File(dir, from).renameTo(File(dir, to))
    override fun delete(name: String): Boolean = File(dir, name).delete()
}

// The Kotlin suite's cheap Argon2id cost: the app uses core's default, which takes seconds in a debug build.
private val CHEAP = KdfParams(memoryKib = 7168u, iterations = 5u, parallelism = 1u)

private fun totp(issuer: String, secret: String) =
    OtpAccount(issuer = issuer, label = "alice", secretBase32 = secret, params = OtpParams(OtpKind.TOTP, Algorithm.SHA1, 6u, 30u, 0uL))

class BackupModelTest {
    private fun folders(path: String): DocumentFolder = DirectoryFolder(File(path))

    @Test
    fun aChangeIsBackedUpAtTheTimeCoreNamesVerifiedAndRestoredIntoAFreshVault(): Unit = runBlocking {
        val folder = tempDir()
        val time = TestTime(1_800_000_000)
        Vault.create(File(tempDir(), "vault.db").path, Pkcs12Store().keyProvider(), time).use { vault ->
            val backup = BackupModel(vault, ::folders, time, kdf = CHEAP)
            backup.load()
            assertEquals(false, backup.state.value.status?.enabled, "off until the user picks a folder")
            assertEquals(BackupReminder.Off, backup.state.value.reminder)
            backup.enable("backup password", folder.path)
            val first = assertNotNull(backup.state.value.status, backup.state.value.error)
            assertTrue(first.enabled && first.lastVerifiedAt == 1_800_000_000uL && !first.unbackedChanges, "$first")
            assertEquals(folder.path, first.destination, "core remembers the folder")
            assertEquals(BackupReminder.UpToDate(1_800_000_000), backup.state.value.reminder)
            val written = folder.list()!!.toList()
            assertEquals(1, written.size, "the first backup is written at once: $written")

            // The session's loop, started once backups are on (before, it has nothing to do).
            val job = launch { backup.run() }
            vault.add(totp("Example", "JBSWY3DPEHPK3PXP"))
            backup.changed()
            // Core coalesces changes: the model sleeps until the time core names, not a time of its own.
            val due = time.asked.receive()
            assertTrue(due > 1_800_000_000, "due at $due")
            backup.load()
            assertEquals(BackupReminder.Pending(1_800_000_000), backup.state.value.reminder, "the change waits for its backup")
            time.wakeAt(due)
            val after = backup.state.first { it.status?.lastVerifiedAt == due.toULong() }.status!!
            assertFalse(after.unbackedChanges)
            assertNull(after.lastFailure)
            assertEquals(2, folder.list()!!.size)
            assertTrue(folder.list()!!.none { it.endsWith(".partial") }, "no temporary file is left behind")
            job.cancel()
        }

        // A fresh install: the newest backup, with the backup password only.
        Vault.create(File(tempDir(), "fresh.db").path, Pkcs12Store().keyProvider()).use { fresh ->
            val restore = BackupModel(fresh, ::folders, kdf = CHEAP)
            restore.restoreFrom(folder.path, "not the password")
            assertNotNull(restore.state.value.error)
            assertTrue(fresh.list().isEmpty(), "a wrong password changes nothing")
            restore.restoreFrom(folder.path, "backup password")
            assertNull(restore.state.value.error)
            assertEquals(listOf("Example"), fresh.list().map { it.issuer })
        }
    }

    @Test
    fun theBackupPasswordIsCheckedWhenTheStatusAsks(): Unit = runBlocking {
        val folder = tempDir()
        val time = TestTime(1_800_000_000)
        Vault.create(File(tempDir(), "vault.db").path, Pkcs12Store().keyProvider(), time).use { vault ->
            val backup = BackupModel(vault, ::folders, time, kdf = CHEAP)
            backup.enable("backup password", folder.path)
            // A season later: core wants the user to prove they still know the password.
            time.now.set(1_800_000_000L + 100 * 24 * 3600)
            backup.load()
            assertEquals(BackupReminder.CheckPassword, backup.state.value.reminder)
            backup.testPassword("a guess")
            assertNotNull(backup.state.value.error)
            assertEquals(BackupReminder.CheckPassword, backup.state.value.reminder, "a wrong guess proves nothing")
            backup.testPassword("backup password")
            assertNull(backup.state.value.error)
            assertEquals(BackupReminder.UpToDate(1_800_000_000), backup.state.value.reminder)
            backup.disable()
            assertEquals(false, backup.state.value.status?.enabled)
            assertEquals(1, folder.list()!!.size, "switching off leaves the backups where they are")
        }
    }

    @Test
    fun aFolderThatFailsIsInCoresStatusAndNothingElseBreaks(): Unit = runBlocking {
        // A full disk or a revoked permission: faults a real folder cannot be made to produce here (tests run as root).
        val broken = object : DocumentFolder {
            override fun names() = emptyList<String>()
            override fun read(name: String): ByteArray? = null
            override fun create(name: String, bytes: ByteArray): String = throw IOException("no space left")
            override fun rename(from: String, to: String) = false
            override fun delete(name: String) = false
        }
        Vault.create(File(tempDir(), "vault.db").path, Pkcs12Store().keyProvider()).use { vault ->
            val backup = BackupModel(vault, { broken }, kdf = CHEAP)
            backup.enable("backup password", "content://a-folder")
            val status = backup.state.value.status!!
            assertTrue(status.enabled)
            assertNull(status.lastVerifiedAt)
            assertContains(status.lastFailure ?: "", "no space left", message = "the folder's reason reaches the status")
            assertTrue(status.unbackedChanges)
            assertEquals(BackupReminder.Failing(status.lastFailure!!, null), backup.state.value.reminder, "a failure comes first")
        }
    }

    @Test
    fun aSafFolderGetsWholeFilesUnderTheirOwnNames() {
        val name = "tessera-auto-000000000001-000001.tsrbackup"
        val bytes = ByteArray(3000) { (it % 251).toByte() }

        val dir = tempDir()
        File(dir, "$name.partial").writeText("left by an interrupted write")
        File(dir, name).writeText("an older file by the same name")
        val destination = FolderBackupDestination(DirectoryFolder(dir))
        destination.write(name, bytes)
        assertEquals(listOf(name), destination.list(), "replaced, and nothing else left")
        assertTrue(bytes.contentEquals(destination.read(name)))

        val noRename = tempDir()
        FolderBackupDestination(DirectoryFolder(noRename, canRename = false)).write(name, bytes)
        assertEquals(listOf(name), noRename.list()!!.toList(), "a provider that cannot rename gets it written in place")
        assertTrue(bytes.contentEquals(File(noRename, name).readBytes()))

        val missing = assertFailsWith<TesseraException.Platform> { destination.read("tessera-auto-gone.tsrbackup") }
        assertContains(missing.message ?: "", "tessera-auto-gone.tsrbackup")
        assertFailsWith<TesseraException.Platform> { destination.write("../outside.tsrbackup", bytes) }
        assertFalse(File(dir.parentFile, "outside.tsrbackup").exists())

        // A provider that always renames what it creates: refused, and its file removed.
        val renaming = tempDir()
        val stubborn = object : DocumentFolder by DirectoryFolder(renaming) {
            override fun create(name: String, bytes: ByteArray): String = DirectoryFolder(renaming).create("$name.bin", bytes)
        }
        assertFailsWith<TesseraException.Platform> { FolderBackupDestination(stubborn).write(name, bytes) }
        assertEquals(emptyList(), renaming.list()!!.toList())

        val revoked = object : DocumentFolder by DirectoryFolder(dir) {
            override fun names(): List<String> = throw SecurityException("Permission Denial: content://…")
        }
        val error = assertFailsWith<TesseraException.Platform> { FolderBackupDestination(revoked).list() }
        assertContains(error.message ?: "", "choose it again")
    }

    @Test
    fun aRecoveryKeyIsShownOnceAndOneNobodyWroteDownIsNotKept(): Unit = runBlocking {
        Vault.create(File(tempDir(), "vault.db").path, Pkcs12Store().keyProvider()).use { vault ->
            val backup = BackupModel(vault, ::folders, kdf = CHEAP)
            backup.createRecoveryKey()
            val key = assertNotNull(backup.state.value.newRecoveryKey, backup.state.value.error)
            assertEquals(7, key.text.split('-').size, "seven groups, as core prints it")
            assertFalse(backup.state.value.toString().contains(key.text), "the state prints without the key")
            assertTrue(vault.hasRecoveryKey())
            backup.confirmRecoveryKeyWritten()
            assertNull(backup.state.value.newRecoveryKey, "shown once")
            assertTrue(backup.state.value.hasRecoveryKey)

            backup.createRecoveryKey()
            backup.discardRecoveryKey()
            assertNull(backup.state.value.newRecoveryKey)
            assertFalse(backup.state.value.hasRecoveryKey)
            assertFalse(vault.hasRecoveryKey(), "a key nobody wrote down does not stay a way in")
        }
    }

    @Test
    fun everyChangeMadeThroughTheSessionsModelsReachesTheBackup(): Unit = runBlocking {
        val folder = tempDir()
        val time = TestTime(1_800_000_000)
        val keys = Pkcs12Store()
        val vault = Vault.create(File(tempDir(), "vault.db").path, keys.keyProvider(), time)
        vault.enableAutoBackup("backup password", 10u, folder.path, CHEAP)
        Session(vault, keys.pushKeys(), HttpPushTransport(), ::folders, time).use { session ->
            val job = launch { session.backup.run() }
            // Each step changes the vault through one model, then lets core's due time come.
            suspend fun backedUp(why: String) {
                val due = time.asked.receive()
                time.wakeAt(due)
                val status = session.backup.state.first { it.status?.lastVerifiedAt == due.toULong() }.status!!
                assertFalse(status.unbackedChanges, why)
            }
            backedUp("what was there when the session began")
            session.add.addManual(totp("Example", "JBSWY3DPEHPK3PXP"))
            backedUp("an account added")
            val id = vault.list().single().id
            session.codes.setFavorite(id, true)
            backedUp("an account pinned")
            session.codes.trash(id)
            backedUp("an account moved to the trash")
            session.settings.restore(id)
            backedUp("an account restored from the trash")
            job.cancel()
        }
    }
}
