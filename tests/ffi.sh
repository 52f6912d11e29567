# Shared by the Kotlin and Swift suites (sourced after tests/lib.sh): build the tessera-ffi
# library and generate bindings from it.

# ffi_build [release]: builds the cdylib (debug unless `release`) and sets FFI_LIB (the .so/.dylib)
# and FFI_LIB_DIR. Only `-p tessera-ffi`: with --workspace, cargo would unify the bindgen's
# `cli` feature of uniffi into the library.
#
# TESSERA_FFI_BUILD=mobile builds the mobile library instead (`--no-default-features`: what the
# Android and iOS packaging ship) and uses a copy of it in target/<profile>/mobile/, since both
# builds write the same file; the suites read the same variable to pass the platform's HTTP
# stack and keystore where the mobile library has none. Only tessera-core and tessera-ffi are
# compiled twice: every other crate has the same features in both.
ffi_build() {
    local profile=debug flags=(-q --locked -p tessera-ffi)
    [ "${1:-}" = release ] && profile=release && flags+=(--release)
    local target_dir
    # The target directory, and a guard: cargo builds a crate without LTO when a Rust library
    # (lib/rlib/dylib) is among its crate types, which made the shipped library ~630 KB larger
    # (docs/performance.md, Size). tessera-ffi must stay cdylib + staticlib.
    target_dir=$(cargo metadata --format-version 1 --no-deps --locked | python3 -c '
import json, sys
m = json.load(sys.stdin)
ffi = next(p for p in m["packages"] if p["name"] == "tessera-ffi")
kinds = {k for t in ffi["targets"] if "lib" in t["kind"] or "cdylib" in t["kind"] for k in t["crate_types"]}
if kinds & {"lib", "rlib", "dylib"}:
    sys.exit(f"tessera-ffi builds a Rust library ({sorted(kinds)}): cargo would skip its LTO")
print(m["target_directory"])') || return 1
    case "${TESSERA_FFI_BUILD:-desktop}" in
        desktop) ;;
        mobile) flags+=(--no-default-features) ;;
        *) echo "TESSERA_FFI_BUILD must be desktop or mobile" >&2; return 2 ;;
    esac
    cargo build "${flags[@]}"
    FFI_LIB_DIR=$target_dir/$profile
    case "$(uname -s)" in
        Darwin) FFI_LIB=$FFI_LIB_DIR/libtessera_ffi.dylib ;;
        *) FFI_LIB=$FFI_LIB_DIR/libtessera_ffi.so ;;
    esac
    [ -f "$FFI_LIB" ] || { echo "no $FFI_LIB after the build" >&2; return 1; }
    # uniffi's metadata is only in the static library of the same build (bindings/build.rs
    # discards it from the shared one): ffi_generate reads it there, right after this build.
    FFI_STATICLIB=$FFI_LIB_DIR/libtessera_ffi.a
    # SQLite is trimmed by .cargo/config.toml (docs/performance.md, Size): a function Rust
    # calls that the trim omitted would be an undefined symbol of the library, which a phone
    # would only find when loading it. Refuse it here, for every build the suites make.
    if [ "$(uname -s)" = Linux ] && nm -D --undefined-only "$FFI_LIB" | grep -q ' sqlite3'; then
        nm -D --undefined-only "$FFI_LIB" | grep ' sqlite3' >&2
        echo "$FFI_LIB calls SQLite functions that the build omitted (.cargo/config.toml)" >&2
        return 1
    fi
    if [ "${TESSERA_FFI_BUILD:-desktop}" = mobile ]; then
        mkdir -p "$FFI_LIB_DIR/mobile"
        cp "$FFI_LIB" "$FFI_LIB_DIR/mobile/"
        FFI_LIB_DIR=$FFI_LIB_DIR/mobile
        FFI_LIB=$FFI_LIB_DIR/$(basename "$FFI_LIB")
    fi
}

# ffi_generate LANGUAGE OUT_DIR: generates bindings from the static library of the last
# ffi_build (uniffi reads its metadata from the symbols; the shared library has none, see
# bindings/build.rs) with the workspace's uniffi.toml, into a fresh OUT_DIR.
ffi_generate() {
    rm -rf "$2"
    cargo run -q --locked -p uniffi-bindgen -- generate --library "$FFI_STATICLIB" \
        --language "$1" --config uniffi.toml --out-dir "$2" --no-format
}
