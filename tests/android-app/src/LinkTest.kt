package org.tessera.app.tests

import org.junit.jupiter.api.Test
import org.tessera.ImportFormat
import org.tessera.Vault
import org.tessera.app.platform.Link
import org.tessera.app.platform.classifyLink
import org.tessera.app.platform.requestLink
import org.tessera.app.platform.HttpPushTransport
import org.tessera.app.model.AddState
import org.tessera.app.model.Destination
import org.tessera.app.model.OpenedRequest
import org.tessera.app.model.Session
import kotlinx.coroutines.runBlocking
import org.tessera.app.platform.greyOf
import org.tessera.app.platform.packLuma
import org.tessera.scanQrLuma
import org.tessera.importQrLuma
import java.io.File
import java.nio.ByteBuffer
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue

class LinkTest {
    @Test
    fun routesEveryKindOfLinkTheAppDeclares() {
        val totp = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example"
        assertIs<Link.Account>(classifyLink(totp))
        assertIs<Link.Account>(classifyLink("  $totp\n"), "surrounding whitespace from a share sheet")
        val push = "otpauth://pipush/PIPU0001?url=https%3A//pi.example/ttype/push&ttl=10&issuer=privacyIDEA" +
            "&enrollment_credential=0123456789abcdef&v=1&serial=PIPU0001&sslverify=1"
        assertIs<Link.PushEnrollment>(classifyLink(push))
        assertIs<Link.PushEnrollment>(classifyLink(push.replaceFirst("otpauth://", "pia://")))
        val migration = File("tests/fixtures/transfer/google_migration.txt").readLines().first()
        val imported = assertIs<Link.Import>(classifyLink(migration))
        assertEquals(ImportFormat.GOOGLE_MIGRATION, imported.format)
    }

    @Test
    fun aNotificationsLinkCarriesItsRequestsIdThere() {
        // privacyIDEA's nonces are base32; an id with URL characters must come back intact too.
        for (id in listOf("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "a/b?c=d&e f#g%")) {
            val link = requestLink(id)
            assertTrue(link.startsWith("org.tessera.app://push-request/"), link)
            assertEquals(id, assertIs<Link.PushRequest>(classifyLink(link)).id)
        }
        assertIs<Link.Unusable>(classifyLink("org.tessera.app://push-request/"), "no id")
        assertIs<Link.Unusable>(classifyLink("org.tessera.app://push-request/%zz"), "not URL-encoded")
    }

    @Test
    fun aSessionSendsAnAccountLinkToTheAddScreenAndARequestLinkToTheInbox(): Unit = runBlocking {
        val keys = Pkcs12Store()
        val vault = Vault.create(File(tempDir(), "v.db").path, keys.keyProvider())
        Session(vault, keys.pushKeys(), HttpPushTransport(), { DirectoryFolder(File(it)) }).use { session ->
            val totp = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example"
            assertEquals(Destination.ADD, session.openLink(totp))
            assertEquals("Example (alice)", assertIs<AddState.Confirm>(session.add.state.value).title)
            assertEquals(Destination.INBOX, session.openLink(requestLink("NO-SUCH-REQUEST")))
            assertEquals(OpenedRequest.Unknown, session.inbox.state.value.opened, "a request this vault never had is said to be unknown")
        }
    }

    @Test
    fun anUnusableLinkSaysWhyWithoutRepeatingIt() {
        val bad = "otpauth://totp/Example?secret=NOT*BASE32*SECRET"
        val result = assertIs<Link.Unusable>(classifyLink(bad))
        assertFalse(result.reason.contains("NOT*BASE32"), result.reason)
        assertTrue(result.reason.isNotBlank())
        assertIs<Link.Unusable>(classifyLink("https://example.org/"))
        assertIs<Link.Unusable>(classifyLink("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP\notpauth://totp/B?secret=JBSWY3DPEHPK3PXP"), "one link, one account")
        assertEquals("Unusable", result.toString())
    }

    @Test
    fun aScreenshotsPixelsBecomeGreyLevelsCoreScans() {
        // BT.601 by hand: white, black, pure red (0.299 * 255 = 76), pure green (149), pure blue (29),
        // and a fully transparent pixel, which counts as the white page behind it.
        val argb = intArrayOf(0xffffffff.toInt(), 0xff000000.toInt(), 0xffff0000.toInt(), 0xff00ff00.toInt(), 0xff0000ff.toInt(), 0x00000000)
        assertEquals(listOf(255, 0, 76, 149, 29, 255), greyOf(argb).map { it.toInt() and 0xff })

        // A QR code drawn from core's modules, as ARGB pixels a bitmap would give: core reads it back.
        val uri = "otpauth://totp/Example:alice@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Example"
        val image = qrImage(uri)
        val pixels = image.getRGB(0, 0, image.width, image.height, null, 0, image.width)
        val texts = scanQrLuma(image.width.toUInt(), image.height.toUInt(), greyOf(pixels))
        assertEquals(listOf(uri), texts)
    }

    @Test
    fun aPaddedCameraPlaneIsPackedForCore() {
        val uri = "otpauth://totp/Example:alice@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Example"
        val image = qrImage(uri)
        val (w, h) = image.width to image.height
        // A camera plane: each row padded to a 64-byte multiple, with junk in the padding.
        val stride = (w + 63) / 64 * 64
        val plane = ByteArray(stride * h) { 0x55 }
        for (y in 0 until h) for (x in 0 until w) plane[y * stride + x] = (image.getRGB(x, y) and 0xff).toByte()
        val luma = packLuma(ByteBuffer.wrap(plane), w, h, stride, 1)!!
        assertEquals(w * h, luma.size)
        Vault.create(File(tempDir(), "v.db").path, Pkcs12Store().keyProvider()).use { vault ->
            assertEquals(1uL, importQrLuma(vault, w.toUInt(), h.toUInt(), luma, false).imported)
            assertEquals("Example", vault.list().single().issuer)
        }
        assertNull(packLuma(ByteBuffer.wrap(plane, 0, (h - 1) * stride + w - 1).slice(), w, h, stride, 1), "a short buffer is skipped")
        // An interleaved plane (pixel stride 2) reads every other byte.
        val interleaved = ByteBuffer.wrap(byteArrayOf(1, 9, 2, 9, 3, 9, 4, 9))
        assertEquals(listOf<Byte>(1, 2, 3, 4), packLuma(interleaved, 2, 2, 4, 2)!!.toList())
    }
}
