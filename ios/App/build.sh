#!/usr/bin/env bash
# Builds Tessera for iOS on a Mac in one command: the Rust core as an XCFramework, the Xcode
# project from project.yml (XcodeGen), then the app for the simulator (or DESTINATION).
#
#   ios/App/build.sh                                   # Debug, any iOS Simulator
#   DESTINATION='generic/platform=iOS' ios/App/build.sh   # a device build (needs signing)
#
# Needs Xcode 15.3+ (iOS 17 SDK), rustup and XcodeGen (`brew install xcodegen`).
set -euo pipefail
cd "$(dirname "$0")"
[ "$(uname -s)" = Darwin ] || { echo "build.sh: needs macOS with Xcode" >&2; exit 1; }
command -v xcodegen >/dev/null || { echo "build.sh: install XcodeGen first: brew install xcodegen" >&2; exit 1; }
PROFILE=${PROFILE:-debug} ../build-xcframework.sh
xcodegen generate --spec project.yml
xcodebuild -project Tessera.xcodeproj -scheme TesseraApp -configuration "${CONFIGURATION:-Debug}" \
    -destination "${DESTINATION:-generic/platform=iOS Simulator}" build
