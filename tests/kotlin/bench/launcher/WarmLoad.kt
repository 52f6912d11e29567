// First codes on screen in a warm process: the JVM, JNA and the JIT are already warm (an app
// that has been running), and the timed block loads the library and the generated bindings
// anew, as if for the first time. Run by `tests/kotlin/run.sh bench`; it prints figures and
// asserts nothing.
//
// A JVM cannot load one class twice in one class loader, nor a shared library twice by one
// path, so each run makes a fresh class loader over the compiled bindings and the benchmark
// (compiled separately: this launcher's own class path has neither), and a fresh copy of
// libtessera_ffi at a new path that uniffi is told to load (its `libraryOverride` property), so
// JNA dlopens it anew with fresh Rust statics. JNA itself is loaded once by this launcher's
// class loader, as in an app where it is a dependency like any other.
package org.tessera.bench.launcher

import java.io.File
import java.lang.management.ManagementFactory
import java.net.URL
import java.net.URLClassLoader
import java.nio.file.Files

fun main(args: Array<String>) {
    require(args.size == 6 || args.size == 7) {
        "usage: WarmLoadKt VAULT LIBRARY CLASS_PATH SCRATCH_DIR WARMUP RUNS [PROBE]"
    }
    val (vault, library, classPath, scratch) = args
    val warmup = args[4].toInt()
    val runs = args[5].toInt()
    // FirstCodes.kt's probe to time: the measure, or the apps' own calls (firstCodesAppProbe).
    val probeName = args.getOrElse(6) { "firstCodesProbe" }
    val urls = classPath.split(File.pathSeparator).map { File(it).toURI().toURL() }.toTypedArray()
    val threads = ManagementFactory.getThreadMXBean()
    val wall = LongArray(runs)
    val cpu = LongArray(runs)
    for (i in 0 until warmup + runs) {
        // Outside the clock: installing the library is not loading it.
        val copy = File(scratch, "copy-$i/${File(library).name}")
        copy.parentFile.mkdirs()
        Files.copy(File(library).toPath(), copy.toPath())
        System.setProperty("uniffi.component.tessera.libraryOverride", copy.absolutePath)

        val cpuStart = threads.currentThreadCpuTime
        val start = System.nanoTime()
        val loader = BindingsLoader(urls)
        val probe = loader.loadClass("org.tessera.bench.FirstCodesKt")
            .getMethod(probeName, String::class.java)
        val held = probe.invoke(null, vault) as AutoCloseable
        val spentWall = System.nanoTime() - start
        val spentCpu = threads.currentThreadCpuTime - cpuStart
        held.close()
        if (i >= warmup) {
            wall[i - warmup] = spentWall
            cpu[i - warmup] = spentCpu
        }
    }
    wall.sort()
    cpu.sort()
    println(
        "warm-process first codes (%s): median %.3f ms (min %.3f, thread CPU median %.3f ms; %d runs after %d warm-up loads)"
            .format(probeName, wall[runs / 2] / 1e6, wall[0] / 1e6, cpu[runs / 2] / 1e6, runs, warmup),
    )
}

/**
 * Loads the bindings and the benchmark itself (everything in `org.tessera`) from [urls] and the
 * rest (the JDK, Kotlin's standard library, JNA) from this launcher's class loader. It looks at
 * its own classes first: asking the parent first, as a plain URLClassLoader does, would throw a
 * ClassNotFoundException for every class of the bindings, a cost an app, whose class loader
 * finds its own classes directly, does not pay.
 */
private class BindingsLoader(urls: Array<URL>) : URLClassLoader(urls, ClassLoader.getSystemClassLoader()) {
    override fun loadClass(name: String, resolve: Boolean): Class<*> {
        if (!name.startsWith("org.tessera.")) return super.loadClass(name, resolve)
        synchronized(getClassLoadingLock(name)) {
            val loaded = findLoadedClass(name) ?: findClass(name)
            if (resolve) resolveClass(loaded)
            return loaded
        }
    }
}
