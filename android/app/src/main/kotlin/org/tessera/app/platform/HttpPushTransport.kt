package org.tessera.app.platform

import org.tessera.HttpField
import org.tessera.HttpRequest
import org.tessera.HttpResponse
import org.tessera.PushTransport
import org.tessera.TesseraException
import java.io.ByteArrayOutputStream
import java.io.IOException
import java.io.InputStream
import java.net.HttpURLConnection
import java.net.MalformedURLException
import java.net.URL
import java.net.URLEncoder
import java.security.SecureRandom
import java.security.cert.X509Certificate
import javax.net.ssl.HttpsURLConnection
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLSocketFactory
import javax.net.ssl.X509TrustManager

/**
 * The platform's HTTP stack for push and containers: `HttpURLConnection`, so TLS is verified
 * against the device's trust store (with user-installed enterprise CAs where the app's network
 * security config allows them). Core decides which servers and which `verify_tls = false`
 * tokens are acceptable (`net` module); this class only carries requests.
 */
class HttpPushTransport(
    private val connectTimeoutMillis: Int = 15_000,
    private val readTimeoutMillis: Int = 30_000,
) : PushTransport {

    override fun send(request: HttpRequest): HttpResponse {
        val url = try {
            URL(request.url + if (request.query.isEmpty()) "" else "?" + encode(request.query))
        } catch (e: MalformedURLException) {
            throw TesseraException.Network("the server URL cannot be used by the platform's HTTP stack")
        }
        val host = url.host
        val connection = try {
            url.openConnection() as HttpURLConnection
        } catch (e: IOException) {
            throw TesseraException.Network("could not reach $host")
        }
        try {
            connection.connectTimeout = connectTimeoutMillis
            connection.readTimeout = readTimeoutMillis
            connection.instanceFollowRedirects = false
            connection.useCaches = false
            if (!request.verifyTls && connection is HttpsURLConnection) {
                // Only for a token enrolled with sslverify=0 that core accepted under its
                // transport policy (the user's explicit opt-in at enrollment).
                connection.sslSocketFactory = unverifiedTls
                connection.setHostnameVerifier { _, _ -> true }
            }
            if (request.post) {
                val body = encode(request.form).toByteArray(Charsets.UTF_8)
                connection.requestMethod = "POST"
                connection.doOutput = true
                connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded")
                connection.setFixedLengthStreamingMode(body.size)
                connection.outputStream.use { it.write(body) }
            }
            val status = connection.responseCode
            // Any status is a response: core reads privacyIDEA's JSON error bodies too.
            val stream = if (status >= 400) connection.errorStream else connection.inputStream
            val body = stream?.use { readBounded(it) } ?: ByteArray(0)
            // Core learns the server's clock from the Date header of every response.
            return HttpResponse(status.toUShort(), body, connection.getHeaderField("Date"))
        } catch (e: IOException) {
            // The reason names the host only: queries and forms carry credentials and signatures.
            throw TesseraException.Network("could not reach $host (${e.javaClass.simpleName})")
        } finally {
            connection.disconnect()
        }
    }

    private fun encode(fields: List<HttpField>) = fields.joinToString("&") {
        URLEncoder.encode(it.name, "UTF-8") + "=" + URLEncoder.encode(it.value, "UTF-8")
    }

    // privacyIDEA's answers are a few KiB; a server sending more is cut off, not buffered.
    private fun readBounded(input: InputStream): ByteArray {
        val out = ByteArrayOutputStream()
        val buffer = ByteArray(8192)
        while (true) {
            val n = input.read(buffer)
            if (n < 0) return out.toByteArray()
            if (out.size() + n > MAX_BODY_BYTES) throw IOException("response larger than $MAX_BODY_BYTES bytes")
            out.write(buffer, 0, n)
        }
    }

    private companion object {
        const val MAX_BODY_BYTES = 1 shl 20

        val unverifiedTls: SSLSocketFactory by lazy {
            val trustAll = object : X509TrustManager {
                override fun checkClientTrusted(chain: Array<X509Certificate>, authType: String) = Unit
                override fun checkServerTrusted(chain: Array<X509Certificate>, authType: String) = Unit
                override fun getAcceptedIssuers(): Array<X509Certificate> = emptyArray()
            }
            SSLContext.getInstance("TLS").apply { init(null, arrayOf(trustAll), SecureRandom()) }.socketFactory
        }
    }
}
