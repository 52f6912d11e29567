package org.tessera.app.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.tessera.DenyReason
import org.tessera.PushClient
import org.tessera.Vault
import org.tessera.app.model.AnswerResult
import org.tessera.app.model.PushInboxModel
import org.tessera.app.platform.HttpPushTransport
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** The inbox state holder over the app's own adapters, against the real privacyIDEA. */
class PushInboxTest {
    private fun <T> withInbox(fixture: String, body: suspend (PushInboxModel, String) -> T) {
        val (user, uri) = PrivacyIdea.fixture(fixture) ?: return assumeTrue(false, "no privacyIDEA server")
        val keys = Pkcs12Store()
        Vault.create(File(tempDir(), "vault.db").path, keys.keyProvider()).use { vault ->
            PushClient(vault, keys.pushKeys(), HttpPushTransport()).use { push ->
                val inbox = PushInboxModel(push)
                runBlocking {
                    assertNotNull(inbox.enroll(uri), inbox.state.value.error)
                    assertEquals(1, inbox.state.value.tokens.size)
                    body(inbox, user)
                }
            }
        }
    }

    @Test
    fun numberMatchingOffersTheNumbersAndOnlyTheShownOneSignsIn() = withInbox("numbers") { inbox, user ->
        val (auth, transaction, shown) = PrivacyIdea.check(user, "push-pin")
        assertEquals("CHALLENGE", auth)
        assertEquals(1, inbox.refresh(), "one request is new")
        val request = inbox.state.value.requests.single()
        assertTrue(request.isNew)
        assertEquals(inbox.state.value.tokens.single().issuer, request.issuer, "the inbox names the token's issuer")
        assertEquals(false, inbox.state.value.hidden(request), "no app_force_unlock on this token")
        assertEquals(3, request.choices.size)
        assertTrue(shown in request.choices, "the login screen's number is among the buttons")

        inbox.choose(request.id, request.choices.first { it != shown })
        assertEquals(AnswerResult.Refused, inbox.state.value.lastAnswer, "a wrong number is refused by the server")
        inbox.choose(request.id, shown)
        assertIs<AnswerResult.Approved>(inbox.state.value.lastAnswer)
        assertTrue(inbox.state.value.requests.isEmpty(), "an answered request leaves the inbox")
        assertEquals("ACCEPT", PrivacyIdea.check(user, "", transaction).first())
    }

    @Test
    fun thisWasntMeDeniesTheSignIn() = withInbox("deny") { inbox, user ->
        val (_, transaction) = PrivacyIdea.check(user, "push-pin")
        inbox.refresh()
        val request = inbox.state.value.requests.single()
        assertTrue(request.choices.isEmpty())
        inbox.deny(request.id, DenyReason.NOT_ME)
        assertEquals(AnswerResult.Denied, inbox.state.value.lastAnswer)
        assertTrue(inbox.state.value.requests.isEmpty())
        assertEquals("REJECT", PrivacyIdea.check(user, "", transaction).first())
        assertEquals(0, inbox.refresh(), "nothing new after the answer")
        inbox.removeToken(inbox.state.value.tokens.single().serial)
        assertTrue(inbox.state.value.tokens.isEmpty(), "the token is gone")
        assertEquals(null, inbox.state.value.error)
    }
}
