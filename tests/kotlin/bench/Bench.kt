// Benchmark of the bindings as an Android app calls them: Kotlin on the JVM, through JNA, into
// the release build of libtessera_ffi. Run with `tests/kotlin/run.sh bench`. It prints figures;
// it asserts nothing (timings are never test assertions).
package org.tessera.bench

import org.tessera.Algorithm
import org.tessera.OtpAccount
import org.tessera.OtpKind
import org.tessera.OtpParams
import org.tessera.Vault
import org.tessera.otpCodeAt
import java.nio.file.Files

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
 * First codes on screen from a fresh JVM. `first-codes-setup PATH` creates a 100-account vault;
 * each `first-codes PATH` run is a fresh JVM whose first touch of the library is the timed
 * block: JNA initialises (loading its libjnidispatch), loads libtessera_ffi, uniffi registers
 * the library's functions and runs its checks, the vault opens with the device key and the
 * display-ready list is held. run.sh starts it several times and reports the median. The device
 * key is wrapped by an identity KeyProvider, so the platform keystore's own cost (Android
 * Keystore, Keychain) is not in the figure. The warm-process figure is WarmLoad.kt's.
 *
 * `first-codes-phases PATH` does the same work step by step, to show where a fresh JVM spends
 * it (forcing each step explicitly, in the order the first call runs it).
 */
private fun firstCodes(args: Array<String>): Boolean {
    val params = OtpParams(OtpKind.TOTP, Algorithm.SHA1, 6u, 30u, 0uL)
    when (args.firstOrNull()) {
        "first-codes-setup" -> Vault.create(args[1], PlainKeys()).use { vault ->
            vault.addMany(hundredAccounts(params))
            check(vault.codes().size == 100)
        }
        "first-codes" -> {
            val cpuStart = threads.currentThreadCpuTime
            val start = System.nanoTime()
            val held = firstCodesProbe(args[1])
            val spent = System.nanoTime() - start
            val spentCpu = threads.currentThreadCpuTime - cpuStart
            held.use {
                // Then the same again in this process, now that the library is loaded: what an
                // app pays to reopen its vault after locking it.
                val again = measure(50, 10) { firstCodesProbe(args[1]).close() }
                println("first-codes %.3f ms; thread CPU %.3f ms; warm reopen median %.3f ms".format(
                    spent / 1e6, spentCpu / 1e6, again.wall.sorted()[again.wall.size / 2] / 1e6))
            }
        }
        "first-codes-phases" -> {
            var wall = System.nanoTime()
            var cpu = threads.currentThreadCpuTime
            val phases = StringBuilder()
            fun phase(name: String) {
                val nowWall = System.nanoTime()
                val nowCpu = threads.currentThreadCpuTime
                phases.append("phase|%s|%.3f|%.3f\n".format(name, (nowWall - wall) / 1e6, (nowCpu - cpu) / 1e6))
                wall = nowWall
                cpu = nowCpu
            }
            // The generated objects are internal to the bindings, hence by name.
            val loader = Vault::class.java.classLoader
            Class.forName("com.sun.jna.Native")
            phase("JNA initialises (loads libjnidispatch)")
            com.sun.jna.NativeLibrary.getInstance("tessera_ffi", loader)
            phase("JNA loads libtessera_ffi (dlopen)")
            Class.forName("org.tessera.IntegrityCheckingUniffiLib", true, loader)
            phase("uniffi's contract-version check (JNA registers its one function)")
            Class.forName("org.tessera.UniffiLib", true, loader)
            phase("JNA registers the RustBuffer functions (UniffiLib)")
            // Each group of functions registers on first use (lib_groups.rs in our uniffi-bindgen).
            Class.forName("org.tessera.UniffiLibKeyProvider", true, loader)
            Class.forName("org.tessera.UniffiLibVault", true, loader)
            phase("JNA registers the functions of KeyProvider and of Vault (their groups)")
            val vault = Vault.open(args[1], PlainKeys())
            phase("Vault.open with the device key (incl. the KeyProvider vtable)")
            val codes = vault.codes()
            check(codes.size == 100 && codes.all { it.code != null })
            phase("codes(): the display-ready list of 100")
            vault.close()
            print(phases)
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
