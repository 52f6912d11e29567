package org.tessera.app.model

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import org.tessera.AccountInfo
import org.tessera.Vault

/** The settings screen's vault part. */
data class VaultSettingsState(
    /** A password can open the vault besides the device key. */
    val hasPassword: Boolean = false,
    /** The accounts in the trash. */
    val trash: List<AccountInfo> = emptyList(),
    /** Something to tell the user once ("Password changed"). */
    val message: String? = null,
    /** A failure to show (core's reason). */
    val error: String? = null,
)

/**
 * The settings that act on the vault: its password (the second way in) and the trash. Core
 * checks every password (length, cost) and keeps a way in at all times; this forwards.
 */
class VaultSettingsModel(
    private val vault: Vault,
    private val io: CoroutineDispatcher = Dispatchers.IO,
    /** Called after the trash changed the vault's accounts (automatic backups). */
    private val onChanged: () -> Unit = {},
) {
    private val _state = MutableStateFlow(VaultSettingsState())

    /** The screen's state. */
    val state: StateFlow<VaultSettingsState> = _state.asStateFlow()

    private fun fail(reason: String) = _state.update { it.copy(error = reason, message = null) }

    /** Reads the password state and the trash. */
    suspend fun load() {
        val (has, trash) = coreCall(io, ::fail) { vault.hasPassword() to vault.trash() } ?: return
        _state.update { it.copy(hasPassword = has, trash = trash, error = null) }
    }

    /** Sets or changes the password (slow by design: Argon2id). */
    suspend fun setPassword(password: String) {
        coreCall(io, ::fail) { vault.setPassword(password, null) } ?: return
        _state.update { it.copy(hasPassword = true, message = "Password saved", error = null) }
    }

    /** Removes the password (core refuses unless the device key opened the vault). */
    suspend fun removePassword() {
        coreCall(io, ::fail) { vault.removePassword() } ?: return
        _state.update { it.copy(hasPassword = false, message = "Password removed", error = null) }
    }

    /** Brings an account back from the trash. */
    suspend fun restore(id: String) {
        coreCall(io, ::fail) { vault.restore(id) } ?: return
        onChanged()
        load()
    }

    /** Deletes an account from the trash for good. */
    suspend fun purge(id: String) {
        coreCall(io, ::fail) { vault.purge(id) } ?: return
        onChanged()
        load()
    }
}
