package org.tessera.app.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.tessera.DenyReason
import org.tessera.PushClient
import org.tessera.Vault
import org.tessera.app.model.AnswerResult
import org.tessera.app.model.OpenedRequest
import org.tessera.app.model.PushInboxModel
import org.tessera.app.platform.HttpPushTransport
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
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
        val new = inbox.refresh()
        val request = inbox.state.value.requests.single()
        assertEquals(listOf(request.id), new, "one request is new: the worker posts one notification for it")
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
    fun theNotificationOpensTheRequestAndThisWasntMeDeniesIt() = withInbox("deny") { inbox, user ->
        val (_, transaction) = PrivacyIdea.check(user, "push-pin")
        // What the worker does in the background, then the user taps the notification.
        val id = inbox.refresh()!!.single()
        inbox.open(id)
        assertEquals(OpenedRequest.Waiting(id), inbox.state.value.opened)
        val request = inbox.state.value.requests.single()
        assertEquals(id, request.id)
        assertTrue(request.choices.isEmpty())
        inbox.deny(request.id, DenyReason.NOT_ME)
        assertEquals(AnswerResult.Denied, inbox.state.value.lastAnswer)
        assertTrue(inbox.state.value.requests.isEmpty())
        assertEquals("REJECT", PrivacyIdea.check(user, "", transaction).first())
        assertEquals(emptyList(), inbox.refresh(), "nothing new after the answer")
        // The same notification tapped again (or another device answered first): it says so.
        inbox.open(id)
        assertEquals(OpenedRequest.Closed, inbox.state.value.opened)
        inbox.closeOpened()
        assertNull(inbox.state.value.opened)
        inbox.removeToken(inbox.state.value.tokens.single().serial)
        assertTrue(inbox.state.value.tokens.isEmpty(), "the token is gone")
        assertEquals(null, inbox.state.value.error)
    }
}
