package org.tessera.app.model

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.withContext
import org.tessera.Clock
import org.tessera.DeviceKeyFailure
import org.tessera.KeyProvider
import org.tessera.TesseraException
import org.tessera.UnlockMethod
import org.tessera.Unlocker
import org.tessera.Vault
import org.tessera.vaultStatus

/** Which unlock screen to show. */
sealed interface UnlockState {
    /** Reading the vault's status. */
    data object Checking : UnlockState

    /** No vault yet: the first-run screen (create it, optionally with a password, then offer an import). */
    data object FirstRun : UnlockState

    /** The vault was written by a newer Tessera: ask the user to update the app. */
    data class NewerVersion(val reason: String) : UnlockState

    /** The device key is being used (a biometric prompt may be showing). */
    data object Unlocking : UnlockState

    /**
     * The device key did not open the vault; ask for the password, or the recovery key. [why]
     * explains it, [wrongPassword] after a miss.
     */
    data class PasswordNeeded(
        val why: DeviceKeyFailure?,
        val wrongPassword: Boolean = false,
        /** The vault has a password (false: only its recovery key opens it now). */
        val hasPassword: Boolean = true,
        /** The vault has a recovery key: offer it ("forgot your password?"). */
        val hasRecoveryKey: Boolean = false,
        /** Why the recovery key typed did not open the vault (a typing error core found, or another vault's key). */
        val recoveryKeyError: String? = null,
    ) : UnlockState

    /** The user dismissed the prompt and the vault has no password: offer to try again. */
    data object Cancelled : UnlockState

    /** The device key is lost and there is no password: the vault cannot be opened here. */
    data class KeyLost(val reason: String) : UnlockState

    /** Open. [notice] is something to tell the user once (a new device key was registered, or could not be). */
    data class Unlocked(val vault: Vault, val method: UnlockMethod, val notice: String? = null) : UnlockState

    /** Anything else, with core's reason. */
    data class Failed(val reason: String) : UnlockState
}

/**
 * The unlock screen's state holder over core's unlock policy (`Unlocker`: the device key first,
 * the password when core asks for it, a lost device key registered again afterwards). The app
 * decides nothing here: every branch is a result or an error core returned.
 */
class UnlockModel(
    private val path: String,
    private val keys: KeyProvider,
    private val clock: Clock? = null,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val _state = MutableStateFlow<UnlockState>(UnlockState.Checking)

    /** The screen's state. */
    val state: StateFlow<UnlockState> = _state.asStateFlow()

    private var unlocker: Unlocker? = null

    /** Reads the vault's status, then tries the device key (or shows the first-run screen). */
    suspend fun start() {
        _state.value = UnlockState.Checking
        val status = attempt { vaultStatus(path) } ?: return
        when {
            !status.exists -> _state.value = UnlockState.FirstRun
            status.newerVersion -> _state.value = UnlockState.NewerVersion("written by a newer version of Tessera")
            else -> unlock(null)
        }
    }

    /** Tries the device key again (after a dismissed prompt). */
    suspend fun retryDeviceKey() = unlock(null)

    /** Unlocks with the password the user typed. */
    suspend fun submitPassword(password: String) = unlock(password)

    /**
     * Unlocks with the recovery key as the user typed it (case, spaces and dashes do not
     * matter to core), when the device key is gone and the password forgotten; a new device
     * key is registered afterwards, as after a password.
     */
    suspend fun submitRecoveryKey(recoveryKey: String) = unlock(null, recoveryKey)

    /**
     * First run: creates the vault with its device key and, when [password] is given, the
     * password as the second way in.
     */
    suspend fun create(password: String?) {
        _state.value = UnlockState.Unlocking
        val vault = attempt {
            Vault.create(path, keys, clock).also { vault ->
                try {
                    if (password != null) vault.setPassword(password, null)
                } catch (e: TesseraException) {
                    vault.close()
                    throw e
                }
            }
        } ?: return
        _state.value = UnlockState.Unlocked(vault, UnlockMethod.DEVICE_KEY)
    }

    /** Locks the open vault (app lock after the idle time, or the user asked). */
    fun lock() {
        (_state.value as? UnlockState.Unlocked)?.vault?.lock()
        unlocker = null
        _state.value = UnlockState.Checking
    }

    private suspend fun unlock(password: String?, recoveryKey: String? = null) {
        val asked = _state.value as? UnlockState.PasswordNeeded
        _state.value = UnlockState.Unlocking
        val unlocker = unlocker ?: (attempt { Unlocker(path, keys, clock) } ?: return).also { unlocker = it }
        try {
            val result = withContext(io) {
                if (recoveryKey != null) unlocker.unlockWithRecoveryKey(recoveryKey) else unlocker.unlock(password)
            }
            val notice = when {
                result.deviceKeyRenewed -> "A new device key was registered: next time the vault opens without the password."
                else -> result.deviceKeyProblem
            }
            _state.value = UnlockState.Unlocked(result.vault, result.method, notice)
            this.unlocker = null
        } catch (e: TesseraException.PasswordRequired) {
            _state.value = passwordNeeded(unlocker)
        } catch (e: TesseraException.WrongPassword) {
            _state.value = if (recoveryKey != null) {
                passwordNeeded(unlocker).copy(recoveryKeyError = "This recovery key does not open this vault")
            } else {
                passwordNeeded(unlocker).copy(wrongPassword = true)
            }
        } catch (e: TesseraException.InvalidInput) {
            // Only a recovery key can be mistyped in a way core catches (its check symbols).
            _state.value = (asked ?: passwordNeeded(unlocker)).copy(recoveryKeyError = e.message ?: "not a recovery key")
        } catch (e: TesseraException.Cancelled) {
            _state.value = UnlockState.Cancelled
        } catch (e: TesseraException.KeyLost) {
            _state.value = UnlockState.KeyLost(e.message ?: "")
        } catch (e: TesseraException.NewerVersion) {
            _state.value = UnlockState.NewerVersion(e.message ?: "")
        } catch (e: TesseraException) {
            _state.value = UnlockState.Failed(e.message ?: e.javaClass.simpleName)
        }
    }

    // Which ways in to offer: core's status of the vault file (no key needed to read it).
    private suspend fun passwordNeeded(unlocker: Unlocker): UnlockState.PasswordNeeded {
        val status = withContext(io) {
            try {
                vaultStatus(path)
            } catch (e: TesseraException) {
                null
            }
        }
        return UnlockState.PasswordNeeded(
            unlocker.deviceKeyFailure(),
            hasPassword = status?.hasPassword ?: true,
            hasRecoveryKey = status?.hasRecoveryKey ?: false,
        )
    }

    private suspend fun <T> attempt(call: () -> T): T? =
        coreCall(io, { _state.value = UnlockState.Failed(it) }, call)
}
