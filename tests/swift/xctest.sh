# Shared by the Swift suites (sourced after tests/lib.sh): tests/swift (the bindings) and
# tests/ios-app (the iOS app's view models) run XCTest the same way.
#
# Linux: Debian 12 has no Swift, so the toolchain lives in a Debian 13 root (chroot.sh, cached
# in $TESSERA_CACHE), set up when missing; everything mounted for a run is unmounted after it.
# macOS: the native toolchain.

# swift_toolchain NAME: makes sure a Swift toolchain is there (Linux: the Debian 13 root).
swift_toolchain() {
    [ "$(uname -s)" = Darwin ] && return 0
    step "$1: toolchain (Debian 13 root with swiftlang)"
    bash tests/swift/chroot.sh setup
}

# swift_hold_root NAME: waits for the root and keeps it for the rest of the suite (Linux), so
# that what the suite makes on a server just before its runs (privacyIDEA enrollments and
# container registrations expire after minutes) is not left waiting behind another suite's
# use of the root. Call it after the builds (they need no root), before making fixtures.
swift_hold_root() {
    [ "$(uname -s)" = Darwin ] && return 0
    step "$1: waiting for the Swift root (another suite may be using it)"
    mkdir -p "$TESSERA_CACHE"
    exec 8>"$TESSERA_CACHE/swift-chroot.lock"
    flock 8
    export TESSERA_SWIFT_ROOT_LOCK_FD=8
}

# swift_run DIR CMD: runs CMD (sh -c) in DIR, natively on macOS, inside the root on Linux (with
# the repository, REPO, bind-mounted at the same path). The root starts from an empty
# environment: put the variables CMD needs in front of it.
swift_run() {
    if [ "$(uname -s)" = Darwin ]; then
        (cd "$1" && sh -c "$2")
    else
        bash tests/swift/chroot.sh run "$REPO" "cd '$1' && $2"
    fi
}

# xctest_summary NAME OUTPUT RC: prints OUTPUT and `NAME: N passed, M failed` from XCTest's
# last summary line; fails unless RC is 0, nothing failed and something ran.
xctest_summary() {
    local name=$1 out=$2 rc=$3 summary total failed skipped passed
    echo "$out"
    # XCTest's last summary line is the total: "Executed N tests, with M failures (…)", or
    # "Executed N tests, with K tests skipped and M failures (…)" when some were skipped.
    summary=$(grep -E 'Executed [0-9]+ tests?, with ([0-9]+ tests? skipped and )?[0-9]+ failures?' <<<"$out" | tail -1 || true)
    total=$(sed -nE 's/.*Executed ([0-9]+) tests?.*/\1/p' <<<"$summary")
    skipped=$(sed -nE 's/.*with ([0-9]+) tests? skipped.*/\1/p' <<<"$summary")
    failed=$(sed -nE 's/.* ([0-9]+) failures?.*/\1/p' <<<"$summary")
    total=${total:-0}
    skipped=${skipped:-0}
    failed=${failed:-0}
    # A build failure or a crash that XCTest could not count is one more failure.
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
    passed=$((total - skipped - failed))
    [ "$passed" -ge 0 ] || passed=0
    if [ "$skipped" -gt 0 ]; then
        echo "$name: $passed passed, $failed failed ($skipped skipped, each saying why above)"
    else
        echo "$name: $passed passed, $failed failed"
    fi
    [ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$total" -gt 0 ]
}
