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

private val threads = java.lang.management.ManagementFactory.getThreadMXBean()

/** Wall-clock and this thread's CPU time of each run, in nanoseconds. */
private class Runs(val wall: LongArray, val cpu: LongArray)

private fun report(name: String, runs: Runs) {
    fun pct(values: LongArray, p: Double) = values.sorted()[((values.size - 1) * p).toInt()] / 1000.0
    println(
        "%-46s wall median %8.1f µs  p90 %8.1f µs  min %8.1f µs | thread CPU median %8.1f µs  (%d runs)"
            .format(
                name, pct(runs.wall, 0.5), pct(runs.wall, 0.9), pct(runs.wall, 0.0),
                pct(runs.cpu, 0.5), runs.wall.size,
            ),
    )
}

// Thread CPU time is reported beside wall time because the machine may be shared: a thread
// that is descheduled accrues wall time but no CPU time.
private inline fun measure(runs: Int, warmup: Int, block: () -> Unit): Runs {
    repeat(warmup) { block() }
    val wall = LongArray(runs)
    val cpu = LongArray(runs)
    for (i in 0 until runs) {
        val cpuStart = threads.currentThreadCpuTime
        val start = System.nanoTime()
        block()
        wall[i] = System.nanoTime() - start
        cpu[i] = threads.currentThreadCpuTime - cpuStart
    }
    return Runs(wall, cpu)
}

/** 100 accounts with distinct random 160-bit secrets (a typical user's vault). */
private fun hundredAccounts(params: OtpParams): List<OtpAccount> {
    val random = java.util.Random(7)
    val alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return (0 until 100).map { i ->
        OtpAccount(
            issuer = "Service $i",
            label = "user$i@example.com",
            secretBase32 = String(CharArray(32) { alphabet[random.nextInt(32)] }),
            params = params,
        )
    }
}

/**
 * First codes on screen: `first-codes-setup PATH` creates a 100-account vault; each
 * `first-codes PATH` run is a fresh JVM whose first touch of the library is the timed block:
 * loading libtessera_ffi through JNA (with uniffi's checks), opening the vault with the device
 * key and holding the display-ready list. run.sh starts it several times and reports the median.
 * The device key is wrapped by an identity KeyProvider, so the platform keystore's own cost
 * (Android Keystore, Keychain) is not in the figure.
 */
private fun firstCodes(args: Array<String>): Boolean {
    val params = OtpParams(OtpKind.TOTP, Algorithm.SHA1, 6u, 30u, 0uL)
    when (args.firstOrNull()) {
        "first-codes-setup" -> Vault.create(args[1], PlainKeys()).use { vault ->
            vault.addMany(hundredAccounts(params))
            check(vault.codes().size == 100)
        }
        "first-codes" -> {
            val start = System.nanoTime()
            Vault.open(args[1], PlainKeys()).use { vault ->
                val codes = vault.codes()
                val spent = System.nanoTime() - start
                check(codes.size == 100 && codes.all { it.code != null })
                // Then the same again in this process, now that the library is loaded: what an
                // app pays to reopen its vault after locking it.
                val again = measure(50, 10) {
                    Vault.open(args[1], PlainKeys()).use { v -> check(v.codes().size == 100) }
                }
                println("first-codes %.3f ms; warm reopen median %.3f ms".format(
                    spent / 1e6, again.wall.sorted()[again.wall.size / 2] / 1e6))
            }
        }
        else -> return false
    }
    return true
}

fun main(args: Array<String>) {
    if (firstCodes(args)) return
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
