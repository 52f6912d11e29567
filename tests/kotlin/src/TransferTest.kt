package org.tessera.tests

import java.io.File
import java.nio.file.Files
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.tessera.ExportFormat
import org.tessera.ImportFormat
import org.tessera.ImportOutcome
import org.tessera.KeyProvider
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.detectImportFormat
import org.tessera.exportFromVault
import org.tessera.importIntoVault
import org.tessera.qrCodePng
import kotlin.test.assertFailsWith

// The password make_fixtures.py encrypted the fixtures with.
const val FIXTURE_PASSWORD = "correct horse battery staple ✓"

/** A stand-in for the platform keystore: XOR with a fixed pad (tests only). */
class XorKeys : KeyProvider {
    override fun wrap(key: ByteArray): ByteArray = ByteArray(key.size) { (key[it].toInt() xor 0x5a).toByte() }
    override fun unwrap(wrapped: ByteArray): ByteArray = wrap(wrapped)
}

class TransferTest {
    private fun fixture(name: String) = File("tests/fixtures/transfer/$name").readBytes()

    private fun newVault(): Vault {
        val dir = Files.createTempDirectory("tessera-transfer")
        return Vault.create(dir.resolve("vault.sqlite").toString(), XorKeys(), null)
    }

    @Test
    fun importsAnEncryptedAegisFileWithAReportForEveryEntry() {
        newVault().use { vault ->
            val report = importIntoVault(vault, fixture("aegis_encrypted.json"), null, FIXTURE_PASSWORD, false)
            assertEquals(ImportFormat.AEGIS, report.format)
            assertEquals(10, report.entries.size)
            assertEquals(5uL, report.imported)
            assertEquals(5uL, report.failed)
            assertEquals("GitHub (alice@example.org)", report.entries[0].name)
            assertTrue(report.entries[0].outcome is ImportOutcome.Imported)
            val motp = report.entries[5].outcome
            assertTrue(motp is ImportOutcome.Unsupported && motp.reason.contains("mOTP"), "$motp")
            assertEquals(5, vault.list(null).size)
        }
    }

    @Test
    fun importingTheSameFileTwiceDoublesNothing() {
        newVault().use { vault ->
            val first = importIntoVault(vault, fixture("twofas_plain_v4.2fas"), null, null, false)
            val second = importIntoVault(vault, fixture("twofas_plain_v4.2fas"), null, null, false)
            assertEquals(0uL, second.imported)
            assertEquals(first.imported, second.duplicates)
            val firstId = (first.entries[0].outcome as ImportOutcome.Imported).id
            assertEquals(ImportOutcome.Duplicate(firstId), second.entries[0].outcome)
            assertEquals(first.imported.toInt(), vault.list(null).size)
        }
    }

    @Test
    fun aWrongPasswordOrDamagedFileImportsNothing() {
        newVault().use { vault ->
            assertFailsWith<TesseraException.WrongPassword> {
                importIntoVault(vault, fixture("aegis_encrypted.json"), null, "not the password", false)
            }
            assertFailsWith<TesseraException.InvalidInput> {
                importIntoVault(vault, fixture("aegis_encrypted_damaged_db.json"), null, FIXTURE_PASSWORD, false)
            }
            assertEquals(0, vault.list(null).size)
        }
    }

    @Test
    fun exportedAegisFilesImportIntoAnotherVault() {
        newVault().use { source ->
            importIntoVault(source, fixture("andotp_plain.json"), ImportFormat.AND_OTP, null, false)
            val out = exportFromVault(source, ExportFormat.AEGIS, "export password")
            assertEquals(ImportFormat.AEGIS, detectImportFormat(out.data))
            newVault().use { target ->
                val report = importIntoVault(target, out.data, null, "export password", false)
                assertEquals(5uL, report.imported)
                assertEquals(0uL, report.failed)
            }
        }
    }

    @Test
    fun googleTransferExportsComeWithQrCodes() {
        newVault().use { vault ->
            importIntoVault(vault, fixture("aegis_plain.json"), null, null, false)
            val out = exportFromVault(vault, ExportFormat.GOOGLE_MIGRATION, null)
            assertEquals(1, out.uris.size)
            // Steam, 10 digits and a 60-second period do not fit Google's format: said, not dropped.
            assertEquals(3, out.skipped.size)
            val png = qrCodePng(out.uris[0], 4u)
            assertEquals(0x89.toByte(), png[0])
            assertFailsWith<TesseraException.InvalidInput> {
                exportFromVault(vault, ExportFormat.OTPAUTH_LIST, "a password for a plain format")
            }
        }
    }
}
