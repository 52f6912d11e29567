#!/usr/bin/env bash
# Every figure of docs/performance.md, reproduced on this machine. Take them on an idle
# machine: each section prints the load average beside its figures, since a busy machine
# makes them noisy (per-code costs are measured in thread CPU time, which helps, not cures).
#
#   tests/bench.sh [all]     everything below, in this order
#   tests/bench.sh codes     per-code cost, beside totp-rs, oathtool and pyotp (criterion);
#                            prints both rendered as text (`codes as text: …`), then ends
#                            with `codes: tessera X ns/code, totp-rs Y ns/code` (the code's
#                            value, as totp-rs's generate gives it)
#   tests/bench.sh vault     open + device unlock + 10,000 codes, peak RSS
#   tests/bench.sh import    10,000 Aegis entries into a fresh vault
#   tests/bench.sh push      received push → signed answer (RSA-2048/4096)
#   tests/bench.sh kotlin    first codes on screen and the batch call, from Kotlin on the JVM
#   tests/bench.sh swift     first codes on screen, from Swift on Linux (needs root: chroot)
#   tests/bench.sh size      stripped libtessera_ffi.so, mobile and full (two release builds);
#                            ends with `size: mobile X bytes, full Y bytes`
#
# Kotlin and Swift use the mobile library (TESSERA_FFI_BUILD=mobile), what phones ship.
# Benchmarks report figures; nothing here asserts a time.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lib.sh

load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

TARGET_DIR=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')

# criterion's estimate for GROUP/NAME in ns (median of the last run), divided by $3.
estimate() {
    python3 - "$TARGET_DIR/criterion/$1/new/estimates.json" "$2" <<'PY'
import json, sys
print(f"{json.load(open(sys.argv[1]))['median']['point_estimate'] / float(sys.argv[2]):.1f}")
PY
}

bench_codes() {
    step "codes: 10,000 TOTP codes per batch, beside totp-rs, oathtool and pyotp"
    apt_need oathtool
    # pyotp from PyPI, in a venv of the cache (pinned: figures must be comparable over time).
    local venv=$TESSERA_CACHE/bench-venv
    if ! "$venv/bin/python" -c 'import pyotp' 2>/dev/null; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q pyotp==2.9.0
    fi
    load
    TESSERA_BENCH_PYTHON=$venv/bin/python cargo bench --locked -q -p tessera-core --bench codes
    load
    echo "codes as text: tessera $(estimate 10k_totp_codes/tessera_codes_at_new_step_and_render 10000) ns/code," \
        "totp-rs $(estimate 10k_totp_codes/totp_rs_generate_and_render 10000) ns/code"
    echo "codes: tessera $(estimate 10k_totp_codes/tessera_codes_at_new_step 10000) ns/code," \
        "totp-rs $(estimate 10k_totp_codes/totp_rs_generate 10000) ns/code"
}

bench_vault() {
    step "vault: open + unlock + 10,000 codes, peak RSS"
    load
    cargo bench --locked -q -p tessera-core --bench vault_unlock
}

bench_import() {
    step "import: 10,000 Aegis entries"
    load
    cargo bench --locked -q -p tessera-core --bench transfer_import
}

bench_push() {
    step "push: payload → verified → signed answer"
    load
    cargo bench --locked -q -p tessera-core --bench push
}

bench_kotlin() {
    load
    TESSERA_FFI_BUILD=mobile bash tests/kotlin/run.sh bench
    load
}

bench_swift() {
    load
    TESSERA_FFI_BUILD=mobile bash tests/swift/run.sh bench
    load
}

# Size of the stripped release library. uniffi-bindgen needs the unstripped one, so the size
# is that of a stripped copy.
stripped_size() {
    local copy
    copy=$(mktemp "${TMPDIR:-/tmp}/libtessera_ffi.XXXXXX")
    strip -o "$copy" "$1"
    stat -c %s "$copy"
    rm -f "$copy"
}

bench_size() {
    step "size: release libtessera_ffi.so, stripped (x86_64)"
    . tests/ffi.sh
    TESSERA_FFI_BUILD=mobile ffi_build release
    local mobile full
    mobile=$(stripped_size "$FFI_LIB")
    TESSERA_FFI_BUILD=desktop ffi_build release
    full=$(stripped_size "$FFI_LIB")
    echo "size: mobile $mobile bytes, full $full bytes"
}

case "${1:-all}" in
    codes) bench_codes ;;
    vault) bench_vault ;;
    import) bench_import ;;
    push) bench_push ;;
    kotlin) bench_kotlin ;;
    swift) bench_swift ;;
    size) bench_size ;;
    all)
        bench_vault
        bench_import
        bench_push
        bench_kotlin
        bench_swift
        bench_codes
        bench_size
        ;;
    *) echo "usage: $0 [all|codes|vault|import|push|kotlin|swift|size]" >&2; exit 2 ;;
esac
