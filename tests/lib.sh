# Shared helpers for Tessera's test scripts (sourced, not run).
# Everything installs from Debian's, npm's, PyPI's and crates.io's registries only, and caches
# outside the repository in $TESSERA_CACHE (default ~/.cache/tessera).

TESSERA_CACHE=${TESSERA_CACHE:-$HOME/.cache/tessera}
export TESSERA_CACHE
mkdir -p "$TESSERA_CACHE"
_T0=${_T0:-$(date +%s)}
export _T0

step() { printf '\n::: %s (t=%ss)\n' "$*" "$(( $(date +%s) - _T0 ))"; }

# apt_need PKG... : install the Debian packages that are missing (needs root, as on CI).
apt_need() {
    local missing=() p
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    ((${#missing[@]})) || return 0
    if [ "$(id -u)" != 0 ]; then
        echo "missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
        return 1
    fi
    if [ -z "${_APT_UPDATED:-}" ]; then apt-get update -qq; _APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
