package org.tessera.app.model

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.collectLatest
import kotlinx.coroutines.flow.update
import org.tessera.AccountChange
import org.tessera.CodeList
import org.tessera.CodesQuery
import org.tessera.DisplayCode
import org.tessera.OtpKind
import org.tessera.formatOtpUri
import org.tessera.QrMatrix
import org.tessera.qrCodeMatrix
import org.tessera.Vault

/** One account on the codes screen, ready to draw (core's `DisplayCode`). Printing it does not show the code. */
data class CodeRow(
    /** The account's id (for every action on it). */
    val id: String,
    /** What the row's title says (core's display name). */
    val name: String,
    /** Service name as stored (for editing). */
    val issuer: String,
    /** Account name as stored (for editing). */
    val label: String,
    /** The account's groups. */
    val groups: List<String>,
    /** The code grouped for reading (`123 456`), or `null` when [problem] says why there is none. */
    val displayCode: String?,
    /** The code as it is copied or typed. */
    val code: String?,
    /** Why this account has no code (e.g. its row failed the integrity check). */
    val problem: String?,
    /** Counter-based: shows a "next code" button instead of a countdown. */
    val hotp: Boolean,
    /** Seconds per code (`null` for HOTP): the countdown ring's full circle. */
    val period: Int?,
    /** Unix second, by the vault's clock, the code stops being valid (`null` for HOTP). */
    val validUntil: Long?,
    /** Fraction of the period left when the list was made (`null` for HOTP): where the ring starts. */
    val fractionLeft: Double?,
    /** Pinned to the top. */
    val favorite: Boolean,
) {
    override fun toString() = "CodeRow(id=$id, name=$name, code=${if (code == null) "none" else "<redacted>"})"

    internal companion object {
        fun of(c: DisplayCode) = CodeRow(
            id = c.id, name = c.displayName, issuer = c.issuer, label = c.label, groups = c.groups,
            displayCode = c.displayCode, code = c.code, problem = c.problem, hotp = c.kind == OtpKind.HOTP,
            period = c.period?.toInt(), validUntil = c.validUntil?.toLong(), fractionLeft = c.fractionLeft, favorite = c.favorite,
        )
    }
}

/** What the codes screen shows. */
data class CodesState(
    /** The accounts matching [query] and [group], in core's order (favorites first, then the user's). */
    val rows: List<CodeRow> = emptyList(),
    /** The search text. */
    val query: String = "",
    /** The group filter, `null` for every account. */
    val group: String? = null,
    /** Every group in use, for the filter chips. */
    val groups: List<String> = emptyList(),
    /** Unix second the next code on screen changes (`null`: nothing time-based on screen). */
    val nextChangeAt: Long? = null,
    /** The last account moved to the trash, while its undo is offered. */
    val undoTrash: String? = null,
    /** The phone's clock is off by more than core's warning threshold: show a banner. */
    val drift: ClockDrift? = null,
    /** A failure to show (never secret material), cleared by the next success. */
    val error: String? = null,
)

/**
 * The phone's clock is wrong by more than core's threshold (`offsetWarningSeconds`), as measured
 * against a server: codes are still right (core corrects them by [offsetSeconds]), but the user
 * should set the clock, for other apps and for an account whose server Tessera never asked.
 */
data class ClockDrift(
    /** Server time minus phone time, in seconds (positive: the phone is behind). */
    val offsetSeconds: Long,
    /** The server it was measured against (its host). */
    val source: String,
)

/**
 * The codes screen's state holder: loads the list core prepares (search, group, order, codes
 * grouped for reading), refreshes it exactly when core says the next code changes, and
 * forwards the user's actions to the vault. Blocking core calls run on [io].
 */
