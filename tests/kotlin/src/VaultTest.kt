package org.tessera.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.tessera.AccountChange
import org.tessera.ImportFormat
import org.tessera.ImportOutcome
import org.tessera.ListFilter
import org.tessera.OtpKind
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.importIntoVault
import org.tessera.offsetWarningSeconds
import kotlin.test.assertFailsWith
import kotlin.test.assertIs

class VaultTest {
    @Test
    fun opensVaultWithKotlinKeyProvider() {
        val path = tempVaultPath()
        val keys = JvmKeyProvider()
        Vault.create(path, keys).use { it.add(otpAccount("ACME", "alice")) }
        Vault.open(path, keys).use { vault ->
            assertEquals(listOf("alice"), vault.list().map { it.label })
        }
        assertTrue(keys.unwrapCalls >= 1, "the vault key was unwrapped by the Kotlin provider")
        assertFailsWith<TesseraException.WrongKey> { Vault.open(path, JvmKeyProvider()) }
    }

    @Test
    fun addListCodesUpdateDelete() {
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            val rfc = vault.add(otpAccount("RFC", "sha1", digits = 8))
            val google = vault.addUri(GOOGLE_EXAMPLE)
            assertEquals(listOf("RFC", "Example"), vault.list().map { it.issuer })

            val codes = vault.codesAt(59uL).associateBy { it.id }
            assertEquals("94287082", codes.getValue(rfc).code) // RFC 6238, T = 59
            assertEquals(1u, codes.getValue(rfc).remainingSeconds)
            assertNull(codes.getValue(rfc).problem)
            assertEquals(6, codes.getValue(google).code?.length)

            vault.update(rfc, AccountChange(issuer = "RFC 6238", favorite = true, groups = listOf("work")))
            val updated = vault.accountInfo(rfc)
            assertEquals("RFC 6238", updated.issuer)
            assertTrue(updated.favorite)
            assertEquals(listOf("work"), vault.groups())
            assertEquals(listOf(rfc), vault.list(ListFilter(group = "work")).map { it.id })
            assertEquals(listOf(google), vault.list(ListFilter(text = "alice")).map { it.id })

            vault.update(google, AccountChange(note = "recovery codes in the safe"))
            assertEquals("recovery codes in the safe", vault.accountWithSecret(google).note)

            vault.delete(google)
            assertEquals(listOf(rfc), vault.list().map { it.id })
            assertEquals(listOf(google), vault.trash().map { it.id })
            assertEquals(1, vault.codesAt(59uL).size)
            vault.restore(google)
            assertEquals(2, vault.list().size)
            vault.delete(google)
            vault.purge(google)
            assertTrue(vault.trash().isEmpty())
            assertFailsWith<TesseraException.NotFound> { vault.accountInfo(google) }
        }
    }

    @Test
    fun nextHotpCommitsTheCounterAndFollowsRfc4226() {
        val path = tempVaultPath()
        val keys = JvmKeyProvider()
        Vault.create(path, keys).use { vault ->
            val id = vault.add(otpAccount("Bank", "hotp", kind = OtpKind.HOTP, counter = 0))
            assertEquals("755224", vault.codesAt(0uL).single().code) // counter 0, not advanced
            assertEquals("287082", vault.nextHotp(id).code) // RFC 4226 counter 1
        }
        Vault.open(path, keys).use { vault ->
            val id = vault.list().single().id
            assertEquals(1uL, vault.accountInfo(id).params.counter)
            assertEquals("359152", vault.nextHotp(id).code) // counter 2
        }
    }

    @Test
    fun codesFollowTheVaultsKotlinClock() {
        Vault.create(tempVaultPath(), JvmKeyProvider(), FixedClock(59)).use { vault ->
            vault.add(otpAccount("RFC", "sha1", digits = 8))
            assertEquals("94287082", vault.codes().single().code)
        }
    }

    @Test
    fun serverTimeCorrectsCodesWhenTheDeviceClockIsAnHourBehind() {
        // RFC 6238's SHA1 vector at Unix 2000000000 is 69279037; the device believes it is an
        // hour earlier, and a server's Date header says the true time.
        Vault.create(tempVaultPath(), JvmKeyProvider(), FixedClock(2_000_000_000L - 3600)).use { vault ->
            vault.add(otpAccount("RFC", "sha1", digits = 8))
            assertNull(vault.serverTime())
            val status = vault.recordServerDate(
                "Wed, 18 May 2033 03:33:20 GMT", "https://user:pw@pi.example/ttype/push?serial=X")
            assertTrue(status.offsetSeconds in 3599L..3601L, "offset ${status.offsetSeconds}")
            assertTrue(status.warning, "an hour is above the ${offsetWarningSeconds()} s threshold")
            assertEquals("pi.example", status.source, "host only: no password, path or query")
            assertEquals(2_000_000_000uL, status.syncedAt)
            assertEquals("69279037", vault.codes().single().code)
            assertTrue(vault.nowUnix() in 1_999_999_999uL..2_000_000_001uL)
            assertEquals(status, vault.serverTime())

            assertFailsWith<TesseraException.InvalidInput> { vault.recordServerDate("yesterday", "https://pi.example/") }
            assertEquals(status, vault.serverTime(), "a bad date changes nothing")
            vault.resetServerTime()
            assertNull(vault.serverTime())
            assertEquals(1_999_996_400uL, vault.nowUnix(), "the device clock again")
            assertEquals(30L, offsetWarningSeconds())
        }
    }

    @Test
    fun backupRoundTripRestoresEveryAccountOnceAndRefusesWrongPassword() {
        val backup = Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            vault.add(otpAccount("RFC", "sha1", digits = 8))
            vault.addUri(GOOGLE_EXAMPLE)
            vault.update(vault.list().first().id, AccountChange(note = "n1"))
            vault.exportBackup("backup password", CHEAP_KDF)
        }
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { restored ->
            // A backup is restored like any other file: one path, one report.
            assertFailsWith<TesseraException.WrongPassword> { importIntoVault(restored, backup, password = "nope") }
            assertFailsWith<TesseraException.PasswordRequired> { importIntoVault(restored, backup) }
            assertTrue(restored.list().isEmpty(), "a wrong password imports nothing")

            val report = importIntoVault(restored, backup, password = "backup password")
            assertEquals(ImportFormat.TESSERA_BACKUP, report.format)
            assertEquals(2uL, report.imported)
            assertEquals(listOf("RFC", "Example"), restored.list().map { it.issuer })
            assertEquals("n1", restored.accountWithSecret(restored.list().first().id).note)
            assertEquals("94287082", restored.codesAt(59uL).first().code)

            val again = importIntoVault(restored, backup, password = "backup password")
            assertTrue(again.entries.all { it.outcome is ImportOutcome.Duplicate }, "$again")
            assertEquals(2, restored.list().size)
        }
    }

    @Test
    fun passwordOpensTheVaultAndCanBeRemovedOnlyAfterDeviceUnlock() {
        val path = tempVaultPath()
        val keys = JvmKeyProvider()
        Vault.create(path, keys).use { vault ->
            vault.add(otpAccount("ACME", "alice"))
            assertFalse(vault.hasPassword())
            vault.setPassword("correct horse", CHEAP_KDF)
        }
        Vault.openWithPassword(path, "correct horse").use { vault ->
            assertEquals(1, vault.list().size)
            // Recover from a lost device key: register a new one.
            assertFailsWith<TesseraException.Locked> { vault.removePassword() }
            vault.setKeyProvider(JvmKeyProvider())
        }
        assertFailsWith<TesseraException.WrongKey> { Vault.open(path, keys) }
    }

    @Test
    fun closeAndUseEndTheObjectAndLockDropsTheKey() {
        val vault = Vault.create(tempVaultPath(), JvmKeyProvider())
        vault.use { it.add(otpAccount("ACME", "alice")) }
        assertFailsWith<IllegalStateException> { vault.list() }
        vault.close() // closing twice is harmless

        Vault.create(tempVaultPath(), JvmKeyProvider()).use { other ->
            other.lock()
            assertTrue(other.isLocked())
            assertFailsWith<TesseraException.Locked> { other.list() }
            assertFailsWith<TesseraException.Locked> { other.codes() }
        }
    }

    @Test
    fun callsFromSeveralThreadsAtOnce() {
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            val errors = java.util.concurrent.ConcurrentLinkedQueue<Throwable>()
            val threads = (0 until 8).map { t ->
                Thread {
                    try {
                        repeat(15) { i ->
                            // Distinct secrets: the duplicate rule compares secrets.
                            val secret = "JBSWY3DPEHPK3P" + "ABCDEFGH"[t] + "ABCDEFGHIJKLMNOP"[i]
                            vault.add(otpAccount("T$t", "a$i", secret = secret))
                            vault.codesAt(59uL)
                            vault.list()
                        }
                    } catch (e: Throwable) {
                        errors.add(e)
                    }
                }
            }
            threads.forEach { it.start() }
            threads.forEach { it.join() }
            assertTrue(errors.isEmpty(), "$errors")
            assertEquals(120, vault.list().size)
            assertEquals(120, vault.codesAt(59uL).count { it.code != null })
        }
    }
}
