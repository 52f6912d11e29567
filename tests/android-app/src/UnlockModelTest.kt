package org.tessera.app.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.tessera.DeviceKeyFailure
import org.tessera.TesseraException
import org.tessera.UnlockMethod
import org.tessera.app.model.UnlockModel
import org.tessera.app.model.UnlockState
import org.tessera.app.platform.CipherAuthorizer
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertIs

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
}
