package org.tessera.app.tests

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.tessera.Algorithm
import org.tessera.Clock
import org.tessera.OtpAccount
import org.tessera.OtpKind
import org.tessera.OtpParams
import org.tessera.Vault
import org.tessera.formatOtpUri
import org.tessera.scanQrLuma
import org.tessera.app.model.CodesModel
import org.tessera.app.model.Wakeups
import java.io.File
import java.util.concurrent.atomic.AtomicLong
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.tessera.app.model.RowBounds
import org.tessera.app.model.rowUnder

/** A clock the test moves, and wake-ups the test releases: no test waits for real time. */
class TestTime(start: Long) : Clock, Wakeups {
    val now = AtomicLong(start)
    /** The times the model asked to be woken at, in order. */
    val asked = Channel<Long>(Channel.UNLIMITED)
    private val release = Channel<Long>(Channel.UNLIMITED)

    override fun nowUnix(): ULong = now.get().toULong()

    override suspend fun until(unixSeconds: Long, inMillis: Long) {
        asked.send(unixSeconds)
        now.set(release.receive())
    }

    /** Lets the model's sleep end, the clock now at [time]. */
    suspend fun wakeAt(time: Long) = release.send(time)
}

// RFC 6238 appendix B, SHA-1, 8 digits: "12345678901234567890" in base32.
private const val RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

private fun account(
    issuer: String, label: String, groups: List<String> = emptyList(), kind: OtpKind = OtpKind.TOTP, secret: String = RFC_SECRET,
) = OtpAccount(
        issuer = issuer, label = label, secretBase32 = secret,
        params = OtpParams(kind, Algorithm.SHA1, 8u, 30u, 0uL), groups = groups,
    )

class CodesModelTest {
    private fun vault(time: TestTime) = Vault.create(File(tempDir(), "vault.db").path, Pkcs12Store().keyProvider(), time)

    @Test
    fun theQrCodeForAnotherAppScansAsTheAccountsUri(): Unit = runBlocking {
        val time = TestTime(59)
        vault(time).use { vault ->
            val id = vault.add(account("RFC", "6238"))
            val model = CodesModel(vault, time)
            // Drawn as the dialog draws core's modules, a camera reads the account back.
            val (w, h, luma) = greyOf(qrImage(assertNotNull(model.qrCode(id))))
            assertEquals(listOf(formatOtpUri(vault.accountWithSecret(id))), scanQrLuma(w.toUInt(), h.toUInt(), luma))
            assertNull(model.qrCode("00000000-0000-0000-0000-000000000000"))
            assertNotNull(model.state.value.error, "an unknown account is said, not thrown")
        }
    }

    @Test
    fun refreshesExactlyWhenTheNextCodeIsDue(): Unit = runBlocking {
        val time = TestTime(59)
        vault(time).use { vault ->
            vault.add(account("RFC", "6238"))
            val model = CodesModel(vault, time)
            val job = launch { model.run() }
            // At T=59 the code is RFC 6238's 94287082, valid until the period ends at 60.
            assertEquals(60L, time.asked.receive())
            val first = model.state.value.rows.single()
            assertEquals("94287082", first.code)
            assertEquals("9428 7082", first.displayCode, "grouped for reading")
            assertEquals(60L, model.state.value.nextChangeAt)
            // Copied in the code's last second: core keeps it on the clipboard long enough to
            // reach a login form (10 s), however soon the code changes.
            assertEquals(10_000L, model.clipboardClearAfterMillis(first))
            // The model sleeps until then; the clock jumps to the RFC's T=1111111109.
            time.wakeAt(1111111109)
            assertEquals(1111111110L, time.asked.receive())
            assertEquals("07081804", model.state.value.rows.single().code)
            job.cancel()
        }
    }

    @Test
    fun hotpAloneSchedulesNothingAndItsNextButtonAdvances(): Unit = runBlocking {
        val time = TestTime(59)
        vault(time).use { vault ->
            val id = vault.add(account("Bank", "card", kind = OtpKind.HOTP))
            val model = CodesModel(vault, time)
            val job = launch { model.run() }
            // RFC 4226 appendix D, 6 digits, counter 0 then 1: 755224, 287082 (8 digits: the
            // same truncation's last 8: 84755224, 94287082).
            val first = model.state.first { it.rows.isNotEmpty() }.rows.single()
            assertNull(first.validUntil)
            assertNull(first.period)
            assertNull(model.state.value.nextChangeAt)
            assertEquals("84755224", first.code)
            assertEquals(60_000L, model.clipboardClearAfterMillis(first), "a HOTP code never changes by itself: core's minute")
            model.nextHotp(id)
            val next = model.state.first { it.rows.single().code != first.code }.rows.single()
            assertEquals("94287082", next.code)
            assertEquals(true, time.asked.isEmpty, "no wake-up asked for a list without time-based codes")
            job.cancel()
        }
    }

