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
import org.tessera.app.model.CodesModel
import org.tessera.app.model.Wakeups
import java.io.File
import java.util.concurrent.atomic.AtomicLong
import kotlin.test.assertEquals
import kotlin.test.assertNull

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
            model.move(gitlab, 0)
            model.state.first { s -> s.rows.map { it.id }.let { it.indexOf(gitlab) < it.indexOf(github) } }

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
}
