#!/usr/bin/env bash
# Writes the third-party notice (default THIRD-PARTY-NOTICES.md) from the locked dependency
# graph with cargo-about, plus the Kotlin/Swift part (tests/project/notices-extra.md).
# Fails when a dependency brings a licence that about.toml does not accept.
#   tests/project/notices.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-THIRD-PARTY-NOTICES.md}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cargo about generate --locked -c about.toml about.hbs -o "$tmp"
cat "$tmp" tests/project/notices-extra.md >"$out"
