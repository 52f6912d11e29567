package org.tessera.tests

import org.tessera.HttpField
import org.tessera.PushClient
import org.tessera.PushTransport
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.importIntoVault
import org.tessera.importQrLuma
import org.tessera.QrMatrix
import org.tessera.qrCodeMatrix
import org.tessera.qrCodePng
import org.tessera.scanQrLuma
import java.awt.image.BufferedImage
import java.io.ByteArrayInputStream
import java.io.ByteArrayOutputStream
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.time.Duration
import javax.imageio.ImageIO
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** True when run.sh was asked to test the mobile library (TESSERA_FFI_BUILD=mobile). */
val mobileBuild: Boolean = System.getenv("TESSERA_FFI_BUILD") == "mobile"

/**
 * The platform's HTTP stack the way an Android app brings it (here java.net.http): what the
 * mobile library, which has no HTTP client of its own, needs for push.
 */
class JvmTransport : PushTransport {
    private val client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()

    private fun encode(fields: List<HttpField>) =
        fields.joinToString("&") { "${URLEncoder.encode(it.name, "UTF-8")}=${URLEncoder.encode(it.value, "UTF-8")}" }

    override fun send(request: org.tessera.HttpRequest): org.tessera.HttpResponse {
        val query = if (request.query.isEmpty()) "" else "?" + encode(request.query)
        val builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url + query))
            .timeout(Duration.ofSeconds(30))
        if (request.post) {
            builder.header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(encode(request.form)))
        }
        val response = try {
            client.send(builder.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray())
        } catch (e: java.io.IOException) {
            // The reason names the host, never the query or form values.
            throw TesseraException.Network("could not reach ${URI.create(request.url).host}")
        }
        // the Date header teaches Tessera the server's clock
        val date = response.headers().firstValue("date").orElse(null)
        return org.tessera.HttpResponse(response.statusCode().toUShort(), response.body(), date)
    }
}

/** Grey levels (0 black, 255 white), row by row, of a PNG decoded by the platform. */
fun lumaOf(png: ByteArray): Triple<Int, Int, ByteArray> {
    val image = ImageIO.read(ByteArrayInputStream(png))
    val luma = ByteArray(image.width * image.height)
    for (y in 0 until image.height) for (x in 0 until image.width) {
        val rgb = image.getRGB(x, y)
        val grey = (299 * (rgb shr 16 and 0xff) + 587 * (rgb shr 8 and 0xff) + 114 * (rgb and 0xff)) / 1000
        luma[y * image.width + x] = grey.toByte()
    }
    return Triple(image.width, image.height, luma)
}

/**
 * A QR code as the platform draws it from core's modules (`qrCodeMatrix`, quiet zone
 * included): `scale` pixels a module, black on white, as grey levels a camera would hand back.
 */
fun lumaOf(qr: QrMatrix, scale: Int = 4): Triple<Int, Int, ByteArray> {
    val n = qr.size.toInt()
    val side = n * scale
    val luma = ByteArray(side * side) { -1 }
    for (y in 0 until side) for (x in 0 until side) {
        if (qr.modules[(y / scale) * n + x / scale] != 0.toByte()) luma[y * side + x] = 0
    }
    return Triple(side, side, luma)
}

/** The same drawing saved as a PNG file by the platform's own encoder (ImageIO). */
fun pngOf(qr: QrMatrix, scale: Int = 4): ByteArray {
    val (side, _, luma) = lumaOf(qr, scale)
    val image = BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY)
    image.raster.setDataElements(0, 0, side, side, luma)
    return ByteArrayOutputStream().also { ImageIO.write(image, "png", it) }.toByteArray()
}

/** What the mobile library leaves to the platform, and how it says so; both builds run it. */
class MobileTest {
    private val uri = "otpauth://totp/Example:alice@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Example"

