#!/usr/bin/env bash
# Android app suite: every file of the app that needs no Android SDK (android/app/src/main/
# kotlin: the state holders in model/, the platform adapters in platform/) compiled with the
# real Kotlin compiler together with the generated bindings, and the JUnit 5 tests in
# tests/android-app/src run on the JVM against the host build of the mobile library. A PKCS#12 key
# store stands in for the Android Keystore; push runs against the real privacyIDEA of
# TESSERA_PI_* (those tests skip, saying why, without it). Ends with
# `android-app: N passed, N failed`; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/ffi.sh
. tests/kotlin/jvm.sh

step "android-app: prerequisites (JNA and JUnit 5 from Debian, kotlinc from npm)"
kotlin_setup

step "android-app: build libtessera_ffi and generate the bindings"
# The app ships the mobile library (android/tessera builds `--no-default-features`), so its
# tests run against that build: this is where tests/run-all.sh runs the mobile library under
# every test of the app (TESSERA_FFI_BUILD=desktop runs them against the desktop build). The
# same generated bindings as the Kotlin suite (compiled once for both: the two builds export
# the same API).
export TESSERA_FFI_BUILD=${TESSERA_FFI_BUILD:-mobile}
kotlin_bindings build/kotlin
OUT=build/android-app
APP=android/app/src/main/kotlin/org/tessera/app
# Listed one by one: the Android-only sources live under src/main/android and are never
# compiled here; a file in these directories that imports android.* or androidx.* fails here.
PLAIN_DIRS=("$APP/model" "$APP/platform")
if grep -rlE '^import (android|androidx)\.' "${PLAIN_DIRS[@]}"; then
    echo "the files above import android.*/androidx.*: move them under android/app/src/main/android" >&2
    exit 1
fi
COROUTINES=$KOTLIN_HOME/lib/kotlinx-coroutines-core-jvm.jar

step "android-app: compile the app's plain Kotlin (model, platform)"
rm -rf "$OUT"
"${KOTLINC[@]}" -cp "$BINDINGS_CLASSES:$J/jna.jar:$COROUTINES" -d "$OUT/app-classes" "${PLAIN_DIRS[@]}"

step "android-app: compile the tests"
COMPILE_CP=$OUT/app-classes:$BINDINGS_CLASSES:$J/jna.jar:$COROUTINES:$JUNIT_API_CP:$KOTLIN_HOME/lib/kotlin-test.jar
"${KOTLINC[@]}" -cp "$COMPILE_CP" -d "$OUT/test-classes" tests/android-app/src/*.kt

# Push tokens on the privacyIDEA of run-all.sh, one per test that enrolls (number matching: its policy
# is scoped to that user only).
if [ -n "${TESSERA_PI_URL:-}" ]; then
    eval "$(bash tests/privacyidea/push-fixture.sh android adapters deny numbers slot)"
    "$TESSERA_CACHE/privacyidea-3.14/bin/python" tests/privacyidea/pi_admin.py policy \
        "android-numbers-$TESSERA_PI_PUSH_USER_numbers" "$TESSERA_PI_PUSH_USER_numbers" \
        "push_require_presence, push_presence_options=NUMERIC, push_presence_num_options=3"
    export TESSERA_PI_ADMIN_PY=$TESSERA_CACHE/privacyidea-3.14/bin/python
fi

step "android-app: JUnit 5 on the JVM"
RUN_CP=$OUT/test-classes:$OUT/app-classes:$BINDINGS_CLASSES:$COROUTINES:$J/jna.jar
RUN_CP=$RUN_CP:$KOTLIN_HOME/lib/kotlin-stdlib.jar:$KOTLIN_HOME/lib/kotlin-test.jar
junit_run android-app org.tessera.app.tests "$RUN_CP"
