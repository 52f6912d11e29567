// The timed block of the first-codes figures, in a file (and so a class) of its own: the
// warm-process run (launcher/WarmLoad.kt) loads it anew each time inside its clock, and an app
// does not load a benchmark's 17 KB of other code on its way to the first codes.
package org.tessera.bench

import org.tessera.KeyProvider
import org.tessera.Vault

/** The device key as an identity wrap: the platform keystore's own cost is not measured. */
internal class PlainKeys : KeyProvider {
    override fun wrap(key: ByteArray) = key.copyOf()
    override fun unwrap(wrapped: ByteArray) = wrapped.copyOf()
}

/**
 * The timed block of both first-codes figures (WarmLoad.kt calls it through a fresh class
 * loader): open the vault with the device key and hold the display-ready list. The first call
 * into the bindings loads the library and runs uniffi's checks. Returns the open vault, for the
 * caller to close once its clock has stopped.
 */
fun firstCodesProbe(path: String): AutoCloseable {
    val vault = Vault.open(path, PlainKeys())
    val codes = vault.codes()
    check(codes.size == 100 && codes.all { it.code != null })
    return vault
}
