// Benchmark of the bindings as an Android app calls them: Kotlin on the JVM, through JNA, into
// the release build of libtessera_ffi. Run with `tests/kotlin/run.sh bench`. It prints figures;
// it asserts nothing (timings are never test assertions).
package org.tessera.bench

import org.tessera.Algorithm
import org.tessera.KeyProvider
import org.tessera.OtpAccount
import org.tessera.OtpKind
import org.tessera.OtpParams
import org.tessera.Vault
import org.tessera.otpCodeAt
import java.nio.file.Files

private class PlainKeys : KeyProvider {
    override fun wrap(key: ByteArray) = key.copyOf()
    override fun unwrap(wrapped: ByteArray) = wrapped.copyOf()
}

private fun report(name: String, nanos: LongArray) {
    nanos.sort()
    fun pct(p: Double) = nanos[((nanos.size - 1) * p).toInt()] / 1000.0
    println(
        "%-44s median %8.1f µs   p90 %8.1f µs   min %8.1f µs   (%d runs)"
            .format(name, pct(0.5), pct(0.9), nanos[0] / 1000.0, nanos.size),
    )
}

private inline fun measure(runs: Int, warmup: Int, block: () -> Unit): LongArray {
    repeat(warmup) { block() }
    return LongArray(runs) {
        val start = System.nanoTime()
        block()
        System.nanoTime() - start
    }
}

fun main() {
    val params = OtpParams(OtpKind.TOTP, Algorithm.SHA1, 6u, 30u, 0uL)
    val secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    var t = 1_700_000_000uL
    report("otpCodeAt: one account's code (1 call)", measure(20_000, 5_000) {
        otpCodeAt(secret, params, t++)
    })

    val path = Files.createTempDirectory("tessera-bench").resolve("bench.db").toString()
    Vault.create(path, PlainKeys()).use { vault ->
        // 1,000 distinct random 160-bit secrets (32 base32 characters), a heavy user's vault.
        val random = java.util.Random(42)
        val alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        val accounts = (0 until 1000).map { i ->
            OtpAccount(
                issuer = "Service $i",
                label = "user$i@example.com",
                secretBase32 = String(CharArray(32) { alphabet[random.nextInt(32)] }),
                params = params,
            )
        }
        vault.addMany(accounts)
        check(vault.list().size == 1000) { "expected 1000 accounts" }
        report("vault.codesAt: 1,000 accounts' codes (1 call)", measure(2_000, 200) {
            val codes = vault.codesAt(t++)
            check(codes.size == 1000)
        })
    }
}
