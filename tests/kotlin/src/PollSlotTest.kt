package org.tessera.tests

import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.tessera.KeyProvider
import org.tessera.PollSlot
import org.tessera.PushClient
import org.tessera.PushVerdict
import org.tessera.TesseraException
import org.tessera.Vault
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/**
 * A device key bound to biometric authentication, as the Android Keystore holds one with
 * `setUserAuthenticationRequired`: in the background there is no prompt, and unwrapping fails
 * the way `BiometricPrompt` reports it (here `Cancelled`) until the user is present.
 */
class BiometricKeyProvider : KeyProvider {
    private val key = JvmKeyProvider()
    var userPresent = true

    override fun wrap(key: ByteArray): ByteArray = this.key.wrap(key)

    override fun unwrap(wrapped: ByteArray): ByteArray {
        if (!userPresent) throw TesseraException.Cancelled()
        return key.unwrap(wrapped)
    }
}

class PollSlotTest {
    @Test
    fun aBackgroundPollFetchesThroughTheSlotWhileTheVaultStaysLocked() {
        val base = System.getenv("TESSERA_PI_URL")
        val user = System.getenv("TESSERA_PI_PUSH_USER_slot")
        val uri = System.getenv("TESSERA_PI_PUSH_URI_slot")
        if (base == null || user == null || uri == null) {
            println("SKIPPED poll slot test: no privacyIDEA push fixture (run ./tests/run-all.sh)")
            return assumeTrue(false, "no privacyIDEA server")
        }
        val page = ResetPage(base, user)
        val path = tempVaultPath()
        val deviceKey = BiometricKeyProvider()
        val pushKeys = JvmPushKeys()
        val background = JvmKeyProvider() // the second device key: no user presence needed
        val serial = Vault.create(path, deviceKey).use { vault ->
            PushClient(vault, pushKeys, JvmTransport()).use { push ->
                val token = push.enroll(uri, 2048u)
                assertFalse(vault.hasPollSlot())
                vault.enablePollSlot(background)
                assertTrue(vault.hasPollSlot())
                token.serial
            }
        }
        // the slot holds no secret in the clear: not even the serial
        val slotFile = File("$path-pollslot")
        assertFalse(String(slotFile.readBytes(), Charsets.ISO_8859_1).contains(serial))

        // the app is in the background: the vault cannot be opened without the user
        deviceKey.userPresent = false
        assertFailsWith<TesseraException.Cancelled> { Vault.open(path, deviceKey) }
        val transaction = page.trigger()
        val fetched = PollSlot(path, background, pushKeys, JvmTransport()).use { slot ->
            val poll = slot.poll()
            assertEquals(emptyList(), poll.failed)
            assertEquals(emptyList(), poll.rejected)
            val request = poll.received.single()
            assertTrue(request.isNew, "a notification announces it")
            assertEquals(serial, request.serial)
            assertEquals(120uL, request.secondsLeft)
            assertEquals(listOf(request.id), slot.pending().map { it.id })
            assertFalse(slot.poll().received.single().isNew, "announced once")
            request
        }
        // the slot's key is its own: the biometric device key does not open it, nor does another
        assertFailsWith<TesseraException.WrongKey> { PollSlot(path, JvmKeyProvider(), pushKeys, JvmTransport()) }

        // the user opens the app: the vault takes the request in, and the user approves it
        deviceKey.userPresent = true
        Vault.open(path, deviceKey).use { vault ->
            PushClient(vault, pushKeys, JvmTransport()).use { push ->
                val inbox = push.pending().single()
                assertEquals(fetched.id, inbox.id)
                assertEquals(fetched.receivedAt, inbox.receivedAt, "taking it in does not extend its time")
                assertEquals(PushVerdict.Accepted(null), push.approve(inbox.id))
                assertEquals("ACCEPT", page.finish(transaction))

                // turned off: the slot is gone, and a background poll says so
                assertTrue(vault.disablePollSlot())
                assertFalse(slotFile.exists())
                assertFailsWith<TesseraException.NotFound> { PollSlot(path, background, pushKeys, JvmTransport()) }
                assertTrue(push.removeToken(serial))
            }
        }
    }
}
