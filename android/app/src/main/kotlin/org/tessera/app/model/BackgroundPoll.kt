package org.tessera.app.model

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.tessera.KeyProvider
import org.tessera.PollSlot
import org.tessera.PushDeviceKeys
import org.tessera.PushTransport
import org.tessera.TesseraException
import org.tessera.Vault

/** What one background fetch did. */
sealed interface BackgroundFetch {
    /** Fetched: [newIds] are the requests to notify about (each notification opens its own). */
    data class Fetched(val newIds: List<String>) : BackgroundFetch

    /** No server could be asked (network): try again later (WorkManager backs off). */
    data class Failed(val reason: String) : BackgroundFetch

    /** Background fetching is off (the user turned it off, or no vault yet): nothing to do. */
    data object Off : BackgroundFetch
}

/**
 * Sign-in requests fetched in the background (privacyIDEA's poll-only mode, WorkManager every
 * 15 minutes). With the app open, the session's inbox fetches; otherwise core's poll slot does,
 * with the vault left locked: a vault whose device key needs biometrics cannot be opened
 * without the user, so the slot holds only what polling needs (each token's serial, URL and
 * device-key alias; never a secret) under a second device key that needs no one ([slotKeys]).
 * The slot can fetch and verify requests, never answer them; the vault takes them in when the
 * user opens the app. Every rule is core's.
 */
class BackgroundPoll(
    private val vaultPath: String,
    private val slotKeys: KeyProvider,
    private val pushKeys: PushDeviceKeys,
    private val transport: PushTransport,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    /**
     * Turns the poll slot on or off to match the user's choice ([on]: "check for sign-in
     * requests in the background"), while [vault] is unlocked. Core keeps the slot in step with
     * the push tokens afterwards. Returns core's reason when it could not.
     */
    suspend fun setUp(vault: Vault, on: Boolean): String? = try {
        withContext(io) {
            when {
                on && !vault.hasPollSlot() -> vault.enablePollSlot(slotKeys)
                !on -> vault.disablePollSlot()
            }
        }
        null
    } catch (e: TesseraException) {
        e.message ?: e.javaClass.simpleName
    }

    /** Fetches through [session]'s inbox when the app is open, else through the poll slot. */
    suspend fun fetch(session: Session?): BackgroundFetch {
        if (session != null) {
            val ids = session.inbox.refresh() ?: return BackgroundFetch.Failed(session.inbox.state.value.error ?: "the fetch failed")
            return BackgroundFetch.Fetched(ids)
        }
        return try {
            withContext(io) {
                PollSlot(vaultPath, slotKeys, pushKeys, transport, null).use { slot ->
                    val poll = slot.poll()
                    val reached = poll.received.isNotEmpty() || poll.failed.isEmpty()
                    if (reached) BackgroundFetch.Fetched(poll.received.filter { it.isNew }.map { it.id })
                    else BackgroundFetch.Failed(poll.failed.joinToString("; ") { "${it.serial}: ${it.reason}" })
                }
            }
        } catch (e: TesseraException.NotFound) {
            BackgroundFetch.Off // no slot: background fetching is off, or no vault yet
        } catch (e: TesseraException) {
            BackgroundFetch.Failed(e.message ?: e.javaClass.simpleName)
        }
    }
}
