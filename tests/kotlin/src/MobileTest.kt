package org.tessera.tests

import org.tessera.HttpField
import org.tessera.PushClient
import org.tessera.PushTransport
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.importIntoVault
import org.tessera.importQrLuma
import org.tessera.qrCodePng
import org.tessera.scanQrLuma
import java.io.ByteArrayInputStream
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.time.Duration
import javax.imageio.ImageIO
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

/** What the mobile library leaves to the platform, and how it says so; both builds run it. */
class MobileTest {
    private val uri = "otpauth://totp/Example:alice@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Example"

    @Test
    fun importsAQrCodeFromPlatformDecodedPixels() {
        // The shell decodes the image (or takes a camera frame) and hands core its grey levels.
        val (width, height, luma) = lumaOf(qrCodePng(uri, 4u))
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
        val (width, height, luma) = lumaOf(qrCodePng(uri, 4u))
        assertEquals(listOf(uri), scanQrLuma(width.toUInt(), height.toUInt(), luma))
        val blank = assertFailsWith<TesseraException.InvalidInput> {
            scanQrLuma(width.toUInt(), height.toUInt(), ByteArray(width * height) { -1 })
        }
        assertTrue(blank.message!!.contains("no QR code"), blank.message)
    }

    @Test
    fun imageFilesAreReadByTheDesktopLibraryOnly() {
        val png = qrCodePng(uri, 4u)
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
