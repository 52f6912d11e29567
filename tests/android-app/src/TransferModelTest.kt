package org.tessera.app.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.tessera.ExportFormat
import org.tessera.ImportOutcome
import org.tessera.Vault
import org.tessera.app.model.TransferModel
import org.tessera.app.model.TransferState
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertTrue

class TransferModelTest {
    // The fixture's password and what it holds, as tests/fixtures/transfer/expected.json lists them.
    private val fixture = File("tests/fixtures/transfer/aegis_encrypted.json").readBytes()
    private val fixturePassword = "correct horse battery staple \u2713"

    private fun withVault(body: suspend (Vault, TransferModel) -> Unit) =
        Vault.create(File(tempDir(), "vault.db").path, Pkcs12Store().keyProvider()).use { vault ->
            runBlocking { body(vault, TransferModel(vault)) }
        }

    @Test
    fun anEncryptedFileAsksForItsPasswordThenReportsEveryEntry() = withVault { vault, model ->
        model.import(fixture.copyOf())
        assertEquals(TransferState.ImportPassword(wrongPassword = false), model.state.value)
        model.importPassword("Tr0ub4dor&3")
        assertEquals(TransferState.ImportPassword(wrongPassword = true), model.state.value)
        assertTrue(vault.list().isEmpty(), "a wrong password imports nothing")
        model.importPassword(fixturePassword)
        val report = assertIs<TransferState.Imported>(model.state.value).report
        assertEquals(10, report.entries.size, "every entry of the file is reported")
        assertEquals(5, report.entries.count { it.outcome is ImportOutcome.Imported })
        assertEquals(3, report.entries.count { it.outcome is ImportOutcome.Unsupported })
        assertEquals(2, report.entries.count { it.outcome is ImportOutcome.Invalid })
        assertEquals(5, vault.list().size)
    }

    @Test
    fun aPlainExportNeedsConsentAndAnEncryptedOneRoundTrips() = withVault { vault, _ ->
        // 2027-01-15 08:00 UTC, on a phone nine hours west of Greenwich: still the 14th there.
        val model = TransferModel(vault, now = { 1_800_000_000L to -9 * 3600 })
        vault.addUri("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example")
        model.startExport(ExportFormat.OTPAUTH_LIST)
        assertEquals(TransferState.PlainConsent(ExportFormat.OTPAUTH_LIST), model.state.value, "a format that is never encrypted asks for consent first")
        model.exportPlain(ExportFormat.OTPAUTH_LIST)
        val plain = assertIs<TransferState.Exported>(model.state.value)
        assertTrue(String(plain.result.data).startsWith("otpauth://totp/"))
        assertFalse(plain.toString().contains("otpauth"), "printing the state shows no content")
        // Core names the file (its date in the user's time zone), its extension and MIME type.
        assertTrue(plain.file.fileName.contains("2027-01-14"), plain.file.fileName)
        assertEquals("txt", plain.file.extension)
        assertEquals("text/plain", plain.file.mimeType)
        assertTrue(plain.file.fileName.endsWith(".txt"), plain.file.fileName)
        model.exportWritten()
        assertTrue(plain.result.data.all { it == 0.toByte() }, "the written export's bytes are wiped")

        model.startExport(ExportFormat.AEGIS)
        assertEquals(TransferState.ExportPassword(ExportFormat.AEGIS, plainAllowed = true), model.state.value)
        model.exportEncrypted(ExportFormat.AEGIS, "export password")
        val aegis = assertIs<TransferState.Exported>(model.state.value)
        assertEquals("json", aegis.file.extension)
        assertFalse(aegis.file.fileName.contains("plain"), "an encrypted file is not named plain: ${aegis.file.fileName}")
        val encrypted = aegis.result.data.copyOf()
        model.exportWritten()

        Vault.create(File(tempDir(), "other.db").path, Pkcs12Store().keyProvider()).use { other ->
            val importer = TransferModel(other)
            importer.import(encrypted)
            assertIs<TransferState.ImportPassword>(importer.state.value)
            importer.importPassword("export password")
            assertEquals(1uL, assertIs<TransferState.Imported>(importer.state.value).report.imported)
            assertEquals("Example", other.list().single().issuer)
        }
    }

    @Test
    fun aBackupIsAlwaysEncrypted() = withVault { _, model ->
        model.startExport(ExportFormat.TESSERA_BACKUP)
        assertEquals(TransferState.ExportPassword(ExportFormat.TESSERA_BACKUP, plainAllowed = false), model.state.value)
    }
}