    @Test
    fun searchGroupFavoritesReorderAndTrashWithUndo(): Unit = runBlocking {
        val time = TestTime(1000)
        vault(time).use { vault ->
            val github = vault.add(account("GitHub", "alice", listOf("work"), secret = "JBSWY3DPEHPK3PXP"))
            val gitlab = vault.add(account("GitLab", "alice", listOf("home"), secret = "KRUGS4ZAONUG65LMMQQGE6JA"))
            val mail = vault.add(account("Mail", "bob", listOf("work"), secret = "MFRGGZDFMZTWQ2LKNNWG23TP"))
            val model = CodesModel(vault, time)
            val job = launch { model.run() }
            fun ids() = model.state.value.rows.map { it.id }
            model.state.first { it.rows.size == 3 }
            assertEquals(listOf("home", "work"), model.state.value.groups)

            model.search("git")
            assertEquals(setOf(github, gitlab), model.state.first { it.query == "git" }.rows.map { it.id }.toSet())
            model.filter("work")
            assertEquals(listOf(github), model.state.first { it.group == "work" }.rows.map { it.id })
            model.search("")
            assertEquals(listOf(github, mail), model.state.first { it.query == "" }.rows.map { it.id })
            model.filter(null)
            model.state.first { it.group == null && it.rows.size == 3 }

            model.setFavorite(mail, true)
            assertEquals(mail, model.state.first { it.rows.first().favorite }.rows.first().id, "favorites first")
            // Displayed: mail (favorite), github, gitlab; gitlab dragged above github.
            model.drop(gitlab, 1)
            assertEquals(listOf(mail, gitlab, github), model.state.first { s -> s.rows.map { it.id }.let { it.indexOf(gitlab) < it.indexOf(github) } }.rows.map { it.id })

            model.trash(gitlab)
            val trashed = model.state.first { s -> s.rows.none { it.id == gitlab } }
            assertEquals(gitlab, trashed.undoTrash)
            model.undoTrash()
            model.state.first { s -> s.rows.any { it.id == gitlab } }
            assertNull(model.state.value.undoTrash)
            assertEquals(3, ids().size)
            job.cancel()
        }
    }

    @Test
    fun dragKeepsFavoritesFirstAndPlacesTheAccountByItsNeighboursEvenWhenFiltered(): Unit = runBlocking {
        val time = TestTime(1000)
        vault(time).use { vault ->
            // Added in this order: the user's order is a, b, c, d, e.
            val (a, b, c, d, e) = listOf("A", "B", "C", "D", "E").map { name ->
                val groups = if (name in setOf("A", "D", "E")) listOf("work") else emptyList()
                vault.add(account(name, "x", groups, secret = name + RFC_SECRET.drop(1))) // distinct secrets: no duplicates
            }
            val model = CodesModel(vault, time)
            val job = launch { model.run() }
            suspend fun shown(expected: List<String>, why: String) =
                assertEquals(expected, model.state.first { s -> s.rows.map { it.id } == expected }.rows.map { it.id }, why)
            model.setFavorite(c, true)
            shown(listOf(c, a, b, d, e), "the favorite first")

            assertEquals(1, model.dropIndex(a, 0), "a row that is not a favorite cannot go above the favorites")
            model.drop(a, 0)
            assertEquals(listOf(c, a, b, d, e), model.state.value.rows.map { it.id }, "so dropping it there changes nothing")

            model.drop(e, 1)
            shown(listOf(c, e, a, b, d), "e dragged up to just below the favorite")

            model.filter("work")
            shown(listOf(e, a, d), "the work group only")
            model.drop(d, 0)
            shown(listOf(d, e, a), "d dragged to the top of the group")
            model.filter(null)
            shown(listOf(c, d, e, a, b), "d went in front of e in the whole order; b, hidden, kept its place after a")

            model.drop(d, 4)
            shown(listOf(c, e, a, b, d), "d dragged down to the end")

            model.setFavorite(a, true)
            shown(listOf(a, c, e, b, d), "two favorites, in the user's order")
            assertEquals(1, model.dropIndex(c, 4), "a favorite stays among the favorites")
            model.drop(c, 0)
            shown(listOf(c, a, e, b, d), "c dragged above a")
            model.drop(c, 1)
            shown(listOf(a, c, e, b, d), "c dragged to the end of the favorites")
            assertNull(model.state.value.error)
            job.cancel()
        }
    }

    @Test
    fun theRowUnderADraggedRowIsFoundFromTheLayout() {
        // Three rows 100 px high, the first scrolled 20 px off the top.
        val laidOut = listOf(RowBounds(4, 80, 100), RowBounds(3, -20, 100), RowBounds(5, 180, 100))
        assertEquals(3, rowUnder(laidOut, 10f))
        assertEquals(4, rowUnder(laidOut, 80f), "a top edge belongs to the row below it")
        assertEquals(5, rowUnder(laidOut, 279f))
        assertEquals(3, rowUnder(laidOut, -300f), "above every row: the first")
        assertEquals(5, rowUnder(laidOut, 900f), "below every row: the last")
        assertNull(rowUnder(emptyList(), 10f))
    }

    @Test
    fun aClockOffBeyondCoresThresholdShowsABannerOnTheCodesScreen(): Unit = runBlocking {
        // RFC 9110's example date is Unix 784111777 (`date -u -d 'Sun, 06 Nov 1994 08:49:37 GMT' +%s`).
        val serverDate = "Sun, 06 Nov 1994 08:49:37 GMT"
        val serverSecs = 784111777L
        val behind = org.tessera.offsetWarningSeconds() + 65
        val time = TestTime(serverSecs - behind)
        vault(time).use { vault ->
            vault.add(account("RFC", "6238"))
            val model = CodesModel(vault, time)
            val job = launch { model.run() }
            time.asked.receive()
            assertNull(model.state.value.drift, "never measured: no banner")

            vault.recordServerDate(serverDate, "https://pi.example/ttype/push")
            model.reload()
            time.asked.receive()
            val drift = model.state.value.drift
            assertEquals("pi.example", drift?.source)
            // A Date header has whole seconds: core counts the server half a second on, so a
            // clock on the second's edge measures up to one second more.
            assertTrue(drift!!.offsetSeconds in behind..behind + 1, "offset ${drift.offsetSeconds}")

            // The clock set right (within core's threshold) and measured again: the banner goes.
            time.now.set(serverSecs - 2)
            vault.recordServerDate(serverDate, "https://pi.example/ttype/push")
            model.reload()
            time.asked.receive()
            assertNull(model.state.value.drift, "2 s off is within the threshold")
            job.cancel()
        }
    }
}
