package org.tessera.tests

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.tessera.Vault
import org.tessera.parseOtpUri
import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit

/**
 * How the bindings load the library. JNA registers the library's functions in groups, each on
 * its first use (bindings/uniffi-bindgen/src/lib_groups.rs), so a library that lacks one
 * function fails the first use of that function's group, naming the function, and nothing
 * else. The library under test is the real one with one exported name changed, loaded in a
 * child JVM (a JVM loads a library once, and this one has already loaded the intact library).
 */
class LoadTest {
    @Test
    fun aLibraryLackingAFunctionFailsItsGroupOnlyNamingTheFunction() {
        val missing = "uniffi_tessera_ffi_fn_func_uri_kind"
        val dir = tempDir()
        val library = File(System.getProperty("jna.library.path"), System.mapLibraryName("tessera_ffi"))
        val bytes = library.readBytes()
        // The exported name, NUL-terminated so that no longer name is touched; its last letter
        // changed, so the dynamic loader no longer finds it and everything else is as built.
        val name = "$missing\u0000".toByteArray()
        val found = renameAll(bytes, name)
        assertTrue(found > 0, "$missing is not in ${library.path}")
        val copy = dir.resolve(library.name).toFile()
        copy.writeBytes(bytes)

        val classPath = listOf(Vault::class.java, LoadTest::class.java, Unit::class.java, com.sun.jna.Native::class.java)
            .joinToString(File.pathSeparator) { File(it.protectionDomain.codeSource.location.toURI()).path }
        val java = File(System.getProperty("java.home"), "bin/java").path
        val process = ProcessBuilder(
            java, "-cp", classPath, "-Duniffi.component.tessera.libraryOverride=${copy.path}",
            "-Djava.io.tmpdir=$dir", "org.tessera.tests.LoadTestChild", dir.resolve("vault.db").toString(),
        ).redirectErrorStream(true).start()
        val output = process.inputStream.bufferedReader().readText()
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), output)
        assertEquals(0, process.exitValue(), output)
        val lines = output.lines()
        // The vault's and the key provider's groups register and work.
        assertTrue("vault: 1 code" in lines, output)
        // The free functions' group fails on its first use: JNA's error names the function.
        val first = lines.single { it.startsWith("first: ") }
        assertTrue(first.startsWith("first: java.lang.UnsatisfiedLinkError: "), first)
        assertTrue(first.contains(missing), first)
        // After that the JVM reports the group object that could not be initialised, and the
        // first error as its cause.
        val again = lines.single { it.startsWith("again: ") }
        assertTrue(again.startsWith("again: java.lang.NoClassDefFoundError"), again)
        assertTrue(again.contains("org.tessera.UniffiLibFunctions"), again)
        assertTrue(again.contains(missing), again)
        // The vault's group still works after that.
        assertTrue("vault after: 1 code" in lines, output)
    }

    /** Changes the last letter of every occurrence of [name] (ending in NUL) in [bytes]. */
    private fun renameAll(bytes: ByteArray, name: ByteArray): Int {
        var found = 0
        var at = 0
        while (at <= bytes.size - name.size) {
            if ((name.indices).all { bytes[at + it] == name[it] }) {
                bytes[at + name.size - 2] = 'X'.code.toByte()
                found++
                at += name.size
            } else {
                at++
            }
        }
        return found
    }
}

/** The child JVM of [LoadTest]: prints what each step gave, for the parent to check. */
object LoadTestChild {
    @JvmStatic
    fun main(args: Array<String>) {
        Vault.create(args[0], JvmKeyProvider()).use { vault ->
            vault.add(otpAccount("ACME", "alice"))
            println("vault: ${vault.codes().size} code")
            for (attempt in listOf("first", "again")) {
                try {
                    parseOtpUri("otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP")
                    println("$attempt: no error")
                } catch (e: Throwable) {
                    println("$attempt: ${describe(e)}")
                }
            }
            println("vault after: ${vault.codes().size} code")
        }
    }

    private fun describe(e: Throwable): String =
        "${e.javaClass.name}: ${e.message}" + (e.cause?.let { " caused by ${it.javaClass.name}: ${it.message}" } ?: "")
}