    @Test
    fun importsAQrCodeFromPlatformDecodedPixels() {
        // The shell decodes the image (or takes a camera frame) and hands core its grey levels.
        val (width, height, luma) = lumaOf(qrCodeMatrix(uri))
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            val dry = importQrLuma(vault, width.toUInt(), height.toUInt(), luma, true)
            assertEquals(1uL, dry.imported)
            assertTrue(vault.list().isEmpty(), "a dry run writes nothing")
            val report = importQrLuma(vault, width.toUInt(), height.toUInt(), luma, false)
            assertEquals(1uL, report.imported)
            assertEquals("Example", vault.list().single().issuer)
            val short = assertFailsWith<TesseraException.InvalidInput> {
                importQrLuma(vault, width.toUInt(), height.toUInt(), luma.copyOf(luma.size - 1), false)
            }
            assertTrue(short.message!!.contains("bytes"), short.message)
        }
    }

    @Test
    fun aScannerGetsTheTextOfEveryQrCodeInAFrame() {
        val (width, height, luma) = lumaOf(qrCodeMatrix(uri))
        assertEquals(listOf(uri), scanQrLuma(width.toUInt(), height.toUInt(), luma))
        val blank = assertFailsWith<TesseraException.InvalidInput> {
            scanQrLuma(width.toUInt(), height.toUInt(), ByteArray(width * height) { -1 })
        }
        assertTrue(blank.message!!.contains("no QR code"), blank.message)
    }

    @Test
    fun qrCodesAreDrawnByThePlatformFromCoresModules() {
        val qr = qrCodeMatrix(uri)
        assertEquals(qr.size.toInt() * qr.size.toInt(), qr.modules.size)
        assertTrue(qr.modules.all { it == 0.toByte() || it == 1.toByte() }, "one byte a module, 1 dark")
        // The quiet zone (four light modules on every side) is part of the matrix.
        val n = qr.size.toInt()
        for (i in 0 until n) for (edge in 0 until 4) {
            assertEquals(0.toByte(), qr.modules[edge * n + i])
            assertEquals(0.toByte(), qr.modules[i * n + edge])
        }
        assertTrue(qr.toString().contains("redacted"), "printing it does not show the code")
        if (mobileBuild) {
            val e = assertFailsWith<TesseraException.InvalidInput> { qrCodePng(uri, 4u) }
            assertTrue(e.message!!.contains("qrCodeMatrix"), e.message)
        } else {
            // The desktop library's PNG is the same drawing, pixel for pixel.
            val (side, _, drawn) = lumaOf(qr, 3)
            val (width, height, png) = lumaOf(qrCodePng(uri, 3u))
            assertEquals(side to side, width to height)
            assertContentEquals(drawn, png)
        }
    }

    @Test
    fun imageFilesAreReadByTheDesktopLibraryOnly() {
        val png = pngOf(qrCodeMatrix(uri))
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            if (mobileBuild) {
                val e = assertFailsWith<TesseraException.InvalidInput> { importIntoVault(vault, png, null, null, false) }
                assertTrue(e.message!!.contains("importQrLuma"), e.message)
                assertTrue(vault.list().isEmpty())
            } else {
                assertEquals(1uL, importIntoVault(vault, png, null, null, false).imported)
            }
        }
    }

    @Test
    fun pushWithoutThePlatformPartsSaysWhichTraitItNeeds() {
        if (!mobileBuild) return // the desktop library has its own HTTP client and key generation
        val enrollment = "otpauth://pipush/PIPU0001?url=https%3A//127.0.0.1%3A1/ttype/push&ttl=10" +
            "&issuer=privacyIDEA&enrollment_credential=0123456789abcdef&v=1&serial=PIPU0001&sslverify=1"
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            PushClient(vault).use { push ->
                val e = assertFailsWith<TesseraException> { push.enroll(enrollment, 2048u, null) }
                assertTrue(e.message!!.contains("PushDeviceKeys"), e.message)
            }
            PushClient(vault, JvmPushKeys()).use { push ->
                val e = assertFailsWith<TesseraException.Network> { push.enroll(enrollment, 2048u, null) }
                assertTrue(e.message!!.contains("PushTransport"), e.message)
                assertTrue(push.tokens().isEmpty())
            }
        }
    }
}
