package org.tessera.app.model

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.withContext
import org.tessera.TesseraException

/**
 * Runs a blocking core call on [io] (SQLite, Argon2id and network calls must stay off the main
 * thread). A `TesseraException` goes to [onError] with its message (core's messages never carry
 * secret material) and the result is `null`; anything else is a bug and propagates.
 */
internal suspend fun <T> coreCall(io: CoroutineDispatcher, onError: (String) -> Unit, call: () -> T): T? = try {
    withContext(io) { call() }
} catch (e: TesseraException) {
    onError(e.message ?: e.javaClass.simpleName)
    null
}
