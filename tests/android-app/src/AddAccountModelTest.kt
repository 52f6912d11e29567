package org.tessera.app.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.tessera.ImportOutcome
import org.tessera.Vault
import org.tessera.app.model.AddAccountModel
import org.tessera.app.model.AddState
import org.tessera.app.platform.Link
import org.tessera.QrMatrix
import org.tessera.qrCodeMatrix
import java.awt.image.BufferedImage
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertTrue

/**
 * A QR code of [text] as the app's screen draws it from core's modules (`qrCodeMatrix`, quiet
 * zone included): [scale] pixels a module, black on white.
 */
fun qrImage(text: String, scale: Int = 4): BufferedImage = qrImage(qrCodeMatrix(text), scale)

/** The drawing of [qrImage] from a matrix core made. */
fun qrImage(qr: QrMatrix, scale: Int = 4): BufferedImage {
    val n = qr.size.toInt()
    val image = BufferedImage(n * scale, n * scale, BufferedImage.TYPE_INT_RGB)
    for (y in 0 until n * scale) for (x in 0 until n * scale) {
        image.setRGB(x, y, if (qr.modules[(y / scale) * n + x / scale] != 0.toByte()) 0x000000 else 0xffffff)
    }
    return image
}

/** Grey levels of an image as a camera frame would give them (the platform decodes, core scans). */
fun greyOf(image: BufferedImage): Triple<Int, Int, ByteArray> {
    val luma = ByteArray(image.width * image.height) { i -> (image.getRGB(i % image.width, i / image.width) and 0xff).toByte() }
    return Triple(image.width, image.height, luma)
}

class AddAccountModelTest {
    private val totp = "otpauth://totp/Example:alice@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Example"

    private fun withModel(body: suspend (Vault, AddAccountModel, MutableList<String>) -> Unit) {
        Vault.create(File(tempDir(), "vault.db").path, Pkcs12Store().keyProvider()).use { vault ->
            val enrolled = mutableListOf<String>()
            val model = AddAccountModel(vault, { uri -> enrolled += uri; "PIPU0001" })
            runBlocking { body(vault, model, enrolled) }
        }
    }

    @Test
    fun aScannedAccountIsConfirmedThenAdded() = withModel { vault, model, _ ->
        val (w, h, luma) = greyOf(qrImage(totp))
        assertFalse(model.scanned(w, h, ByteArray(w * h) { -1 }), "a blank frame is skipped")
        assertEquals(AddState.Idle, model.state.value)
        assertFalse(model.picked(w, h, ByteArray(w * h) { -1 }))
        val none = assertIs<AddState.Failed>(model.state.value, "a picked image without a code is reported")
        assertTrue(none.reason.contains("no QR code"), none.reason)
        model.reset()
        assertTrue(model.scanned(w, h, luma))
        val confirm = assertIs<AddState.Confirm>(model.state.value)
        assertEquals("Example (alice@example.org)", confirm.title)
        assertTrue(vault.list().isEmpty(), "nothing is stored before the user confirms")
        model.confirm()
        val added = assertIs<AddState.Added>(model.state.value)
        assertEquals(added.id, vault.list().single().id)
        // The same account again: core's duplicate rule, said to the user.
        model.scanned(w, h, luma)
        model.confirm()
        assertIs<AddState.Failed>(model.state.value)
        assertEquals(1, vault.list().size)
    }

    @Test
    fun aScannedPushEnrollmentGoesToPushEnrollment() = withModel { vault, model, enrolled ->
        val push = "otpauth://pipush/PIPU0001?url=https%3A//pi.example/ttype/push&ttl=10&issuer=privacyIDEA" +
            "&enrollment_credential=0123456789abcdef&v=1&serial=PIPU0001&sslverify=1"
        val (w, h, luma) = greyOf(qrImage(push))
        assertTrue(model.scanned(w, h, luma))
        assertIs<Link.PushEnrollment>(assertIs<AddState.Confirm>(model.state.value).link)
        model.confirm()
        assertEquals(AddState.Enrolled("PIPU0001"), model.state.value)
        assertEquals(listOf(push), enrolled)
        assertTrue(vault.list().isEmpty())
    }

    @Test
    fun aGoogleTransferLinkImportsWithItsReport() = withModel { vault, model, _ ->
        val lines = File("tests/fixtures/transfer/google_migration.txt").readLines().filter { it.isNotBlank() }
        model.open(lines.first())
        assertIs<Link.Import>(assertIs<AddState.Confirm>(model.state.value).link)
        model.confirm()
        val report = assertIs<AddState.Imported>(model.state.value).report
        val imported = report.entries.count { it.outcome is ImportOutcome.Imported }
        assertTrue(imported > 0, "$report")
        assertEquals(imported, vault.list().size)
        if (lines.size > 1) assertTrue(report.failed > 0uL, "the other QR code of the set is reported missing")
    }

    @Test
    fun aBadLinkIsRefusedWithCoresReason() = withModel { vault, model, _ ->
        model.open("otpauth://totp/Example?secret=1189")
        val failed = assertIs<AddState.Failed>(model.state.value)
        assertTrue(failed.reason.contains("base32"), failed.reason)
        assertFalse(failed.reason.contains("1189"), failed.reason)
        assertTrue(vault.list().isEmpty())
    }
}
