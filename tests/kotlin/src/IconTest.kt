package org.tessera.tests

import java.io.File
import java.nio.file.Files
import java.util.Base64
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.tessera.AccountIcon
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.importIntoVault
import kotlin.test.assertFailsWith

/** Account pictures as a shell sees them: a flag in lists, the picture one account at a time. */
class IconTest {
    private val aegis = File("tests/fixtures/transfer/aegis_icons.json").readText()

    /** The image make_icons.py put into the fixture's entry for `issuer`, decoded here. */
    private fun iconOf(issuer: String): ByteArray {
        // Within an entry, make_icons.py writes "issuer" before "icon" and no "}" between.
        val entry = Regex("\"issuer\": \"$issuer\"[^}]*?\"icon\": \"([^\"]+)\"").find(aegis)!!
        return Base64.getDecoder().decode(entry.groupValues[1])
    }

    private fun vaultWithAegisIcons(): Vault {
        val dir = Files.createTempDirectory("tessera-icons")
        val vault = Vault.create(dir.resolve("vault.sqlite").toString(), XorKeys(), null)
        importIntoVault(vault, aegis.toByteArray(), null, null, false)
        return vault
    }

    @Test
    fun anAegisIconIsImportedAndReadBackByItsAccount() {
        vaultWithAegisIcons().use { vault ->
            val accounts = vault.list(null)
            val svg = accounts.single { it.issuer == "Svg" }
            val png = accounts.single { it.issuer == "Png" }
            val none = accounts.single { it.issuer == "NoIcon" }
            assertTrue(svg.hasPicture)
            assertFalse(none.hasPicture)
            // An icon whose hash does not match is left behind; its account is not.
            assertFalse(accounts.single { it.issuer == "WrongHash" }.hasPicture)

            val icon = vault.accountIcon(svg.id) as AccountIcon.Image
            assertEquals("image/svg+xml", icon.mediaType)
            assertArrayEquals(iconOf("Svg"), icon.data)
            val pngIcon = vault.accountIcon(png.id) as AccountIcon.Image
            assertEquals("image/png", pngIcon.mediaType)
            assertArrayEquals(iconOf("Png"), pngIcon.data)
            assertNull(vault.accountIcon(none.id))
            // The code list carries the same flag.
            assertTrue(vault.codeList(null).items.single { it.id == svg.id }.hasPicture)
            // Printing an icon shows its size, not its bytes.
            assertTrue(icon.toString().contains("bytes: ${icon.data.size}"), icon.toString())
        }
    }

    @Test
    fun anAppSetsAndRemovesAPictureAndBadOnesChangeNothing() {
        vaultWithAegisIcons().use { vault ->
            val id = vault.list(null).single { it.issuer == "NoIcon" }.id
            val tile = AccountIcon.Reference("2fas", "", "AB", "Orange", true)
            vault.setAccountIcon(id, tile)
            assertEquals(tile, vault.accountIcon(id))
            val e = assertFailsWith<TesseraException.InvalidInput> {
                vault.setAccountIcon(id, AccountIcon.Image("image/png", iconOf("Svg")))
            }
            assertTrue(e.message!!.contains("image/png"), e.message)
            assertEquals(tile, vault.accountIcon(id), "unchanged")
            vault.setAccountIcon(id, null)
            assertNull(vault.accountIcon(id))
        }
    }
}
