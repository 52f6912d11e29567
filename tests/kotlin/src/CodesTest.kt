package org.tessera.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import org.tessera.Algorithm
import org.tessera.Clock
import org.tessera.CodeList
import org.tessera.CodesListener
import org.tessera.CodesQuery
import org.tessera.OtpKind
import org.tessera.TesseraException
import org.tessera.Vault
import org.tessera.otpCodeAt
import org.tessera.otpDefaults
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertTrue

/** A guard against a broken watch hanging the suite; never reached when it works. */
private const val HANG_GUARD_SECONDS = 60L

/** A clock whose reads answer a script (whole seconds), then keep the last answer. */
class ScriptedClock(vararg times: Long) : Clock {
    private val times = ArrayDeque(times.toList())
    @Synchronized
    override fun nowUnix(): ULong = (if (times.size > 1) times.removeFirst() else times.first()).toULong()
}

/** Forwards what the watch delivers, from its thread, to the test's. */
class QueueListener : CodesListener {
    val events = LinkedBlockingQueue<Any>()
    override fun onCodes(list: CodeList) { events.put(list) }
    override fun onError(error: TesseraException) { events.put(error) }
    fun next(): Any = events.poll(HANG_GUARD_SECONDS, TimeUnit.SECONDS) ?: error("the watch delivered nothing")
}

// Expected codes are RFC 6238 / RFC 4226 values, or (Steam) computed outside Tessera.
class CodesTest {
    @Test
    fun codeListCarriesWhatAScreenShows() {
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            val rfc = vault.add(otpAccount("RFC", "sha1", digits = 8))
            vault.add(otpAccount("", "", kind = OtpKind.HOTP).copy(favorite = true))

            val list = vault.codeListAt(null, 59_250uL)
            assertEquals(60uL, list.nextChangeAt)
            assertEquals(750uL, list.nextChangeInMs, "the one timer a screen needs")
            val (hotp, totp) = list.items
            assertEquals("(unnamed)", hotp.displayName, "favorites first")
            assertEquals("755224", hotp.code) // RFC 4226 counter 0
            assertEquals("755 224", hotp.displayCode)
            assertNull(hotp.period)
            assertNull(hotp.validUntil)
            assertNull(hotp.fractionLeft)
            assertEquals(rfc, totp.id)
            assertEquals("94287082", totp.code) // RFC 6238, T = 59
            assertEquals("9428 7082", totp.displayCode)
            assertEquals("RFC (sha1)", totp.displayName)
            assertEquals(30u, totp.period)
            assertEquals(60uL, totp.validUntil)
            assertEquals(1u, totp.remainingSeconds)
            assertEquals(0.75 / 30, totp.fractionLeft!!, 1e-12)

            val found = vault.codeListAt(CodesQuery(search = "rfc (SHA"), 59_000uL)
            assertEquals(listOf(rfc), found.items.map { it.id })
            assertTrue(vault.codeList(CodesQuery(favoritesOnly = true)).items.all { it.favorite })
        }
    }

    @Test
    fun defaultsPerKindMakeValidAccounts() {
        val steam = otpDefaults(OtpKind.STEAM)
        assertEquals(5, steam.digits.toInt())
        assertEquals(30u, steam.period)
        assertEquals(Algorithm.SHA1, steam.algorithm)
        assertEquals(6, otpDefaults(OtpKind.TOTP).digits.toInt())
        assertEquals(0uL, otpDefaults(OtpKind.HOTP).counter)
        assertEquals("PV9M4", otpCodeAt(RFC_SHA1, steam, 59uL).code)
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            for (kind in OtpKind.values()) {
                vault.add(otpAccount("K", kind.name).copy(params = otpDefaults(kind)))
            }
            val codes = vault.codeListAt(null, 59_000uL).items.associate { it.label to it.code }
            assertEquals(mapOf("TOTP" to "287082", "HOTP" to "755224", "STEAM" to "PV9M4"), codes)
            // The record's own defaults are TOTP's 6 digits: a Steam account from them is refused.
            val wrong = otpAccount("Steam", "x").copy(params = otpDefaults(OtpKind.TOTP).copy(kind = OtpKind.STEAM))
            val error = assertFailsWith<TesseraException.InvalidInput> { vault.add(wrong) }
            assertTrue(error.message!!.contains("Steam"), error.message)
        }
    }

    @Test
    fun listenerFiresAfterThePeriodBoundaryAndEndsWhenLocked() {
        Vault.create(tempVaultPath(), JvmKeyProvider(), ScriptedClock(59, 60)).use { vault ->
            vault.add(otpAccount("RFC", "sha1", digits = 8))
            val listener = QueueListener()
            vault.watchCodes(CodesQuery(), listener).use { watch ->
                val first = assertIs<CodeList>(listener.next())
                assertEquals("94287082", first.items.single().code) // RFC 6238, T = 59
                assertEquals(1000uL, first.nextChangeInMs)
                val second = assertIs<CodeList>(listener.next())
                assertEquals(90uL, second.items.single().validUntil, "the next step's code")
                assertNotEquals(first.items.single().code, second.items.single().code)
                assertTrue(watch.isRunning())

                vault.lock()
                watch.refresh()
                assertIs<TesseraException.Locked>(listener.next())
                assertFalse(watch.isRunning())
            }
        }
    }

    @Test
    fun watchFollowsANewQueryAndStops() {
        Vault.create(tempVaultPath(), JvmKeyProvider()).use { vault ->
            vault.add(otpAccount("Bank", "hotp", kind = OtpKind.HOTP))
            vault.add(otpAccount("Mail", "alice"))
            val listener = QueueListener()
            val watch = vault.watchCodes(CodesQuery(), listener)
            assertEquals(2, assertIs<CodeList>(listener.next()).items.size)
            watch.setQuery(CodesQuery(search = "BANK"))
            val bank = assertIs<CodeList>(listener.next())
            assertEquals(listOf("Bank (hotp)"), bank.items.map { it.displayName })
            assertNull(bank.nextChangeAt, "HOTP alone: nothing to schedule")
            // A change through the vault is delivered without refresh().
            vault.add(otpAccount("Bank", "second", secret = RFC_SHA256, kind = OtpKind.HOTP))
            val added = assertIs<CodeList>(listener.next())
            assertEquals(listOf("Bank (hotp)", "Bank (second)"), added.items.map { it.displayName })
            watch.stop()
            assertFalse(watch.isRunning())
            watch.close()
        }
    }
}
