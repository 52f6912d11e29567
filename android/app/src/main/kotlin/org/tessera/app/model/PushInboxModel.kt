package org.tessera.app.model

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import org.tessera.DenyReason
import org.tessera.PushClient
import org.tessera.PushRequest
import org.tessera.PushTokenInfo
import org.tessera.PushVerdict
import org.tessera.RequestState

/** What the last answer did, for the inbox to say. Printing it does not show a display code. */
sealed interface AnswerResult {
    /** The server took the approval; with code-to-phone, show [displayCode] to type at the login. */
    class Approved(val displayCode: String?) : AnswerResult {
        override fun toString() = "Approved(displayCode=${if (displayCode == null) "none" else "<redacted>"})"
    }

    /** The server took the denial. */
    data object Denied : AnswerResult

    /** The server refused the answer (a wrong number, expired, withdrawn); a wrong number may be retried. */
    data object Refused : AnswerResult

    /** The answer may not have arrived; the request stays and can be answered again. */
    data class NotDelivered(val reason: String) : AnswerResult
}

/** A request the user opened from its notification ([PushInboxModel.open]), as core found it. */
sealed interface OpenedRequest {
    /** It still waits for an answer: show it first, marked. */
    data class Waiting(val id: String) : OpenedRequest

    /** Its time ran out before it was answered. */
    data object Expired : OpenedRequest

    /** It was answered (here or on another device) or withdrawn: nothing is left to do. */
    data object Closed : OpenedRequest

    /** This vault has no such request: it never arrived, or its push account was removed. */
    data object Unknown : OpenedRequest
}

/** The push inbox screen. */
data class InboxState(
    /** Requests waiting for an answer, oldest first. */
    val requests: List<PushRequest> = emptyList(),
    /** The enrolled push tokens. */
    val tokens: List<PushTokenInfo> = emptyList(),
    /** A fetch is running (pull-to-refresh spinner). */
    val refreshing: Boolean = false,
    /** Servers that could not be asked in the last fetch, with why. */
    val unreachable: List<String> = emptyList(),
    /** What the last answer did. */
    val lastAnswer: AnswerResult? = null,
    /** The user confirmed who they are in this session (for tokens enrolled with `app_force_unlock`). */
    val confirmedForForcedUnlock: Boolean = false,
    /** The request a notification opened, or what became of it. */
    val opened: OpenedRequest? = null,
    /** A failure to show, cleared by the next success. */
    val error: String? = null,
) {
    /**
     * True when [request]'s token demands an unlock (`app_force_unlock`) that this session has
     * not had yet: show it hidden behind an unlock button, and answer it only after
     * [PushInboxModel.confirmedUnlock].
     */
    fun hidden(request: PushRequest): Boolean = request.forceUnlock != null && !confirmedForForcedUnlock
}

/**
 * The push inbox's state holder: fetches requests (when the app opens, on pull-to-refresh, from
 * the background worker), answers them and enrolls tokens. Every rule (verification, expiry,
 * replay, number matching) is core's; this forwards and keeps the screen's state.
 */
class PushInboxModel(
    private val push: PushClient,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val _state = MutableStateFlow(InboxState())

    /** The screen's state. */
    val state: StateFlow<InboxState> = _state.asStateFlow()

    private fun fail(message: String) = _state.update { it.copy(error = message) }

    /**
     * Asks every token's server for requests; returns the ids of those new since the last
     * fetch (core's mark: the background worker posts one notification for each, opening it
     * through [requestLink][org.tessera.app.platform.requestLink]), or `null` when the fetch
     * failed.
     */
    suspend fun refresh(): List<String>? {
        _state.update { it.copy(refreshing = true) }
        val result = coreCall(io, ::fail) {
            val poll = push.poll()
            Triple(poll, push.pending(), push.tokens())
        }
        _state.update { s ->
            if (result == null) return@update s.copy(refreshing = false)
            val (poll, pending, tokens) = result
            s.copy(
                requests = pending, tokens = tokens, refreshing = false, error = null,
                unreachable = poll.failed.map { "${it.serial}: ${it.reason}" },
            )
        }
        return result?.second?.filter { it.isNew }?.map { it.id }
    }

    /**
     * The user tapped a request's notification: fetches (the notification may be newer than
     * the inbox), then core says what became of the request: still waiting (shown first),
     * expired, closed or unknown. A failed fetch still shows what the vault holds.
     */
    suspend fun open(id: String) {
        refresh()
        val (found, pending) = coreCall(io, ::fail) { push.requestState(id) to push.pending() } ?: return
        val opened = when (found) {
            is RequestState.Pending -> OpenedRequest.Waiting(found.request.id)
            RequestState.Expired -> OpenedRequest.Expired
            RequestState.Closed -> OpenedRequest.Closed
            RequestState.Unknown -> OpenedRequest.Unknown
        }
        _state.update { it.copy(requests = pending, opened = opened) }
    }

    /** The user saw what [InboxState.opened] said. */
    fun closeOpened() = _state.update { it.copy(opened = null) }

    /** The user passed the unlock a token demands (`app_force_unlock`): its requests are shown. */
    fun confirmedUnlock() = _state.update { it.copy(confirmedForForcedUnlock = true) }

    /** Removes a push token with its requests and device key (one core call). */
    suspend fun removeToken(serial: String) {
        coreCall(io, ::fail) { push.removeToken(serial) } ?: return
        coreCall(io, ::fail) { push.tokens() to push.pending() }?.let { (tokens, pending) ->
            _state.update { it.copy(tokens = tokens, requests = pending, error = null) }
        }
    }

    /** Approves a request without number matching. */
    suspend fun approve(id: String) = answer(id) { push.approve(id) }

    /** Number matching: approves with the number the user tapped. */
    suspend fun choose(id: String, choice: String) = answer(id) { push.choose(id, choice) }

    /** Denies a request: [DenyReason.NOT_ME] ("this wasn't me") or [DenyReason.CANCEL]. */
    suspend fun deny(id: String, reason: DenyReason) = answer(id, denial = true) { push.deny(id, reason) }

    /** Enrolls the push token of a scanned or opened `otpauth://pipush/…` / `pia://…` link. */
    suspend fun enroll(uri: String, allowInsecureTransport: Boolean = false): PushTokenInfo? {
        val token = coreCall(io, ::fail) { push.enroll(uri, KEY_BITS, null, allowInsecureTransport) } ?: return null
        coreCall(io, ::fail) { push.tokens() }?.let { tokens -> _state.update { it.copy(tokens = tokens, error = null) } }
        return token
    }

    private suspend fun answer(id: String, denial: Boolean = false, call: () -> PushVerdict) {
        val request = _state.value.requests.firstOrNull { it.id == id }
        if (request != null && _state.value.hidden(request)) {
            fail("This sign-in asks you to unlock first")
            return
        }
        val verdict = coreCall(io, ::fail, call) ?: return
        val result = when (verdict) {
            is PushVerdict.Accepted -> if (denial) AnswerResult.Denied else AnswerResult.Approved(verdict.displayCode)
            is PushVerdict.Refused -> AnswerResult.Refused
            is PushVerdict.NetworkFailure -> AnswerResult.NotDelivered(verdict.reason)
        }
        val pending = coreCall(io, ::fail) { push.pending() } ?: _state.value.requests
        _state.update { it.copy(requests = pending, lastAnswer = result, error = null) }
    }

    private companion object {
        // privacyIDEA's app default; 4096 doubles the time of every signature on old phones.
        const val KEY_BITS = 2048u
    }
}
