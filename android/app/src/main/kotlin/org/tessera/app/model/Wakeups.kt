package org.tessera.app.model

import kotlinx.coroutines.delay

/**
 * Waits until a Unix time of the vault's clock: how the codes screen sleeps until core's
 * next-change time instead of ticking every second. Tests pass their own to decide when
 * "later" is, so no test waits for the wall clock.
 */
fun interface Wakeups {
    /** Suspends until [unixSeconds] (returns at once when it has passed). */
    suspend fun until(unixSeconds: Long)
}

/** [Wakeups] by a clock that reads Unix seconds (the vault's, server-corrected when set). */
class ClockWakeups(private val nowUnix: () -> Long) : Wakeups {
    override suspend fun until(unixSeconds: Long) {
        val seconds = unixSeconds - nowUnix()
        if (seconds > 0) delay(seconds * 1000)
    }
}
