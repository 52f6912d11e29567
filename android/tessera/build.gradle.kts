// The Tessera library module: builds libtessera_ffi for the Android ABIs with cargo-ndk,
// generates the Kotlin bindings (package org.tessera) from it into the build directory, and
// packages both with JNA. Nothing generated is committed.
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

val repoRoot: File = rootDir.parentFile
val rustAbis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")
val jniOut = layout.buildDirectory.dir("rustJniLibs")
val bindingsOut = layout.buildDirectory.dir("generated/uniffi/kotlin")
// THIRD-PARTY-NOTICES.md (generated at the repository root) ships as an asset, so an app's
// About screen reads it with `assets.open("THIRD-PARTY-NOTICES.md")`.
val noticesOut = layout.buildDirectory.dir("generated/notices")
// Release unless -PtesseraRustProfile=debug (faster to build while developing the core).
val rustProfile = (findProperty("tesseraRustProfile") as String?) ?: "release"

android {
    namespace = "org.tessera"
    compileSdk = 35
    ndkVersion = "27.2.12479018"

    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    sourceSets["main"].apply {
        java.srcDir(bindingsOut)
        jniLibs.srcDir(jniOut)
        assets.srcDir(noticesOut)
    }
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    // The @aar variant carries JNA's own native libraries for every Android ABI.
    implementation("net.java.dev.jna:jna:5.14.0@aar")
}

// cargo-ndk builds one .so per ABI and copies it to jniLibs/<abi>/. AGP strips the symbols
// when it packages the app, which is after the bindings were generated from them.
val cargoNdk by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds libtessera_ffi for ${rustAbis.joinToString()} with cargo-ndk."
    workingDir = repoRoot
    val args = mutableListOf("cargo", "ndk")
    rustAbis.forEach { args += listOf("-t", it) }
    // The mobile library: no HTTP/TLS client, software RSA key generation or PNG/JPEG
    // decoding (the app brings PushTransport and PushDeviceKeys, and hands QR frames to
    // importQrLuma); see docs/performance.md.
    args += listOf(
        "-o", jniOut.get().asFile.path, "build", "--locked", "-p", "tessera-ffi", "--no-default-features",
    )
    if (rustProfile == "release") args += "--release"
    commandLine(args)
    inputs.dir(repoRoot.resolve("core/src"))
    inputs.dir(repoRoot.resolve("bindings/src"))
    inputs.file(repoRoot.resolve("Cargo.lock"))
    outputs.dir(jniOut)
}

// Library mode reads uniffi's metadata from the static library of the same cargo build: the
// shared library leaves it out (bindings/build.rs), and the Kotlin library name is the
// crate's, tessera_ffi, either way.
val generateBindings by tasks.registering(Exec::class) {
    group = "rust"
    description = "Generates the Kotlin bindings (org.tessera) from the arm64 library."
    dependsOn(cargoNdk)
    workingDir = repoRoot
    val library = repoRoot.resolve("target/aarch64-linux-android/$rustProfile/libtessera_ffi.a")
    commandLine(
        "cargo", "run", "--locked", "-p", "uniffi-bindgen", "--",
        "generate", "--library", library.path, "--language", "kotlin",
        "--config", repoRoot.resolve("uniffi.toml").path,
        "--out-dir", bindingsOut.get().asFile.path, "--no-format",
    )
    outputs.dir(bindingsOut)
}

tasks.named("preBuild") { dependsOn(generateBindings) }

val copyNotices by tasks.registering(Copy::class) {
    group = "rust"
    description = "Copies the third-party notice into the library's assets."
    from(repoRoot.resolve("THIRD-PARTY-NOTICES.md"))
    into(noticesOut)
}
tasks.named("preBuild") { dependsOn(copyNotices) }
