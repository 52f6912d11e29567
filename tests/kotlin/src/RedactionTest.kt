package org.tessera.tests

import org.junit.jupiter.api.Test
import org.tessera.AccountChange
import org.tessera.ExportFormat
import org.tessera.HttpRequest
import org.tessera.HttpResponse
import org.tessera.PushClient
import org.tessera.PushTransport
import org.tessera.PushVerdict
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.exportFromVault
import org.tessera.otpCodeAt
import org.tessera.parseOtpUri
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

private const val R_SECRET = "JBSWY3DPEHPK3PXP"
private const val R_PIN = "pinvalue7731"
private const val R_NOTE = "recovery codes: alpha-bravo-charlie"
private const val R_CREDENTIAL = "credentialC0FFEE"
private const val R_URI = "otpauth://totp/ACME:alice?secret=$R_SECRET&issuer=ACME&pin=$R_PIN"

/**
 * uniffi records are Kotlin data classes, whose generated toString() prints every field. Records
 * that carry secrets print Rust's redacting Debug instead: checked here through every way an
 * app's log line prints them (toString, string templates, inside a list).
 */
class RedactionTest {
    private fun assertRedacted(value: Any, secrets: List<String>, kept: List<String>) {
        for (shown in listOf(value.toString(), "$value", listOf(value).toString())) {
            for (secret in secrets) {
                assertFalse(shown.lowercase().contains(secret.lowercase()), "$secret printed in $shown")
            }
            for (word in kept) assertTrue(shown.contains(word), "$word missing from $shown")
        }
    }

    @Test
    fun anAccountPrintsNoSecretNoteOrParameterValue() {
        val account = parseOtpUri(R_URI).copy(note = R_NOTE)
        assertEquals(R_SECRET, account.secretBase32, "the fields themselves are intact")
        assertEquals(R_PIN, account.extra.single().value)
        assertRedacted(account, listOf(R_SECRET, R_PIN, R_NOTE), listOf("ACME", "alice", "pin"))
        assertRedacted(account.extra.single(), listOf(R_PIN), listOf("pin"))
    }

    @Test
    fun codesExportsAndChangesPrintNoSecret() {
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            val id = vault.add(parseOtpUri(R_URI).copy(note = R_NOTE))
            val entry = vault.codesAt(59uL).single()
            assertRedacted(entry, listOf(entry.code!!), listOf("ACME", id))
            val list = vault.codeListAt(null, 59_000uL)
            val row = list.items.single()
            assertEquals(entry.code, row.code, "same instant, same code")
            assertRedacted(row, listOf(row.code!!, row.displayCode!!), listOf("ACME (alice)", id))
            assertRedacted(list, listOf(row.code!!, row.displayCode!!), listOf("next_change_at"))
            val withSecret = vault.accountWithSecret(id)
            assertEquals(R_NOTE, withSecret.note, "the fields themselves are intact")
            assertRedacted(withSecret, listOf(R_SECRET, R_NOTE, R_PIN), listOf("ACME", "alice"))
            val one = otpCodeAt(R_SECRET, parseOtpUri(R_URI).params, 59uL)
            assertRedacted(one, listOf(one.code), listOf("remaining_seconds"))
            assertRedacted(AccountChange(note = R_NOTE, label = "bob"), listOf(R_NOTE), listOf("bob"))

            val export = exportFromVault(vault, ExportFormat.OTPAUTH_LIST, unencrypted = true)
            val line = export.data.decodeToString().trim()
            assertTrue(line.contains(R_SECRET), "the export holds the secret")
            assertRedacted(export, listOf(line, R_SECRET), listOf("bytes redacted"))
            val google = exportFromVault(vault, ExportFormat.GOOGLE_MIGRATION, unencrypted = true)
            assertRedacted(google, google.uris, listOf("URIs redacted"))
        }
    }

    /** A platform HTTP stack that keeps what the core asked it to send. */
    class Recorder : PushTransport {
        val sent = mutableListOf<HttpRequest>()
        override fun send(request: HttpRequest): HttpResponse {
            sent += request
            return HttpResponse(400u.toUShort(), """{"signature":"deadbeefsig"}""".encodeToByteArray())
        }
    }

    @Test
    fun theRealEnrollmentRequestPrintsNoCredential() {
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            val recorder = Recorder()
            // The mobile library has no key generation of its own: the platform's keystore brings the key.
            PushClient(vault, if (mobileBuild) JvmPushKeys() else null, recorder).use { push ->
                val uri = "otpauth://pipush/PIPU0001?url=https%3A//pi.example.test/ttype/push&ttl=10" +
                    "&issuer=privacyIDEA&enrollment_credential=$R_CREDENTIAL&v=1&serial=PIPU0001&sslverify=1"
                assertFailsWith<TesseraException> { push.enroll(uri, 2048u) }
            }
            val request = recorder.sent.first()
            val field = request.form.single { it.value == R_CREDENTIAL }
            assertRedacted(request, listOf(R_CREDENTIAL), listOf("enrollment_credential", "pi.example.test"))
            assertRedacted(field, listOf(R_CREDENTIAL), listOf("enrollment_credential"))
            assertRedacted(recorder.send(request), listOf("deadbeefsig"), listOf("400"))
        }
    }

    @Test
    fun anAcceptedPushPrintsNoDisplayCode() {
        assertRedacted(PushVerdict.Accepted("862415"), listOf("862415"), listOf("Accepted"))
    }
}
