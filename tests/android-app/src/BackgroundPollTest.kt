package org.tessera.app.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.tessera.PushClient
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.app.model.AnswerResult
import org.tessera.app.model.BackgroundFetch
import org.tessera.app.model.BackgroundPoll
import org.tessera.app.model.OpenedRequest
import org.tessera.app.model.PushInboxModel
import org.tessera.app.platform.CipherAuthorizer
import org.tessera.app.platform.HttpPushTransport
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull

/**
 * The background worker's fetch while the vault needs biometrics, against the real privacyIDEA:
 * the vault's device key refuses without the user (as a biometric-bound Keystore key does in
 * the background), and core's poll slot fetches all the same under its own key.
 */
class BackgroundPollTest {
    @Test
    fun aBiometricVaultStaysLockedWhileTheSlotFetchesAndTheAppAnswersLater(): Unit = runBlocking {
        val (user, uri) = PrivacyIdea.fixture("slot") ?: return@runBlocking assumeTrue(false, "no privacyIDEA server")
        val keys = Pkcs12Store()
        val path = File(tempDir(), "vault.db").path
        val background = BackgroundPoll(path, keys.keyProvider(alias = "pollslot"), keys.pushKeys(), HttpPushTransport())
        assertEquals(BackgroundFetch.Off, background.fetch(null), "no vault yet: nothing to fetch")

        Vault.create(path, keys.keyProvider()).use { vault ->
            PushClient(vault, keys.pushKeys(), HttpPushTransport()).use { push ->
                assertNotNull(PushInboxModel(push).enroll(uri))
            }
            assertNull(background.setUp(vault, on = true))
        }
        // The app is closed: no prompt can be shown, so the vault's key refuses.
        val noUser = CipherAuthorizer { throw TesseraException.Cancelled() }
        assertFailsWith<TesseraException.Cancelled> { Vault.open(path, keys.keyProvider(authorizer = noUser)) }

        val (_, transaction) = PrivacyIdea.check(user, "push-pin")
        val fetched = assertIs<BackgroundFetch.Fetched>(background.fetch(null))
        val id = fetched.newIds.single()
        assertEquals(emptyList(), assertIs<BackgroundFetch.Fetched>(background.fetch(null)).newIds, "notified once")

        // The user taps the notification and unlocks: the vault takes the request in.
        Vault.open(path, keys.keyProvider()).use { vault ->
            PushClient(vault, keys.pushKeys(), HttpPushTransport()).use { push ->
                val inbox = PushInboxModel(push)
                inbox.open(id)
                assertEquals(OpenedRequest.Waiting(id), inbox.state.value.opened)
                inbox.approve(id)
                assertIs<AnswerResult.Approved>(inbox.state.value.lastAnswer)
                assertEquals("ACCEPT", PrivacyIdea.check(user, "", transaction).first())
            }
            // Turned off in settings: the slot is gone, and the worker has nothing to do.
            assertNull(background.setUp(vault, on = false))
        }
        assertEquals(BackgroundFetch.Off, background.fetch(null))
    }
}
