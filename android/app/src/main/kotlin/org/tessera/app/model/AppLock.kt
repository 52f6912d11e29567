package org.tessera.app.model

/**
 * When to lock the vault again: after the app spent [Preferences.lockAfterSeconds] in the
 * background. Times are the platform's monotonic clock (milliseconds), so changing the wall
 * clock neither locks nor keeps the vault open.
 */
class AppLock(private val lockAfterSeconds: () -> Int) {
    private var backgroundSince: Long? = null

    /** The app went to the background at [monotonicMillis]. */
    fun onBackground(monotonicMillis: Long) {
        backgroundSince = monotonicMillis
    }

    /** The app came back at [monotonicMillis]; true when the vault must be locked first. */
    fun onForeground(monotonicMillis: Long): Boolean {
        val since = backgroundSince ?: return false
        backgroundSince = null
        return monotonicMillis - since >= lockAfterSeconds() * 1000L
    }
}
