#!/usr/bin/env bash
# A Swift toolchain for Linux hosts without one (Debian 12 has no Swift): a Debian 13 ("trixie")
# root made with debootstrap, with the distribution's `swiftlang` inside. Needs root.
#
#   chroot.sh setup          create/complete the root (idempotent; instant when already done)
#   chroot.sh run DIR CMD    bind-mount DIR at the same absolute path inside the root, run CMD
#                            there (sh -c), then unmount everything mounted, whatever happens
#   chroot.sh teardown       unmount whatever is still mounted under the root (safe to repeat)
#
# Env: TESSERA_CACHE (default ~/.cache/tessera; the root is $TESSERA_CACHE/swift-chroot),
#      SWIFT_SUITE (default trixie), DEBIAN_MIRROR (default: the host's first apt mirror).
set -euo pipefail

TESSERA_CACHE=${TESSERA_CACHE:-$HOME/.cache/tessera}
ROOT=$TESSERA_CACHE/swift-chroot
SUITE=${SWIFT_SUITE:-trixie}
export DEBIAN_FRONTEND=noninteractive

host_mirror() {
    awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null ||
        true
}

# Mount points at or below $ROOT, deepest first, so nested mounts go before their parents.
mounts_under_root() {
    awk -v r="$ROOT" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/mounts | sort -r
}

teardown() {
    local m
    for m in $(mounts_under_root); do
        umount "$m" 2>/dev/null || umount -l "$m"
    done
}

# Bind mounts are private here so that unmounting them can never propagate back to the host.
bind() {
    mkdir -p "$2"
    mountpoint -q "$2" || { mount --bind "$1" "$2" && mount --make-private "$2"; }
}

mount_all() {
    mkdir -p "$ROOT/proc" "$ROOT/sys"
    mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
    mountpoint -q "$ROOT/sys" || mount -t sysfs sysfs "$ROOT/sys"
    bind /dev "$ROOT/dev"
    bind /dev/pts "$ROOT/dev/pts"
}

setup() {
    [ "$(id -u)" = 0 ] || { echo "chroot.sh: needs root (debootstrap, mount, chroot)" >&2; exit 1; }
    command -v debootstrap >/dev/null 2>&1 || {
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    }
    trap teardown EXIT
    if [ ! -e "$ROOT/.debootstrap-done" ]; then
        # A half-made root from an interrupted run is thrown away, never while anything is
        # mounted inside it (that would delete the host's /dev).
        teardown
        if [ -n "$(mounts_under_root)" ]; then
            echo "chroot.sh: refusing to delete $ROOT: something is still mounted there" >&2
            exit 1
        fi
        rm -rf "$ROOT"
        mkdir -p "$TESSERA_CACHE"
        local mirror=${DEBIAN_MIRROR:-$(host_mirror)}
        debootstrap --variant=minbase "$SUITE" "$ROOT" "${mirror:-http://deb.debian.org/debian}" \
            >"$TESSERA_CACHE/swift-debootstrap.log" 2>&1 || {
            tail -20 "$TESSERA_CACHE/swift-debootstrap.log" >&2
            exit 1
        }
        touch "$ROOT/.debootstrap-done"
    fi
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
    mount_all
    # libc6-dev: without it swiftc cannot link (Scrt1.o) nor import Glibc (sys/param.h).
    # libssl-dev: the container tests' platform key is OpenSSL's libcrypto (Sources/COpenSSL).
    # A root made before a package joined this list gets just that package, not a new root.
    local packages="swiftlang libc6-dev libssl-dev"
    if ! chroot "$ROOT" dpkg -s $packages >/dev/null 2>&1; then
        chroot "$ROOT" apt-get update -qq
        chroot "$ROOT" apt-get install -y -qq --no-install-recommends $packages >/dev/null
        chroot "$ROOT" apt-get clean
    fi
    chroot "$ROOT" swift --version 2>&1 | head -1
}

run() {
    local dir=$1
    shift
    [ -d "$dir" ] || { echo "chroot.sh run: no directory $dir" >&2; exit 2; }
    dir=$(cd "$dir" && pwd -P)
    trap teardown EXIT
    mount_all
    bind "$dir" "$ROOT$dir"
    chroot "$ROOT" /usr/bin/env HOME=/root PATH=/usr/local/bin:/usr/bin:/bin /bin/sh -c "$*"
}

# One user of the root at a time: a second run's teardown would pull the mounts from under
# the first. A suite that holds the lock across several runs (swift_hold_root in
# tests/swift/xctest.sh) names the descriptor it holds it on; taking the lock again through
# that inherited descriptor returns at once (and fails if it is not open).
mkdir -p "$TESSERA_CACHE"
if [ -n "${TESSERA_SWIFT_ROOT_LOCK_FD:-}" ]; then
    flock "$TESSERA_SWIFT_ROOT_LOCK_FD"
else
    exec 9>"$TESSERA_CACHE/swift-chroot.lock"
    flock 9
fi

cmd=${1:-setup}
[ $# -gt 0 ] && shift
case "$cmd" in
    setup) setup ;;
    run) run "$@" ;;
    teardown) teardown ;;
    *) echo "usage: $0 setup | run DIR CMD | teardown" >&2; exit 2 ;;
esac
