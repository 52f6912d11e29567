package org.tessera.tests

import java.io.File
import java.nio.file.Files
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.tessera.ExportEncryption
import org.tessera.ExportFormat
import org.tessera.ImportProgressListener
import org.tessera.ImportFormat
import org.tessera.ImportOutcome
import org.tessera.KeyProvider
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.detectImportFormat
import org.tessera.exportFormatInfo
import org.tessera.exportFromVault
import org.tessera.importIntoVault
import org.tessera.qrCodeMatrix
import org.tessera.scanQrLuma
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
    fun appExportsImportIntoAnotherVaultAndNameWhatTheyLeaveOut() {
        newVault().use { source ->
            // GitHub, a HOTP bank, Steam, SHA256/8 digits/60 s and SHA512/10 digits.
            importIntoVault(source, fixture("aegis_plain.json"), null, null, false)
            val cases = listOf(
                Triple(ExportFormat.TWO_FAS, "export password", listOf("TenDigits (ten)")),
                Triple(ExportFormat.ENTE, "export password", listOf()),
                Triple(ExportFormat.PROTON, "export password", listOf("Example Bank (bob)", "TenDigits (ten)")),
                Triple(ExportFormat.BITWARDEN, null, listOf("Example Bank (bob)")),
            )
            for ((format, password, leftOut) in cases) {
                assertEquals(ExportEncryption.OPTIONAL.takeIf { password != null } ?: ExportEncryption.NEVER,
                    exportFormatInfo(format).encryption, "$format")
                val out = exportFromVault(source, format, password, unencrypted = password == null)
                assertEquals(leftOut, out.skipped.map { it.name }, "$format")
                assertTrue(out.skipped.all { it.reason.isNotEmpty() }, "$format")
                newVault().use { target ->
                    val report = importIntoVault(target, out.data, null, password, false)
                    assertEquals((5 - leftOut.size).toULong(), report.imported, "$format")
                    assertEquals(0uL, report.failed, "$format")
                }
            }
            assertEquals("2fas", exportFormatInfo(ExportFormat.TWO_FAS).name)
            assertFailsWith<TesseraException.InvalidInput> {
                exportFromVault(source, ExportFormat.BITWARDEN, "Bitwarden files are never encrypted")
            }
        }
    }

    @Test
    fun googleTransferExportsComeWithQrCodes() {
        newVault().use { vault ->
            importIntoVault(vault, fixture("aegis_plain.json"), null, null, false)
            val out = exportFromVault(vault, ExportFormat.GOOGLE_MIGRATION, unencrypted = true)
            assertEquals(1, out.uris.size)
            // Steam, 10 digits and a 60-second period do not fit Google's format: said, not dropped.
            assertEquals(3, out.skipped.size)
            // Drawn by the platform from core's modules, the code scans back as the URI.
            val (width, height, luma) = lumaOf(qrCodeMatrix(out.uris[0]))
            assertEquals(out.uris, scanQrLuma(width.toUInt(), height.toUInt(), luma))
            assertFailsWith<TesseraException.InvalidInput> {
                exportFromVault(vault, ExportFormat.OTPAUTH_LIST, "a password for a plain format")
            }
        }
    }

    @Test
    fun anEncryptedFileWithoutAPasswordAsksForOne() {
        newVault().use { vault ->
            for (name in listOf("aegis_encrypted.json", "ente_encrypted.json", "proton_encrypted.json")) {
                assertFailsWith<TesseraException.PasswordRequired>(name) {
                    importIntoVault(vault, fixture(name), null, null, false)
                }
            }
            assertEquals(0, vault.list(null).size, "nothing was imported")
            // The app asks, and calls again with the password.
            assertEquals(5uL, importIntoVault(vault, fixture("aegis_encrypted.json"), null, FIXTURE_PASSWORD, false).imported)
        }
    }

    /** A progress bar in Kotlin: records every call; the second instance throws from it. */
    class RecordingProgress(private val explode: Boolean = false) : ImportProgressListener {
        val calls = mutableListOf<Pair<ULong, ULong>>()
        override fun onProgress(written: ULong, total: ULong) {
            calls.add(written to total)
            if (explode) throw IllegalStateException("progress bar exploded")
        }
    }

    @Test
    fun progressReachesAKotlinListenerAndAThrowingOneCannotBreakTheImport() {
        newVault().use { vault ->
            val progress = RecordingProgress()
            val report = importIntoVault(vault, fixture("aegis_plain.json"), null, null, false, progress)
            assertTrue(progress.calls.isNotEmpty(), "the listener was called")
            val (lastWritten, total) = progress.calls.last()
            assertEquals(lastWritten, total, "the last call reports everything written")
            assertTrue(progress.calls.zipWithNext().all { (a, b) -> a.first <= b.first }, "${progress.calls}")
            assertEquals(report.imported, vault.list(null).size.toULong())
        }
        newVault().use { vault ->
            val exploding = RecordingProgress(explode = true)
            val report = importIntoVault(vault, fixture("aegis_plain.json"), null, null, false, exploding)
            assertTrue(exploding.calls.isNotEmpty())
            assertEquals(report.imported, vault.list(null).size.toULong())
        }
    }

    @Test
    fun exportProtectionIsCoresRule() {
        assertEquals(ExportEncryption.OPTIONAL, exportFormatInfo(ExportFormat.AEGIS).encryption)
        assertEquals(ExportEncryption.NEVER, exportFormatInfo(ExportFormat.OTPAUTH_LIST).encryption)
        assertEquals(ExportEncryption.NEVER, exportFormatInfo(ExportFormat.GOOGLE_MIGRATION).encryption)
        assertEquals(ExportEncryption.ALWAYS, exportFormatInfo(ExportFormat.TESSERA_BACKUP).encryption)
        assertEquals("tessera", exportFormatInfo(ExportFormat.TESSERA_BACKUP).name)
        newVault().use { vault ->
            importIntoVault(vault, fixture("aegis_plain.json"), null, null, false)
            // Plain output only with the user's explicit choice.
            assertFailsWith<TesseraException.InvalidInput> { exportFromVault(vault, ExportFormat.OTPAUTH_LIST) }
            assertFailsWith<TesseraException.PasswordRequired> { exportFromVault(vault, ExportFormat.AEGIS) }
            assertFailsWith<TesseraException.PasswordRequired> { exportFromVault(vault, ExportFormat.TESSERA_BACKUP) }
            assertFailsWith<TesseraException.InvalidInput> {
                exportFromVault(vault, ExportFormat.TESSERA_BACKUP, unencrypted = true)
            }
            val plain = exportFromVault(vault, ExportFormat.AEGIS, unencrypted = true)
            assertEquals(ImportFormat.AEGIS, detectImportFormat(plain.data))
            val backup = exportFromVault(vault, ExportFormat.TESSERA_BACKUP, "backup password")
            assertEquals(ImportFormat.TESSERA_BACKUP, detectImportFormat(backup.data))
        }
    }
}
