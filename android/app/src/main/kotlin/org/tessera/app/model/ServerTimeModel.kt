package org.tessera.app.model

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import org.tessera.PushClient
import org.tessera.ServerTimeStatus
import org.tessera.Vault

/** The settings screen's server-time part. */
data class ServerTimeState(
    /** The offset as last measured (`null`: never synced; codes use the device clock). */
    val status: ServerTimeStatus? = null,
    /** A failure to show (core's reason). */
    val error: String? = null,
)

/**
 * Server time: phones' clocks drift and codes from a wrong clock are refused, so core learns the
 * offset from a server's `Date` (every push response does it too) and corrects codes by it.
 * Core decides which URLs may be asked and when the offset deserves a warning (`status.warning`).
 */
class ServerTimeModel(
    private val vault: Vault,
    private val push: PushClient,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val _state = MutableStateFlow(ServerTimeState())

    /** The screen's state. */
    val state: StateFlow<ServerTimeState> = _state.asStateFlow()

    private fun fail(reason: String) = _state.update { it.copy(error = reason) }

    /** Reads the stored offset. */
    suspend fun load() {
        val stored = coreCall(io, ::fail) { listOfNotNull(vault.serverTime()) } ?: return
        _state.value = ServerTimeState(status = stored.firstOrNull())
    }

    /**
     * Measures the offset against [url], or, when none is given, against the server core picks
     * (the first push token's; core says when there is none).
     */
    suspend fun sync(url: String? = null) {
        val status = coreCall(io, ::fail) { push.syncTime(url, false) } ?: return
        _state.value = ServerTimeState(status = status)
    }

    /** Forgets the offset: codes use the device clock again. */
    suspend fun reset() {
        coreCall(io, ::fail) { vault.resetServerTime() } ?: return
        _state.value = ServerTimeState()
    }
}
