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
    # First codes on screen (docs/performance.md): a 100-account vault, opened with the device
    # key, until the display-ready list is held. Two figures: from a fresh JVM (everything,
    # JNA's own start included, runs for the first time) and from a warm process (the JVM, JNA
    # and the JIT warm; libtessera_ffi and the bindings loaded anew: WarmLoad.kt says how).
    BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tessera-kotlin-bench.XXXXXX")
    trap 'rm -rf "$BENCH_TMP"' EXIT
    java "${JVM_FLAGS[@]}" -cp "$RUN_CP" org.tessera.bench.BenchKt first-codes-setup "$BENCH_TMP/vault.db"
    step "kotlin: first codes from a fresh JVM, step by step (median of 9 fresh JVMs)"
    for _ in $(seq 9); do
        java "${JVM_FLAGS[@]}" -cp "$RUN_CP" org.tessera.bench.BenchKt first-codes-phases "$BENCH_TMP/vault.db"
    done >"$BENCH_TMP/phases"
    python3 - "$BENCH_TMP/phases" <<'PY'
import statistics, sys
phases = {}
for line in open(sys.argv[1]):
    _, name, wall, cpu = line.rstrip("\n").split("|")
    phases.setdefault(name, []).append((float(wall), float(cpu)))
for name, runs in phases.items():
    print(f"  {name:<72} wall {statistics.median(r[0] for r in runs):7.2f} ms"
          f"  thread CPU {statistics.median(r[1] for r in runs):7.2f} ms")
PY
    step "kotlin: first codes from a fresh JVM (15 JVMs)"
    for _ in $(seq 15); do
        java "${JVM_FLAGS[@]}" -cp "$RUN_CP" org.tessera.bench.BenchKt first-codes "$BENCH_TMP/vault.db"
    done | tee "$BENCH_TMP/runs"
    step "kotlin: first codes in a warm process (the library and the bindings loaded anew)"
    rm -rf "$OUT/launcher"
    "${KOTLINC[@]}" -d "$OUT/launcher" tests/kotlin/bench/launcher/*.kt
    java -cp "$OUT/launcher:$KOTLIN_HOME/lib/kotlin-stdlib.jar:$J/jna.jar" \
        org.tessera.bench.launcher.WarmLoadKt "$BENCH_TMP/vault.db" "$FFI_LIB" \
        "$BINDINGS_CLASSES:$OUT/classes" "$BENCH_TMP" 20 40 | tee "$BENCH_TMP/warm"
    # The same by the calls the apps make (vaultStatus, Unlocker, codeList, groups: FirstCodes.kt's
    # firstCodesAppProbe), beside the issue's shorter measure (Vault.open and codes()).
    java -cp "$OUT/launcher:$KOTLIN_HOME/lib/kotlin-stdlib.jar:$J/jna.jar" \
        org.tessera.bench.launcher.WarmLoadKt "$BENCH_TMP/vault.db" "$FFI_LIB" \
        "$BINDINGS_CLASSES:$OUT/classes" "$BENCH_TMP/app" 20 40 firstCodesAppProbe \
        | tee "$BENCH_TMP/warm-app"
    python3 - "$BENCH_TMP/runs" "$BENCH_TMP/warm" "$BENCH_TMP/warm-app" <<'PY'
import re, statistics, sys
runs = [re.findall(r"[0-9.]+ ms", l) for l in open(sys.argv[1])]
fresh = [float(r[0].split()[0]) for r in runs]
fresh_cpu = [float(r[1].split()[0]) for r in runs]
reopen = [float(r[2].split()[0]) for r in runs]
warm = re.search(r"median ([0-9.]+) ms", open(sys.argv[2]).read()).group(1)
print(f"fresh JVM: median {statistics.median(fresh):.2f} ms (min {min(fresh):.2f}, thread CPU "
      f"median {statistics.median(fresh_cpu):.2f} ms, {len(fresh)} JVMs); warm reopen median "
      f"{statistics.median(reopen):.2f} ms")
app = re.search(r"median ([0-9.]+) ms.*thread CPU median ([0-9.]+) ms", open(sys.argv[3]).read())
print(f"kotlin first codes by the apps' calls: warm process median {float(app.group(1)):.2f} ms "
      f"(thread CPU {float(app.group(2)):.2f} ms)")
print(f"kotlin first codes: warm process median {float(warm):.2f} ms, "
      f"fresh JVM median {statistics.median(fresh):.2f} ms")
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
