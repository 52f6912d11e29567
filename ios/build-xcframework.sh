#!/usr/bin/env bash
# Builds ios/TesseraFFI.xcframework (device arm64; simulator arm64 + x86_64) and generates the
# Swift bindings into ios/Sources/Tessera/generated/. Runs on macOS with Xcode and rustup.
#   ios/build-xcframework.sh            release build (what an app ships)
#   PROFILE=debug ios/build-xcframework.sh
# Order matters: the bindings are generated from the unstripped library (uniffi reads its
# metadata from the symbols); only then are the copies in the XCFramework stripped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PROFILE=${PROFILE:-release}
DEVICE=aarch64-apple-ios
SIMULATORS=(aarch64-apple-ios-sim x86_64-apple-ios)
OUT=$ROOT/build/ios
IOS=$ROOT/ios

[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS and Xcode" >&2; exit 1; }
rustup target add "$DEVICE" "${SIMULATORS[@]}" >/dev/null

flag=()
[ "$PROFILE" = release ] && flag=(--release)
# The mobile library: --no-default-features leaves out the desktop extras (HTTP/TLS client,
# software RSA key generation, PNG/JPEG decoding); the app brings PushTransport and
# PushDeviceKeys and hands QR frames to import_qr_luma (docs/performance.md).
for target in "$DEVICE" "${SIMULATORS[@]}"; do
    echo "::: cargo build $PROFILE for $target (mobile features)"
    cargo build --locked -p tessera-ffi --no-default-features --target "$target" "${flag[@]}"
done
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
lib() { echo "$TARGET_DIR/$1/$PROFILE/libtessera_ffi.a"; }

echo "::: generate the Swift bindings (library mode, from the unstripped device library)"
rm -rf "$OUT" "$IOS/TesseraFFI.xcframework" "$IOS/Sources/Tessera/generated"
mkdir -p "$OUT/headers" "$OUT/device" "$OUT/simulator" "$IOS/Sources/Tessera/generated"
cargo run --locked -q -p uniffi-bindgen -- generate --library "$(lib "$DEVICE")" \
    --language swift --config uniffi.toml --out-dir "$OUT/gen" --no-format
cp "$OUT/gen/Tessera.swift" "$IOS/Sources/Tessera/generated/"
cp "$OUT/gen/TesseraFFI.h" "$OUT/headers/"
# XCFrameworks expect the module map under this exact name.
cat >"$OUT/headers/module.modulemap" <<'MAP'
module TesseraFFI {
    header "TesseraFFI.h"
    export *
}
MAP

echo "::: strip and assemble"
cp "$(lib "$DEVICE")" "$OUT/device/libtessera_ffi.a"
sim_libs=()
for target in "${SIMULATORS[@]}"; do sim_libs+=("$(lib "$target")"); done
lipo -create "${sim_libs[@]}" -output "$OUT/simulator/libtessera_ffi.a"
# -S: debug symbols only; the global symbols the app links against stay.
strip -S "$OUT/device/libtessera_ffi.a" "$OUT/simulator/libtessera_ffi.a" 2>/dev/null || true
xcodebuild -create-xcframework \
    -library "$OUT/device/libtessera_ffi.a" -headers "$OUT/headers" \
    -library "$OUT/simulator/libtessera_ffi.a" -headers "$OUT/headers" \
    -output "$IOS/TesseraFFI.xcframework"
echo "::: done: ios/TesseraFFI.xcframework and ios/Sources/Tessera/generated/Tessera.swift"
