#!/usr/bin/env bash
# Swift suite: the generated Swift bindings and the XCTest tests of this SwiftPM package, run
# with a real Swift toolchain against the host-built library. Debian 12 has no Swift, so the
# toolchain lives in a Debian 13 root (tests/swift/chroot.sh, cached in $TESSERA_CACHE) that
# is set up when missing; everything mounted for the run is unmounted afterwards, whatever
# happens. Ends with one line `swift: N passed, N failed`; exits non-zero on failure.
# On macOS use `swift test` directly (tests/swift/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/ffi.sh
REPO=$(pwd -P)
PKG=$REPO/tests/swift

step "swift: toolchain (Debian 13 root with swiftlang)"
bash tests/swift/chroot.sh setup

step "swift: build libtessera_ffi and generate the bindings"
ffi_build
OUT=$REPO/build/swift
ffi_generate swift "$OUT/gen"
mkdir -p "$PKG/Sources/TesseraFFI/generated" "$PKG/Sources/Tessera/generated" "$OUT/lib"
cp "$OUT/gen/TesseraFFI.h" "$PKG/Sources/TesseraFFI/generated/"
cp "$OUT/gen/Tessera.swift" "$PKG/Sources/Tessera/generated/"
# The library is copied into the repository's build dir, which the chroot sees at the same path.
cp "$FFI_LIB" "$OUT/lib/"

step "swift: swift test (XCTest) inside the Debian 13 root"
rc=0
out=$(bash tests/swift/chroot.sh run "$REPO" \
    "cd '$PKG' && LD_LIBRARY_PATH='$OUT/lib' swift test --disable-swift-testing -Xlinker -L'$OUT/lib' 2>&1") || rc=$?
echo "$out"
# XCTest's last summary line is the total: "Executed N tests, with M failures (…)".
summary=$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' <<<"$out" | tail -1 || true)
total=$(sed -nE 's/.*Executed ([0-9]+) tests?.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*with ([0-9]+) failures?.*/\1/p' <<<"$summary")
total=${total:-0}
failed=${failed:-0}
[ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1 # a build failure counts as a failure
echo "swift: $((total - failed < 0 ? 0 : total - failed)) passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$total" -gt 0 ]
