package org.tessera.app.model

import org.tessera.LockTimeout
import org.tessera.shouldLock

/**
 * When to lock the vault again: core's rule (`shouldLock`) for the timeout the user chose.
 * Times are the platform's monotonic clock (milliseconds), so changing the wall clock neither
 * locks nor keeps the vault open.
 */
class AppLock(private val timeout: () -> LockTimeout) {
    private var leftAt: Long? = null

    /** The app went to the background at [monotonicMillis]; true when the vault must be locked now (`Immediately`). */
    fun onBackground(monotonicMillis: Long): Boolean {
        leftAt = monotonicMillis
        return shouldLock(timeout(), monotonicMillis.toULong(), monotonicMillis.toULong())
    }

    /** The app came back at [monotonicMillis]; true when the vault must be locked first. */
    fun onForeground(monotonicMillis: Long): Boolean {
        val since = leftAt ?: return false
        leftAt = null
        return shouldLock(timeout(), since.toULong(), monotonicMillis.toULong())
    }
}