class CodesModel(
    private val vault: Vault,
    private val wakeups: Wakeups = DelayWakeups(),
    private val io: CoroutineDispatcher = Dispatchers.IO,
    /** Called after each change this model made to the vault (automatic backups). */
    private val onChanged: () -> Unit = {},
) {
    private val _state = MutableStateFlow(CodesState())

    /** The screen's state. */
    val state: StateFlow<CodesState> = _state.asStateFlow()

    // Each change of what is shown (search, filter, an edit) restarts the refresh loop, so it
    // never sleeps towards a next-change time of a list that is no longer on screen.
    private data class Request(val query: String, val group: String?, val generation: Long)

    private val request = MutableStateFlow(Request("", null, 0))

    /**
     * Keeps [state] current until cancelled: loads the list, sleeps until its next-change time,
     * loads again. Launch it in the screen's scope (it stops with the screen).
     */
    suspend fun run() {
        request.collectLatest { r ->
            // Once per change of what is shown (not at every code change): the offset only
            // moves when a sync or a push response measures it.
            loadDrift()
            while (true) {
                val list = load(r)
                val at = list?.nextChangeAt ?: awaitCancellation()
                wakeups.until(at.toLong(), list.nextChangeInMs?.toLong() ?: 0)
            }
        }
    }

    /** Narrows the list to accounts whose issuer or label contains [text]. */
    fun search(text: String) = request.update { it.copy(query = text) }

    /** Shows only the accounts of [group] (`null`: all). */
    fun filter(group: String?) = request.update { it.copy(group = group) }

    /** Loads again now (after an account was added elsewhere). */
    fun reload() = request.update { it.copy(generation = it.generation + 1) }

    /** Loads core's list for [r] into [state]; `null` when it failed (the error is shown). */
    private suspend fun load(r: Request): CodeList? = act {
        val list = vault.codeList(CodesQuery(search = r.query.ifBlank { null }, group = r.group, favoritesOnly = false))
        val groups = vault.groups()
        _state.update {
            it.copy(
                rows = list.items.map(CodeRow::of), query = r.query, group = r.group, groups = groups,
                nextChangeAt = list.nextChangeAt?.toLong(), error = null,
            )
        }
        list
    }

    /** Reads core's server-time status: a banner when core says the offset deserves a warning. */
    private suspend fun loadDrift() {
        val status = act { listOfNotNull(vault.serverTime()) }?.firstOrNull()
        val drift = status?.takeIf { it.warning }?.let { ClockDrift(it.offsetSeconds, it.source) }
        _state.update { it.copy(drift = drift) }
    }

    /**
     * The account's otpauth QR code as core's module matrix (quiet zone included), to move it
     * to another app: core writes the URI and lays out the code, the screen draws the dark
     * modules. Only call it when the user asked to see it: it shows the secret.
     */
    suspend fun qrCode(id: String): QrMatrix? = act { qrCodeMatrix(formatOtpUri(vault.accountWithSecret(id))) }

    /** Renames an account and sets its groups, typed as one text separated by commas. */
    suspend fun edit(id: String, issuer: String, label: String, groups: String) {
        val names = groups.split(',').map { it.trim() }.filter { it.isNotEmpty() }.distinct()
        changeThenReload { vault.update(id, AccountChange(issuer = issuer, label = label, groups = names)) }
    }

    /**
     * How long a code copied from [row] may stay on the clipboard, in milliseconds: core's
     * rule (until the code changes, at most a minute, never under a few seconds), on the
     * vault's corrected clock. The screen runs it on the platform's timer.
     */
    suspend fun clipboardClearAfterMillis(row: CodeRow): Long? =
        act { vault.clipboardClearAfterSeconds(row.validUntil?.toULong()).toLong() * 1000 }

    /** HOTP: advances the counter and shows the next code. */
    suspend fun nextHotp(id: String) = changeThenReload { vault.nextHotp(id) }

    /** Pins or unpins an account. */
    suspend fun setFavorite(id: String, favorite: Boolean) =
        changeThenReload { vault.update(id, AccountChange(favorite = favorite)) }

    /**
     * Where a row dragged to row [to] of the screen may land: favorites stay above the other
     * accounts (core always lists them first, whatever the order says), so a row is kept among
     * the rows of its own kind. Returns a row index of [CodesState.rows]; the dragged row's own
     * index when [id] is not on screen.
     */
    fun dropIndex(id: String, to: Int): Int {
        val rows = _state.value.rows
        val from = rows.indexOfFirst { it.id == id }
        if (from < 0) return to
        val favorite = rows[from].favorite
        val first = rows.indexOfFirst { it.favorite == favorite }
        val last = rows.indexOfLast { it.favorite == favorite }
        return to.coerceIn(first, last)
    }

    /**
     * Drops the row [id] at row [to] of the screen (drag and drop, or "move up/down" for
     * TalkBack), kept among rows of its kind by [dropIndex]. Core's `moveBefore` takes the row
     * it lands in front of, whatever the screen leaves out (a search, a group): the row now
     * after it. At the end of its kind there is none of its kind: the end of the whole order
     * is the end of either kind (favorites are drawn first whatever their place), so it goes
     * there.
     */
    suspend fun drop(id: String, to: Int) {
        val rows = _state.value.rows
        val from = rows.indexOfFirst { it.id == id }
        val target = dropIndex(id, to)
        if (from < 0 || target == from) return
        val moved = rows.toMutableList().apply { add(target, removeAt(from)) }
        val next = moved.getOrNull(target + 1)?.takeIf { it.favorite == moved[target].favorite }
        changeThenReload { vault.moveBefore(id, next?.id) }
    }

    /** Moves an account to the trash and offers its undo. */
    suspend fun trash(id: String) {
        changeThenReload { vault.delete(id) }
        _state.update { it.copy(undoTrash = id) }
    }

    /** Undoes the last [trash]. */
    suspend fun undoTrash() {
        val id = _state.value.undoTrash ?: return
        changeThenReload { vault.restore(id) }
        _state.update { it.copy(undoTrash = null) }
    }

    /** The undo offer expired (the snackbar went away). */
    fun dismissUndo() = _state.update { it.copy(undoTrash = null) }

    private suspend fun changeThenReload(change: () -> Unit) {
        act(change) ?: return
        onChanged()
        reload()
    }

    // A failure becomes the screen's error, not a crash.
    private suspend fun <T> act(call: () -> T): T? = coreCall(io, { m -> _state.update { it.copy(error = m) } }, call)
}

/** One row as the list laid it out on screen: its index in [CodesState.rows], top edge and height (pixels). */
data class RowBounds(val index: Int, val top: Int, val height: Int)

/**
 * The row a dragged row is over: the laid-out row whose span holds [centerY] (the dragged row's
 * centre), the first row when above them all, the last when below; `null` when nothing is laid
 * out. The screen passes the result to [CodesModel.dropIndex] and, on release, [CodesModel.drop].
 */
fun rowUnder(laidOut: List<RowBounds>, centerY: Float): Int? {
    val sorted = laidOut.sortedBy { it.top }
    if (sorted.isEmpty()) return null
    return sorted.firstOrNull { centerY < it.top + it.height }?.index ?: sorted.last().index
}
