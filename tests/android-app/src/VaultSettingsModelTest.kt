package org.tessera.app.tests

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.app.model.VaultSettingsModel
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

class VaultSettingsModelTest {
    @Test
    fun aPasswordSetInSettingsOpensTheVaultAndABadOneIsRefused(): Unit = runBlocking {
        val path = File(tempDir(), "vault.db").path
        Vault.create(path, Pkcs12Store().keyProvider()).use { vault ->
            val settings = VaultSettingsModel(vault)
            settings.load()
            assertFalse(settings.state.value.hasPassword)
            settings.setPassword("")
            assertNotNull(settings.state.value.error, "core refuses an empty password")
            assertFalse(settings.state.value.hasPassword)
            settings.setPassword("correct horse battery staple")
            assertTrue(settings.state.value.hasPassword)
            assertEquals(null, settings.state.value.error)
        }
        Vault.openWithPassword(path, "correct horse battery staple").close()
        assertFailsWith<TesseraException.WrongPassword> { Vault.openWithPassword(path, "wrong") }
    }

    @Test
    fun theTrashRestoresAndPurges(): Unit = runBlocking {
        Vault.create(File(tempDir(), "vault.db").path, Pkcs12Store().keyProvider()).use { vault ->
            val a = vault.addUri("otpauth://totp/A:one?secret=JBSWY3DPEHPK3PXP&issuer=A")
            val b = vault.addUri("otpauth://totp/B:two?secret=KRUGS4ZAONUG65LMMQQGE6JA&issuer=B")
            vault.delete(a)
            vault.delete(b)
            val settings = VaultSettingsModel(vault)
            settings.load()
            assertEquals(setOf(a, b), settings.state.value.trash.map { it.id }.toSet())
            settings.restore(a)
            assertEquals(listOf(b), settings.state.value.trash.map { it.id })
            assertEquals(listOf(a), vault.list().map { it.id })
            settings.purge(b)
            assertTrue(settings.state.value.trash.isEmpty())
            assertEquals(listOf(a), vault.list().map { it.id }, "purging touches only the trash")
        }
    }
}
