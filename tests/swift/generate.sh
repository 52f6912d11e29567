#!/usr/bin/env bash
# Host half of the Swift suite (Linux or macOS, needs only cargo): builds libtessera_ffi,
# generates the Swift bindings from it and puts everything where tests/swift/Package.swift
# looks: Sources/TesseraFFI/generated/TesseraFFI.h, Sources/Tessera/generated/Tessera.swift
# and build/swift/lib/ (the library). None of it is committed. Afterwards `swift test` in
# tests/swift runs the suite.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/ffi.sh
PKG=tests/swift
OUT=build/swift

ffi_build "${1:-}" # `release` for the benchmark
ffi_generate swift "$OUT/gen"
# Files are only replaced when they changed, so SwiftPM's incremental build stays warm.
copy_if_changed() {
    mkdir -p "$2"
    cmp -s "$1" "$2/$(basename "$1")" || cp "$1" "$2/"
}
copy_if_changed "$OUT/gen/TesseraFFI.h" "$PKG/Sources/TesseraFFI/generated"
copy_if_changed "$OUT/gen/Tessera.swift" "$PKG/Sources/Tessera/generated"
# A copy inside the repository: the Linux chroot sees the repository at the same path.
copy_if_changed "$FFI_LIB" "$OUT/lib"
