//! Link flags of the shipped library (cdylib only; nothing else in the workspace is affected).
//!
//! Relative relocations are packed: of the mobile library's ~7,000 dynamic relocations almost
//! all are "relative" ones (pointers in vtables and tables of the library itself), which plain
//! RELA stores as 24 bytes each. Packed, they take ~63 KB less of the x86_64 file
//! (docs/performance.md, Size).
//! - Linux with glibc: DT_RELR (`-z pack-relative-relocs`, lld and GNU ld 2.38+). The linker
//!   adds a `GLIBC_ABI_DT_RELR` version need, so a glibc older than 2.36 refuses to load the
//!   library with a message naming it instead of misreading it.
//! - Android: Android's own packed format (APS2), which the loader reads from API 23; the
//!   packaging's minSdk is 24 (`android/tessera/build.gradle.kts`). The NDK's clang does not
//!   pass it by itself for cargo-ndk's target API level.
//! - Apple platforms: Mach-O's chained fixups are compact already; nothing to add.
//!
//! uniffi's metadata is left out of the shared library (Linux and Android, ~96 KB of the
//! x86_64 file): every exported item carries a `UNIFFI_META_*` static that only
//! `uniffi-bindgen` reads, and a cdylib exports (so keeps) every such static. A linker script
//! discards their sections; the bindings are generated from the static library of the same
//! build instead, which keeps them (tests/ffi.sh, android/tessera/build.gradle.kts;
//! ios/build-xcframework.sh always did). One script for GNU ld and lld: `INSERT BEFORE .text`
//! keeps the default layout of both. The API checksums the bindings verify at load are
//! functions, not metadata: they stay.
use std::env;
use std::path::PathBuf;

fn main() {
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    match (os.as_str(), target_env.as_str()) {
        ("linux", "gnu") => println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs"),
        ("android", _) => println!("cargo:rustc-cdylib-link-arg=-Wl,--pack-dyn-relocs=android"),
        _ => {}
    }
    if matches!(os.as_str(), "linux" | "android") {
        let script = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
            .join("discard-uniffi-metadata.ld");
        std::fs::write(
            &script,
            "SECTIONS { /DISCARD/ : { *(.rodata.UNIFFI_META_*) } } INSERT BEFORE .text;\n",
        )
        .expect("OUT_DIR is writable");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-T,{}", script.display());
    }
}
