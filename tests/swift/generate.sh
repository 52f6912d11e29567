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

ffi_build
ffi_generate swift "$OUT/gen"
mkdir -p "$PKG/Sources/TesseraFFI/generated" "$PKG/Sources/Tessera/generated" "$OUT/lib"
cp "$OUT/gen/TesseraFFI.h" "$PKG/Sources/TesseraFFI/generated/"
cp "$OUT/gen/Tessera.swift" "$PKG/Sources/Tessera/generated/"
# A copy inside the repository: the Linux chroot sees the repository at the same path.
rm -f "$OUT/lib/libtessera_ffi."*
cp "$FFI_LIB" "$OUT/lib/"
