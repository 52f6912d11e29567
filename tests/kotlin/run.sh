#!/usr/bin/env bash
# Kotlin suite: the generated Kotlin bindings and the JUnit 5 tests in tests/kotlin/src,
# compiled with a real Kotlin 2.x compiler and run on the JVM against the host-built library
# through JNA. Ends with one line `kotlin: N passed, N failed`; exits non-zero on failure.
#   tests/kotlin/run.sh          run the tests
#   tests/kotlin/run.sh bench    run the benchmark (tests/kotlin/bench/Bench.kt, release
#                                library) instead
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/ffi.sh
mode=${1:-test}

step "kotlin: prerequisites (JNA and JUnit 5 from Debian, kotlinc from npm)"
apt_need libjna-java junit5
KOTLIN_VERSION=2.4.20
KOTLIN_DIR=$TESSERA_CACHE/kotlin-$KOTLIN_VERSION
KOTLIN_HOME=$KOTLIN_DIR/node_modules/kotlin-compiler
if [ ! -x "$KOTLIN_HOME/bin/kotlinc" ]; then
    mkdir -p "$KOTLIN_DIR"
    npm install --prefix "$KOTLIN_DIR" --no-audit --no-fund --silent "kotlin-compiler@$KOTLIN_VERSION"
fi
J=/usr/share/java

step "kotlin: build libtessera_ffi and generate the bindings"
if [ "$mode" = bench ]; then ffi_build release; else ffi_build; fi
OUT=build/kotlin
ffi_generate kotlin "$OUT/gen"

KOTLINC=("$KOTLIN_HOME/bin/kotlinc" -nowarn -jvm-target 17)
GEN=$OUT/gen/org/tessera/tessera.kt
# The generated bindings are compiled once per change (they are most of the compile time);
# the stamp is the hash of the generated file.
stamp=$(sha256sum "$GEN" | cut -d' ' -f1)
if [ "$(cat "$OUT/bindings-classes.stamp" 2>/dev/null)" != "$stamp" ]; then
    step "kotlin: compile the generated bindings"
    rm -rf "$OUT/bindings-classes"
    "${KOTLINC[@]}" -cp "$J/jna.jar" -d "$OUT/bindings-classes" "$GEN"
    echo "$stamp" >"$OUT/bindings-classes.stamp"
fi

RUN_CP=$OUT/classes:$OUT/bindings-classes:$KOTLIN_HOME/lib/kotlin-stdlib.jar
RUN_CP=$RUN_CP:$KOTLIN_HOME/lib/kotlin-test.jar:$J/jna.jar
JVM_FLAGS=(-Djna.library.path="$FFI_LIB_DIR")

if [ "$mode" = bench ]; then
    step "kotlin: compile the benchmark"
    rm -rf "$OUT/classes"
    "${KOTLINC[@]}" -cp "$J/jna.jar:$OUT/bindings-classes" -d "$OUT/classes" tests/kotlin/bench/*.kt
    step "kotlin: benchmark"
    java "${JVM_FLAGS[@]}" -cp "$RUN_CP" org.tessera.bench.BenchKt
    step "kotlin: first codes on screen (100 accounts, fresh JVM each run)"
    BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tessera-kotlin-bench.XXXXXX")
    trap 'rm -rf "$BENCH_TMP"' EXIT
    java "${JVM_FLAGS[@]}" -cp "$RUN_CP" org.tessera.bench.BenchKt first-codes-setup "$BENCH_TMP/vault.db"
    for _ in $(seq 15); do
        java "${JVM_FLAGS[@]}" -cp "$RUN_CP" org.tessera.bench.BenchKt first-codes "$BENCH_TMP/vault.db"
    done | tee "$BENCH_TMP/runs"
    python3 - "$BENCH_TMP/runs" <<'PY'
import re, statistics, sys
runs = [l.split() for l in open(sys.argv[1])]
first = [float(r[1]) for r in runs]
warm = [float(r[6]) for r in runs]
print(f"kotlin first codes: median {statistics.median(first):.2f} ms (min {min(first):.2f}, "
      f"{len(first)} fresh JVMs); warm reopen median {statistics.median(warm):.2f} ms")
PY
    exit 0
fi

step "kotlin: compile the tests"
rm -rf "$OUT/classes"
COMPILE_CP=$OUT/bindings-classes:$J/jna.jar:$J/junit-jupiter-api.jar:$J/apiguardian-api.jar
COMPILE_CP=$COMPILE_CP:$J/opentest4j.jar:$J/junit-platform-commons.jar:$KOTLIN_HOME/lib/kotlin-test.jar
"${KOTLINC[@]}" -cp "$COMPILE_CP" -d "$OUT/classes" tests/kotlin/src/*.kt

# Push through the bindings needs push tokens on the privacyIDEA that run-all.sh started
# (PushTest says why it skips without one).
if [ -n "${TESSERA_PI_URL:-}" ]; then
    eval "$(bash tests/privacyidea/push-fixture.sh kotlin software platform inbox)"
    eval "$(bash tests/containers/fixture.sh kotlin software platform)"
fi

step "kotlin: JUnit 5 on the JVM"
# The tests' vaults and exports go to a temporary directory of this run, removed afterwards.
JAVA_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tessera-kotlin-run.XXXXXX")
trap 'rm -rf "$JAVA_TMP"' EXIT
rc=0
out=$(java "${JVM_FLAGS[@]}" -Djava.io.tmpdir="$JAVA_TMP" -jar "$J/junit-platform-console-standalone.jar" \
    -cp "$RUN_CP" --select-package org.tessera.tests --disable-banner \
    --details=tree --disable-ansi-colors --fail-if-no-tests 2>&1) || rc=$?
echo "$out"
passed=$(sed -nE 's/.*\[ *([0-9]+) tests successful.*/\1/p' <<<"$out")
failed=$(sed -nE 's/.*\[ *([0-9]+) tests failed.*/\1/p' <<<"$out")
echo "kotlin: ${passed:-0} passed, ${failed:-0} failed"
[ "$rc" -eq 0 ] && [ "${failed:-0}" -eq 0 ] && [ "${passed:-0}" -gt 0 ]
