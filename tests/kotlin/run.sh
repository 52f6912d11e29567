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
. tests/kotlin/jvm.sh
mode=${1:-test}

step "kotlin: prerequisites (JNA and JUnit 5 from Debian, kotlinc from npm)"
kotlin_setup

step "kotlin: build libtessera_ffi and generate the bindings"
OUT=build/kotlin
if [ "$mode" = bench ]; then kotlin_bindings "$OUT" release; else kotlin_bindings "$OUT"; fi

RUN_CP=$OUT/classes:$BINDINGS_CLASSES:$KOTLIN_HOME/lib/kotlin-stdlib.jar
RUN_CP=$RUN_CP:$KOTLIN_HOME/lib/kotlin-test.jar:$J/jna.jar
JVM_FLAGS=(-Djna.library.path="$FFI_LIB_DIR")

if [ "$mode" = bench ]; then
    step "kotlin: compile the benchmark"
    rm -rf "$OUT/classes"
    "${KOTLINC[@]}" -cp "$J/jna.jar:$BINDINGS_CLASSES" -d "$OUT/classes" tests/kotlin/bench/*.kt
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
COMPILE_CP=$BINDINGS_CLASSES:$J/jna.jar:$JUNIT_API_CP:$KOTLIN_HOME/lib/kotlin-test.jar
"${KOTLINC[@]}" -cp "$COMPILE_CP" -d "$OUT/classes" tests/kotlin/src/*.kt

# Push through the bindings needs push tokens on the privacyIDEA that run-all.sh started
# (PushTest says why it skips without one).
if [ -n "${TESSERA_PI_URL:-}" ]; then
    eval "$(bash tests/privacyidea/push-fixture.sh kotlin software platform pkcs1 inbox slot)"
    eval "$(bash tests/containers/fixture.sh kotlin software platform)"
fi

step "kotlin: JUnit 5 on the JVM"
junit_run kotlin org.tessera.tests "$RUN_CP"
