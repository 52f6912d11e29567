# Shared by the JVM suites (tests/kotlin, tests/android-app; sourced after tests/lib.sh and
# tests/ffi.sh): the real Kotlin compiler from npm, JNA and JUnit 5 from Debian, the generated
# bindings compiled once per change, and the JUnit console run ending with the suite's line.

KOTLIN_VERSION=2.4.20
J=/usr/share/java

# kotlin_setup: installs what is missing and sets KOTLIN_HOME and KOTLINC (an array).
kotlin_setup() {
    apt_need libjna-java junit5
    local dir=$TESSERA_CACHE/kotlin-$KOTLIN_VERSION
    KOTLIN_HOME=$dir/node_modules/kotlin-compiler
    if [ ! -x "$KOTLIN_HOME/bin/kotlinc" ]; then
        mkdir -p "$dir"
        npm install --prefix "$dir" --no-audit --no-fund --silent "kotlin-compiler@$KOTLIN_VERSION"
    fi
    KOTLINC=("$KOTLIN_HOME/bin/kotlinc" -nowarn -jvm-target 17)
}

# How the generated bindings are compiled for the JVM. Kotlin compiles string templates and
# lambdas to invokedynamic call sites, and the JVM links each one the first time it runs (a
# bootstrap method spins a class or a method handle): a cost paid again by every fresh class
# on the way to the first codes, ~0.35 ms of a warm process's ~11 ms (docs/performance.md,
# "First codes on screen"). These two flags compile them as Android's D8 does anyway
# (StringBuilder, a class per lambda); the code does the same.
BINDINGS_KOTLINC_FLAGS=(-Xstring-concat=inline -Xlambdas=class)

# kotlin_bindings OUT [release]: builds libtessera_ffi, generates the Kotlin bindings into
# OUT/gen and compiles them into OUT/bindings-classes (once per change: they are most of the
# compile time; the stamp is the hash of the generated file). Sets BINDINGS_CLASSES and
# FFI_LIB_DIR.
kotlin_bindings() {
    local out=$1
    if [ "${2:-}" = release ]; then ffi_build release; else ffi_build; fi
    ffi_generate kotlin "$out/gen"
    local gen=$out/gen/org/tessera/tessera.kt stamp
    stamp=$( (cat "$gen"; echo "${BINDINGS_KOTLINC_FLAGS[*]}") | sha256sum | cut -d' ' -f1)
    BINDINGS_CLASSES=$out/bindings-classes
    if [ "$(cat "$out/bindings-classes.stamp" 2>/dev/null)" != "$stamp" ]; then
        step "compile the generated bindings"
        rm -rf "$BINDINGS_CLASSES"
        "${KOTLINC[@]}" "${BINDINGS_KOTLINC_FLAGS[@]}" -cp "$J/jna.jar" -d "$BINDINGS_CLASSES" "$gen"
        echo "$stamp" >"$out/bindings-classes.stamp"
    fi
}

# The JUnit 5 API jars tests compile against.
JUNIT_API_CP=$J/junit-jupiter-api.jar:$J/apiguardian-api.jar:$J/opentest4j.jar:$J/junit-platform-commons.jar

# junit_run NAME PACKAGE CLASSPATH [JAVA_FLAG...]: runs the tests of PACKAGE on the JVM with the
# library on JNA's path and a temporary directory of this run (removed afterwards), prints the
# tree and `NAME: N passed, N failed`, and fails unless tests ran and none failed.
junit_run() {
    local name=$1 package=$2 cp=$3 tmp rc=0 out passed failed
    shift 3
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-$name.XXXXXX")
    out=$(java -Djna.library.path="$FFI_LIB_DIR" -Djava.io.tmpdir="$tmp" "$@" \
        -jar "$J/junit-platform-console-standalone.jar" -cp "$cp" --select-package "$package" \
        --disable-banner --details=tree --disable-ansi-colors --fail-if-no-tests 2>&1) || rc=$?
    rm -rf "$tmp"
    echo "$out"
    passed=$(sed -nE 's/.*\[ *([0-9]+) tests successful.*/\1/p' <<<"$out")
    failed=$(sed -nE 's/.*\[ *([0-9]+) tests failed.*/\1/p' <<<"$out")
    echo "$name: ${passed:-0} passed, ${failed:-0} failed"
    [ "$rc" -eq 0 ] && [ "${failed:-0}" -eq 0 ] && [ "${passed:-0}" -gt 0 ]
}
