package org.tessera.tests

import org.junit.jupiter.api.Test
import org.tessera.ExportFormat
import org.tessera.LockTimeout
import org.tessera.TesseraException
import org.tessera.UriKind
import org.tessera.Vault
import org.tessera.defaultLockTimeout
import org.tessera.displayName
import org.tessera.exportFile
import org.tessera.lockTimeoutChoices
import org.tessera.shouldLock
import org.tessera.uriKind
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** The small rules both apps share, from Kotlin: expected values written from the docs. */
class AppRulesTest {
    @Test
    fun aGoogleTransferLinkIsAnImportBatch() {
        // written by make_fixtures.py with Google's protobuf schema
        val transfer = File("tests/fixtures/transfer/google_migration.txt").readLines().first()
        assertEquals(UriKind.IMPORT_BATCH, uriKind(transfer))
        assertEquals(UriKind.IMPORT_BATCH, uriKind("\n$transfer  "))
        val e = assertFailsWith<TesseraException.InvalidInput> { uriKind("otpauth-migration://offline?data=QUJD") }
        assertTrue(e.message!!.contains("Google Authenticator transfer"), e.message)
        assertEquals(UriKind.PUSH_ENROLLMENT, uriKind(PUSH_ENROLLMENT.replace("otpauth://", "pia://")))
    }

    @Test
    fun namesReadTheSameForUnsavedAccountsTokensAndTrashRows() {
        assertEquals("GitHub (alice)", displayName("GitHub", "alice"))
        assertEquals("GitHub", displayName(" GitHub ", "github"))
        assertEquals("bob@example.org", displayName("", "bob@example.org"))
        assertEquals("(unnamed)", displayName(" ", ""))
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            val id = vault.add(otpAccount("ACME", "carol"))
            assertEquals("ACME (carol)", vault.list().single().displayName)
            vault.delete(id)
            assertEquals("ACME (carol)", vault.trash().single().displayName)
        }
    }

    @Test
    fun exportFilesAreNamedByCore() {
        val at = 1_700_000_000uL // 2023-11-14 22:13:20 UTC
        val aegis = exportFile(ExportFormat.AEGIS, false, at, 0)
        assertEquals("tessera-aegis-plain-2023-11-14.json", aegis.fileName)
        assertEquals("json", aegis.extension)
        assertEquals("application/json", aegis.mimeType)
        // two hours east of UTC it is already the 15th
        val backup = exportFile(ExportFormat.TESSERA_BACKUP, true, at, 7200)
        assertEquals("tessera-backup-2023-11-15.tsrbackup", backup.fileName)
        assertEquals("application/octet-stream", backup.mimeType)
        assertEquals("text/plain", exportFile(ExportFormat.OTPAUTH_LIST, false, at, 0).mimeType)
        assertFailsWith<TesseraException.InvalidInput> { exportFile(ExportFormat.TESSERA_BACKUP, false, at, 0) }
        assertFailsWith<TesseraException.InvalidInput> { exportFile(ExportFormat.AEGIS, true, at, 19 * 3600) }
    }

    @Test
    fun theIdleLockComparesOnOneMonotonicClock() {
        val minute = LockTimeout.After(60u)
        assertFalse(shouldLock(minute, 1_000uL, 60_999uL))
        assertTrue(shouldLock(minute, 1_000uL, 61_000uL))
        assertTrue(shouldLock(minute, 50_000uL, 10_000uL), "a clock that went back locks")
        assertTrue(shouldLock(LockTimeout.Immediately, 5uL, 5uL))
        assertFalse(shouldLock(LockTimeout.Never, 0uL, ULong.MAX_VALUE))
        val choices = lockTimeoutChoices()
        assertEquals(LockTimeout.Immediately, choices.first())
        assertEquals(LockTimeout.Never, choices.last())
        assertEquals(minute, defaultLockTimeout())
        assertTrue(defaultLockTimeout() in choices)
    }

    @Test
    fun aCopiedCodeLeavesTheClipboardWhenItChangesWithinBounds() {
        Vault.create(tempVaultPath(), JvmKeyProvider(), FixedClock(1_000)).use { vault ->
            assertEquals(30uL, vault.clipboardClearAfterSeconds(1_030uL))
            assertEquals(10uL, vault.clipboardClearAfterSeconds(1_003uL), "still time to paste it")
            assertEquals(60uL, vault.clipboardClearAfterSeconds(1_300uL), "at most a minute")
            assertEquals(60uL, vault.clipboardClearAfterSeconds(null), "HOTP")
        }
    }
}
