package org.tessera.app.model

import kotlinx.coroutines.delay

/**
 * Waits for the next code change core announced: how the codes screen sleeps until then
 * instead of ticking every second. Tests pass their own to decide when "later" is, so no test
 * waits for the wall clock.
 */
fun interface Wakeups {
    /**
     * Suspends until core's next change: [unixSeconds] by the vault's clock, which is
     * [inMillis] from when the list was made (the two differ from the device clock when the
     * vault's clock is server-corrected; sleeping [inMillis] is right either way).
     */
    suspend fun until(unixSeconds: Long, inMillis: Long)
}

/** [Wakeups] on the coroutine's own delay. */
class DelayWakeups : Wakeups {
    override suspend fun until(unixSeconds: Long, inMillis: Long) = delay(inMillis)
}
