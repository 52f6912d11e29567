package org.tessera.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.tessera.CodesQuery
import org.tessera.Vault

/**
 * Getting started, as `android/README.md` quotes it: a vault whose key the platform keystore
 * wraps, an account from a scanned QR code's text, and the list a codes screen shows with the
 * moment it must be refreshed. The expected code is RFC 6238's (its SHA-1 table gives
 * 94287082 at T = 59 s; six digits are the last six), not Tessera's own output.
 */
class GettingStartedTest {
    @Test
    fun gettingStarted() {
        // The vault key is wrapped by a KeyProvider: on Android an AES-256-GCM key in the
        // Android Keystore; here JvmKeyProvider (Support.kt), an AES key in memory.
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            vault.addUri(
                "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example",
            )

            // What the codes screen shows at T = 59 s (codeList() uses the vault's clock).
            val list = vault.codeListAt(CodesQuery(), 59_000uL)
            val item = list.items.single()
            assertEquals("Example (alice)", item.displayName)
            assertEquals("287082", item.code)
            assertEquals("287 082", item.displayCode)
            assertEquals(60uL, item.validUntil)

            // One timer for the whole screen: the next code changes at the period's end.
            assertEquals(60uL, list.nextChangeAt)
            assertEquals(1_000uL, list.nextChangeInMs)
        }
    }
}
