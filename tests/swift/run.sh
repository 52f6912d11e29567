#!/usr/bin/env bash
# Swift suite: the generated Swift bindings and the XCTest tests of this SwiftPM package, run
# with a real Swift toolchain against the host-built library. Ends with one line
# `swift: N passed, N failed`; exits non-zero on failure.
#
# Linux: Debian 12 has no Swift, so the toolchain lives in a Debian 13 root
# (tests/swift/chroot.sh, cached in $TESSERA_CACHE), set up when missing; everything mounted
# for the run is unmounted afterwards, whatever happens.
# macOS: runs `swift test` natively (see tests/swift/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/swift/xctest.sh
REPO=$(pwd -P)
PKG=$REPO/tests/swift

swift_toolchain swift

mode=${1:-test}
if [ "$mode" = bench ]; then
    # First codes on screen (Sources/TesseraBench): release library, release Swift, a fresh
    # process per run; prints `swift first codes: median …`.
    step "swift: build the release libtessera_ffi and generate the bindings"
    bash tests/swift/generate.sh release
    BENCH=$REPO/build/swift/bench
    rm -rf "$BENCH" && mkdir -p "$BENCH"
    step "swift: first codes on screen (100 accounts, fresh process each run)"
    swift_run "$PKG" "swift build -c release --product TesseraBench >/dev/null && B=\$(swift build -c release --show-bin-path)/TesseraBench \
        && \$B setup '$BENCH/vault.db' && for i in \$(seq 15); do \$B first-codes '$BENCH/vault.db'; done" | tee "$BENCH/runs"
    python3 - "$BENCH/runs" <<'PY'
import statistics, sys
runs = [l.split() for l in open(sys.argv[1]) if l.startswith("first-codes")]
first = [float(r[1]) for r in runs]
warm = [float(r[6]) for r in runs]
print(f"swift first codes: median {statistics.median(first):.2f} ms (min {min(first):.2f}, "
      f"{len(first)} fresh processes); warm reopen median {statistics.median(warm):.2f} ms")
PY
    rm -rf "$BENCH"
    exit 0
fi

step "swift: build libtessera_ffi and generate the bindings"
bash tests/swift/generate.sh

# Push through the bindings needs a push token on the privacyIDEA that run-all.sh started
# (PushTests skips, saying why, without one). The root resets the environment: pass it on.
PI_ENV="TESSERA_FFI_BUILD='${TESSERA_FFI_BUILD:-desktop}'"
# The root from here on: the enrollments and registrations below expire if left waiting for it.
swift_hold_root swift
if [ -n "${TESSERA_PI_URL:-}" ]; then
    eval "$(bash tests/privacyidea/push-fixture.sh swift swift swiftinbox)"
    PI_ENV="$PI_ENV TESSERA_PI_URL='$TESSERA_PI_URL' TESSERA_PI_PUSH_USER_swift='$TESSERA_PI_PUSH_USER_swift'"
    PI_ENV="$PI_ENV TESSERA_PI_PUSH_URI_swift='$TESSERA_PI_PUSH_URI_swift'"
    PI_ENV="$PI_ENV TESSERA_PI_PUSH_USER_swiftinbox='$TESSERA_PI_PUSH_USER_swiftinbox'"
    PI_ENV="$PI_ENV TESSERA_PI_PUSH_URI_swiftinbox='$TESSERA_PI_PUSH_URI_swiftinbox'"
    # one container per ContainerTests key holder: software keys, and the Swift (OpenSSL) holder
    # on P-256 (the Secure Enclave's curve) and on the QR's curve
    eval "$(bash tests/containers/fixture.sh swift swift enclave p384)"
    for name in swift enclave p384; do
        user=TESSERA_PI_CONTAINER_USER_$name qr=TESSERA_PI_CONTAINER_QR_$name
        PI_ENV="$PI_ENV $user='${!user}' $qr='${!qr}'"
    done
fi

step "swift: swift test (XCTest)"
rc=0
if [ "$(uname -s)" = Darwin ]; then
    out=$(cd "$PKG" && swift test 2>&1) || rc=$? # the fixture exported its variables
else
    out=$(swift_run "$PKG" "$PI_ENV swift test --disable-swift-testing 2>&1") || rc=$?
fi
xctest_summary swift "$out" "$rc"
