package org.tessera.app.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.tessera.DeviceKeyFailure
import org.tessera.TesseraException
import org.tessera.UnlockMethod
import org.tessera.Vault
import org.tessera.app.model.BackupModel
import org.tessera.app.model.UnlockModel
import org.tessera.app.model.UnlockState
import org.tessera.app.platform.CipherAuthorizer
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

class UnlockModelTest {
    private val dismissed = CipherAuthorizer { throw TesseraException.Cancelled() }

    private fun firstRun(keys: Pkcs12Store, path: String, password: String?) = runBlocking {
        val model = UnlockModel(path, keys.keyProvider())
        model.start()
        assertEquals(UnlockState.FirstRun, model.state.value)
        model.create(password)
        assertIs<UnlockState.Unlocked>(model.state.value).vault.close()
    }

    @Test
    fun theDeviceKeyOpensTheVaultWithoutAPrompt(): Unit = runBlocking {
        val keys = Pkcs12Store()
        val path = File(tempDir(), "vault.db").path
        firstRun(keys, path, null)
        val model = UnlockModel(path, keys.keyProvider())
        model.start()
        val unlocked = assertIs<UnlockState.Unlocked>(model.state.value)
        assertEquals(UnlockMethod.DEVICE_KEY, unlocked.method)
        unlocked.vault.close()
    }

    @Test
    fun aDismissedPromptFallsBackToThePasswordAndAWrongOneIsSaid(): Unit = runBlocking {
        val keys = Pkcs12Store()
        val path = File(tempDir(), "vault.db").path
        firstRun(keys, path, "correct horse battery staple")
        val model = UnlockModel(path, keys.keyProvider(authorizer = dismissed))
        model.start()
        assertEquals(UnlockState.PasswordNeeded(DeviceKeyFailure.Cancelled), model.state.value)
        model.submitPassword("wrong")
        assertEquals(UnlockState.PasswordNeeded(DeviceKeyFailure.Cancelled, wrongPassword = true), model.state.value)
        model.submitPassword("correct horse battery staple")
        val unlocked = assertIs<UnlockState.Unlocked>(model.state.value)
        assertEquals(UnlockMethod.PASSWORD, unlocked.method)
        unlocked.vault.close()
    }

    @Test
    fun withoutAPasswordADismissedPromptOffersToTryAgain(): Unit = runBlocking {
        val keys = Pkcs12Store()
        val path = File(tempDir(), "vault.db").path
        firstRun(keys, path, null)
        val model = UnlockModel(path, keys.keyProvider(authorizer = dismissed))
        model.start()
        assertEquals(UnlockState.Cancelled, model.state.value)
    }

    @Test
    fun aLostKeyIsReplacedAfterThePasswordSoTheNextUnlockNeedsNone(): Unit = runBlocking {
        val keys = Pkcs12Store()
        val path = File(tempDir(), "vault.db").path
        firstRun(keys, path, "correct horse battery staple")
        keys.keyProvider().deleteKey() // e.g. the lock screen was removed
        val model = UnlockModel(path, keys.keyProvider())
        model.start()
        assertEquals(UnlockState.PasswordNeeded(DeviceKeyFailure.Lost), model.state.value)
        model.submitPassword("correct horse battery staple")
        val unlocked = assertIs<UnlockState.Unlocked>(model.state.value)
        assertIs<String>(unlocked.notice, "the user is told a new device key was registered")
        unlocked.vault.close()
        val again = UnlockModel(path, keys.keyProvider())
        again.start()
        assertEquals(UnlockMethod.DEVICE_KEY, assertIs<UnlockState.Unlocked>(again.state.value).method)
        (again.state.value as UnlockState.Unlocked).vault.close()
    }

    @Test
    fun aLostKeyWithoutAPasswordIsKeyLost(): Unit = runBlocking {
        val keys = Pkcs12Store()
        val path = File(tempDir(), "vault.db").path
        firstRun(keys, path, null)
        keys.keyProvider().deleteKey()
        val model = UnlockModel(path, keys.keyProvider())
        model.start()
        assertIs<UnlockState.KeyLost>(model.state.value)
    }

    @Test
    fun aLostKeyWithoutAPasswordOpensWithTheRecoveryKeyAndATypingErrorIsSaid(): Unit = runBlocking {
        val keys = Pkcs12Store()
        val path = File(tempDir(), "vault.db").path
        val first = UnlockModel(path, keys.keyProvider())
        first.start()
        first.create(null)
        val key = assertIs<UnlockState.Unlocked>(first.state.value).vault.use { vault ->
            val backup = BackupModel(vault, { DirectoryFolder(File(it)) })
            backup.createRecoveryKey()
            backup.state.value.newRecoveryKey!!.text.also { backup.confirmRecoveryKeyWritten() }
        }
        // Another vault's key: well formed, but it opens nothing here.
        val foreign = Vault.create(File(tempDir(), "other.db").path, Pkcs12Store().keyProvider()).use { it.createRecoveryKey() }
        keys.keyProvider().deleteKey() // a new phone, or the lock screen removed

        val model = UnlockModel(path, keys.keyProvider())
        model.start()
        val asked = assertIs<UnlockState.PasswordNeeded>(model.state.value)
        assertEquals(DeviceKeyFailure.Lost, asked.why)
        assertFalse(asked.hasPassword, "no password to offer")
        assertTrue(asked.hasRecoveryKey, "the recovery key is offered instead")

        // Two neighbouring symbols swapped: core's check symbols catch it.
        val i = (0 until key.length - 1).first { key[it] != '-' && key[it + 1] != '-' && key[it] != key[it + 1] }
        val typo = key.substring(0, i) + key[i + 1] + key[i] + key.substring(i + 2)
        model.submitRecoveryKey(typo)
        val mistyped = assertIs<UnlockState.PasswordNeeded>(model.state.value)
        val said = assertNotNull(mistyped.recoveryKeyError)
        assertFalse(said.contains(typo.replace("-", "").take(8)), "the error does not repeat the key: $said")
        assertTrue(mistyped.hasRecoveryKey)

        model.submitRecoveryKey(foreign)
        assertEquals("This recovery key does not open this vault", assertIs<UnlockState.PasswordNeeded>(model.state.value).recoveryKeyError)

        model.submitRecoveryKey(key.lowercase().replace('-', ' '))
        val unlocked = assertIs<UnlockState.Unlocked>(model.state.value)
        assertEquals(UnlockMethod.RECOVERY_KEY, unlocked.method)
        assertIs<String>(unlocked.notice, "a new device key was registered")
        unlocked.vault.close()
        val again = UnlockModel(path, keys.keyProvider())
        again.start()
        assertEquals(UnlockMethod.DEVICE_KEY, assertIs<UnlockState.Unlocked>(again.state.value).method, "the next unlock needs nothing")
        (again.state.value as UnlockState.Unlocked).vault.close()
    }
}
