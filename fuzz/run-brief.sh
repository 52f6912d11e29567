#!/usr/bin/env bash
# A short run of every fuzz target (fuzz/, cargo-fuzz + libFuzzer), meant for tests/run-all.sh:
# each target starts from the seeds fuzz/make_corpus.py makes from the project's fixtures and
# runs for FUZZ_SECONDS (default 8; 7 targets, so ~1 min of fuzzing in all). Any crash, panic,
# timeout or out-of-memory fails the step and leaves the input in fuzz/artifacts/<target>/.
#
# Needs the nightly toolchain (rustup; it is on the project's Debian 12 machines) and installs
# cargo-fuzz from crates.io when it is missing (~1-2 min). The fuzz build lives in
# $TESSERA_CACHE/fuzz-target so later runs reuse it; cold, it compiles tessera-core and its
# dependencies again with coverage instrumentation (4.3 min of CPU time, measured).
#
# No sanitizer (`-s none`): every parser fuzzed here is safe Rust, so what a finding can be is a
# panic, an abort (allocation failure), a timeout or running out of memory, which libFuzzer
# reports without AddressSanitizer; ASan would double the build and slow each execution for
# memory errors safe code cannot have. SQLite, the one C library linked, is reached by the
# `import` target only through other apps' databases (transfer/appdb.rs: a read-only in-memory
# copy, bounded); SQLite is fuzzed upstream with sanitizers, and `FUZZ_SANITIZER=address`
# builds and runs with ASan here all the same.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lib.sh

FUZZ_SECONDS=${FUZZ_SECONDS:-8}
FUZZ_SANITIZER=${FUZZ_SANITIZER:-none}
# A fixed seed by default: the brief run in CI replays the same mutation sequence each time, so
# it fails on a bug it reaches, not on chance. FUZZ_SEED=0 lets libFuzzer pick one (campaigns).
FUZZ_SEED=${FUZZ_SEED:-1}
FUZZ_VERSION=0.13.2

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz: the nightly toolchain is missing (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    step "fuzz: installing cargo-fuzz $FUZZ_VERSION from crates.io"
    cargo install cargo-fuzz --version "$FUZZ_VERSION" --locked --quiet
fi

step "fuzz: building the targets (nightly, sanitizer: $FUZZ_SANITIZER)"
TARGET_DIR="$TESSERA_CACHE/fuzz-target"
( cd fuzz && cargo +nightly fuzz build -s "$FUZZ_SANITIZER" --target-dir "$TARGET_DIR" )
# --build-only: tests/run-all.sh builds the targets in the background while its other steps
# wait on the network (apt, PyPI, debootstrap), then runs them at the end.
if [ "${1:-}" = --build-only ]; then exit 0; fi

step "fuzz: seed corpora from the project's fixtures"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tessera-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# A real backup to seed the backup target, written by the CLI that cargo test built.
BACKUP_ARG=()
if [ -x target/debug/tessera ]; then
    export TESSERA_VAULT="$WORK/vault.sqlite" TESSERA_PASSWORD="fuzz seed"
    target/debug/tessera init >/dev/null
    target/debug/tessera add --secret JBSWY3DPEHPK3PXP --issuer Seed --label fuzz >/dev/null
    target/debug/tessera backup export "$WORK/seed.tsrb" >/dev/null
    unset TESSERA_VAULT TESSERA_PASSWORD
    BACKUP_ARG=(--backup "$WORK/seed.tsrb")
fi
python3 fuzz/make_corpus.py "${BACKUP_ARG[@]}"


for target in $(cd fuzz && cargo +nightly fuzz list); do
    step "fuzz: $target for ${FUZZ_SECONDS}s"
    # A scratch copy of the seeds: what the fuzzer adds stays out of the repository.
    mkdir -p "$WORK/corpus/$target"
    cp -r "fuzz/corpus/$target/." "$WORK/corpus/$target/" 2>/dev/null || true
    ( cd fuzz && cargo +nightly fuzz run -s "$FUZZ_SANITIZER" --target-dir "$TARGET_DIR" "$target" "$WORK/corpus/$target" -- \
        -max_total_time="$FUZZ_SECONDS" -seed="$FUZZ_SEED" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
        2>"$WORK/$target.log" ) || { tail -40 "$WORK/$target.log" >&2; echo "fuzz: $target failed" >&2; exit 1; }
    grep -E '^stat::number_of_executed_units|^Done' "$WORK/$target.log" | tr '\n' ' '; echo
done
step "fuzz: every target ran without a finding"
