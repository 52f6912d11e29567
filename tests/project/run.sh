#!/usr/bin/env bash
# Project checks: the dependency graph's licences (cargo-about against about.toml's allowed
# list) and THIRD-PARTY-NOTICES.md being up to date; `rust-version` agreeing with Cargo.lock;
# API docs building without a warning; the examples in core/examples running.
# Ends with `project: N passed, 0 failed`.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh
apt_need oathtool
passed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }

ABOUT_VERSION=0.9.3
TOOLS=$TESSERA_CACHE/tools
export PATH=$TOOLS/bin:$PATH
if ! cargo-about --version 2>/dev/null | grep -q "$ABOUT_VERSION"; then
    step "project: install cargo-about $ABOUT_VERSION (crates.io)"
    cargo install -q --locked --features cli --version "$ABOUT_VERSION" --root "$TOOLS" \
        --target-dir "$TOOLS/target" cargo-about
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

step "project: licences of the dependency graph and the third-party notice"
bash tests/project/notices.sh "$WORK/notices.md"
ok "every dependency's licence is in about.toml's allowed list"
if ! diff -q THIRD-PARTY-NOTICES.md "$WORK/notices.md" >/dev/null; then
    diff THIRD-PARTY-NOTICES.md "$WORK/notices.md" | head -20 >&2
    echo "THIRD-PARTY-NOTICES.md is out of date: run tests/project/notices.sh and commit it" >&2
    exit 1
fi
ok "THIRD-PARTY-NOTICES.md matches Cargo.lock"

step "project: rust-version against the locked dependencies"
cargo metadata --format-version 1 --locked | python3 -c '
import json, sys
m = json.load(sys.stdin)
ver = lambda v: (tuple(int(x) for x in v.split(".")) + (0, 0))[:3]  # "1.89" == "1.89.0"
ours = {p["rust_version"] for p in m["packages"] if p["id"] in m["workspace_members"]}
assert len(ours) == 1, f"workspace crates disagree on rust-version: {ours}"
ours = ours.pop()
need = max((ver(p["rust_version"]), p["name"]) for p in m["packages"]
           if p.get("rust_version") and p["id"] not in m["workspace_members"])
needed = ".".join(map(str, need[0]))
if ver(ours) < need[0]:
    sys.exit(f"rust-version {ours} is older than {need[1]} needs ({needed})")
print(f"rust-version {ours}; the strictest dependency is {need[1]} ({needed})")
'
# Only the machine's toolchain (1.95) is installable here; building with rust-version's own
# toolchain is untested (said in CONTRIBUTING.md).
ok "rust-version is at least what every locked dependency declares"

step "project: API documentation (cargo doc, warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps --locked -p tessera-core -p tessera-ffi
ok "cargo doc --no-deps for tessera-core and tessera-ffi has no warning"

step "project: the examples run"
# RFC 6238's test secret, checked against oathtool (an independent implementation). The
# example prints at its own "now": either side of a step boundary is accepted.
before=$(oathtool --totp -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ)
code=$(cargo run -q --locked -p tessera-core --example code | cut -d' ' -f1)
after=$(oathtool --totp -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ)
[ "$code" = "$before" ] || [ "$code" = "$after" ] || { echo "example code printed $code, oathtool $before/$after" >&2; exit 1; }
ok "example code prints oathtool's code"
out=$(cargo run -q --locked -p tessera-core --example import -- tests/fixtures/transfer/aegis_plain.json)
echo "$out" | head -1 | grep -Eq '^[0-9]+ entries \(aegis\)$' || { echo "example import: $out" >&2; exit 1; }
ok "example import reads an Aegis export"
cargo run -q --locked -p tessera-core --example vault_codes -- "$WORK/v.sqlite" >"$WORK/first"
cargo run -q --locked -p tessera-core --example vault_codes -- "$WORK/v.sqlite" >"$WORK/second"
grep -q "Example" "$WORK/second" && [ "$(grep -c Example "$WORK/second")" = 1 ] ||
    { echo "example vault_codes: expected one Example account after two runs" >&2; exit 1; }
ok "example vault_codes creates, reopens and lists a vault"

echo "project: $passed passed, 0 failed"
