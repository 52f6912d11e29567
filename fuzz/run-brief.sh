#!/usr/bin/env bash
# A short run of every fuzz target (fuzz/, cargo-fuzz + libFuzzer), meant for tests/run-all.sh:
# each target starts from the seeds fuzz/make_corpus.py makes from the project's fixtures and
# runs for FUZZ_SECONDS (default 8; 4 targets, so ~30 s of fuzzing in all). Any crash, panic,
# timeout or out-of-memory fails the step and leaves the input in fuzz/artifacts/<target>/.
#
# Needs the nightly toolchain (rustup; it is on the project's Debian 12 machines) and installs
# cargo-fuzz from crates.io when it is missing (~1 min). The fuzz build lives in
# $TESSERA_CACHE/fuzz-target so later runs reuse it; a cold build with AddressSanitizer
# compiles tessera-core and all its dependencies again (over 25 minutes on the session's
# overloaded 2-core machine, not finished there; not measured on an idle one).
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lib.sh

FUZZ_SECONDS=${FUZZ_SECONDS:-8}
FUZZ_VERSION=0.13.2

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz: the nightly toolchain is missing (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    step "fuzz: installing cargo-fuzz $FUZZ_VERSION from crates.io"
    cargo install cargo-fuzz --version "$FUZZ_VERSION" --locked --quiet
fi

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

step "fuzz: building the targets (nightly, AddressSanitizer)"
TARGET_DIR="$TESSERA_CACHE/fuzz-target"
( cd fuzz && cargo +nightly fuzz build --target-dir "$TARGET_DIR" )

for target in $(cd fuzz && cargo +nightly fuzz list); do
    step "fuzz: $target for ${FUZZ_SECONDS}s"
    # A scratch copy of the seeds: what the fuzzer adds stays out of the repository.
    mkdir -p "$WORK/corpus/$target"
    cp -r "fuzz/corpus/$target/." "$WORK/corpus/$target/" 2>/dev/null || true
    ( cd fuzz && cargo +nightly fuzz run --target-dir "$TARGET_DIR" "$target" "$WORK/corpus/$target" -- \
        -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
        2>"$WORK/$target.log" ) || { tail -40 "$WORK/$target.log" >&2; echo "fuzz: $target failed" >&2; exit 1; }
    grep -E '^stat::number_of_executed_units|^Done' "$WORK/$target.log" | tr '\n' ' '; echo
done
step "fuzz: every target ran without a finding"
