#!/usr/bin/env bash
# iOS app suite: the app's view models (ios/AppModel, module TesseraAppModel: Foundation and
# Observation, no SwiftUI/UIKit) built on the generated Swift bindings over the host-built
# library and tested with XCTest, in the same toolchain as tests/swift (Linux: the Debian 13
# root). With TESSERA_PI_URL set (tests/run-all.sh), the push inbox is tested against that real
# privacyIDEA through URLSessionTransport; without it those tests are skipped, saying why.
# Ends with one line `ios-app: N passed, N failed`; exits non-zero on failure.
#
# The SwiftUI views, the Secure Enclave / Keychain / AVFoundation / BackgroundTasks services
# and the Xcode project (ios/App) need Apple's SDKs: they are never built here (ios/README.md);
# their syntax is parsed, and AppServices.swift alone is type-checked (below).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/swift/xctest.sh
REPO=$(pwd -P)
PKG=$REPO/ios/AppModel

swift_toolchain ios-app

step "ios-app: build libtessera_ffi and generate the bindings"
bash tests/swift/generate.sh

# TESSERA_BINDINGS=host: ios/AppModel builds on tests/swift's package (the host library)
# instead of the XCFramework. The root resets the environment: pass everything on.
ENV="TESSERA_BINDINGS=host TESSERA_FFI_BUILD='${TESSERA_FFI_BUILD:-desktop}'"
# The root from here on: the push enrollments below expire if left waiting for it.
swift_hold_root ios-app
if [ -n "${TESSERA_PI_URL:-}" ]; then
    step "ios-app: privacyIDEA push users (plain, number matching, app_force_unlock, time sync, opened notification, background poll slot)"
    PI_ADMIN=("$TESSERA_CACHE/privacyidea-3.14/bin/python" tests/privacyidea/pi_admin.py)
    eval "$(bash tests/privacyidea/push-fixture.sh iosapp plain match time opened slot)"
    "${PI_ADMIN[@]}" policy "tessera-nm-$TESSERA_PI_PUSH_USER_match" "$TESSERA_PI_PUSH_USER_match" \
        "push_require_presence, push_presence_options=NUMERIC, push_presence_num_options=4"
    # app_force_unlock comes from an enrollment policy, so it must exist before the token.
    TESSERA_PI_PUSH_USER_locked=iosapp-locked-$(date +%s%N | tail -c 7)
    "${PI_ADMIN[@]}" user "$TESSERA_PI_PUSH_USER_locked"
    "${PI_ADMIN[@]}" policy "tessera-fu-$TESSERA_PI_PUSH_USER_locked" "$TESSERA_PI_PUSH_USER_locked" \
        "push_app_force_unlock=biometric" enrollment
    TESSERA_PI_PUSH_URI_locked=$("${PI_ADMIN[@]}" token "$TESSERA_PI_PUSH_USER_locked" push push-pin)
    ENV="$ENV TESSERA_PI_URL='$TESSERA_PI_URL'"
    for name in plain match locked time opened slot; do
        user=TESSERA_PI_PUSH_USER_$name uri=TESSERA_PI_PUSH_URI_$name
        ENV="$ENV $user='${!user}' $uri='${!uri}'"
    done
fi

# Observation links on Linux only with --allow-shlib-undefined: trixie's libswiftObservation.so
# references a runtime symbol that libswiftCore does not export; Observation itself works
# (withObservationTracking fires, /work/shared/docs/toolchain.md). macOS links it normally.
FLAGS="--disable-swift-testing"
[ "$(uname -s)" = Darwin ] || FLAGS="$FLAGS -Xlinker --allow-shlib-undefined"

# The view models must build without Apple's UI frameworks (that is what lets them run here).
if grep -rlE '^\s*import (SwiftUI|UIKit)\b' "$PKG/Sources"; then
    echo "the files above import SwiftUI/UIKit: views belong in ios/App, not in the view models" >&2
    exit 1
fi

# The app's own files need Apple's SDKs to compile; parsing them at least keeps their syntax
# from rotting (it checks no type or API).
step "ios-app: parse the SwiftUI app's files (syntax only)"
swift_run "$REPO/ios/App" 'for f in $(find Tessera -name "*.swift"); do swiftc -parse "$f" || exit 1; done'

# SwiftPM does not always rebuild this package when the path dependency's generated bindings
# change (seen: a record gained a field, the stale test binary crashed in libswiftCore), so a
# build made from other bindings is thrown away.
stamp=$(cat tests/swift/Sources/TesseraFFI/generated/TesseraFFI.h \
    tests/swift/Sources/Tessera/generated/Tessera.swift | sha256sum | cut -d' ' -f1)
if [ "$(cat "$PKG/.build/tessera-bindings.sha256" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$PKG/.build"
    mkdir -p "$PKG/.build"
    echo "$stamp" >"$PKG/.build/tessera-bindings.sha256"
fi

step "ios-app: swift test (XCTest)"
rc=0
out=$(swift_run "$PKG" "env $ENV swift test $FLAGS 2>&1") || rc=$?

# Of the app itself, AppServices.swift (the wiring of the models) imports nothing Apple-only:
# it is type-checked against the modules just built, with the Apple-only classes it names
# declared by their signatures (AppleSignatures.swift). A failure counts as one more failure.
step "ios-app: type-check ios/App's AppServices.swift against the view models"
MODULES=$PKG/.build/debug/Modules
if ! swift_run "$REPO/ios/App" "swiftc -typecheck -I '$MODULES' \
    -Xcc -fmodule-map-file='$REPO/tests/swift/Sources/TesseraFFI/module.modulemap' \
    Tessera/AppServices.swift '$REPO/tests/ios-app/AppleSignatures.swift'"; then
    out="$out
ios-app: ios/App/Tessera/AppServices.swift does not type-check against the view models (above)"
    rc=1
fi
xctest_summary ios-app "$out" "$rc"
