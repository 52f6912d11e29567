# Shared by the Kotlin and Swift suites (sourced after tests/lib.sh): build the tessera-ffi
# library and generate bindings from it.

# ffi_build [release]: builds the cdylib (debug unless `release`) and sets FFI_LIB (the .so/.dylib)
# and FFI_LIB_DIR. Only `-p tessera-ffi`: with --workspace, cargo would unify the bindgen's
# `cli` feature of uniffi into the library.
ffi_build() {
    local profile=debug
    if [ "${1:-}" = release ]; then
        profile=release
        cargo build -q --locked --release -p tessera-ffi
    else
        cargo build -q --locked -p tessera-ffi
    fi
    local target_dir
    target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    FFI_LIB_DIR=$target_dir/$profile
    case "$(uname -s)" in
        Darwin) FFI_LIB=$FFI_LIB_DIR/libtessera_ffi.dylib ;;
        *) FFI_LIB=$FFI_LIB_DIR/libtessera_ffi.so ;;
    esac
    [ -f "$FFI_LIB" ] || { echo "no $FFI_LIB after the build" >&2; return 1; }
}

# ffi_generate LANGUAGE OUT_DIR: generates bindings from the unstripped library (uniffi reads
# its metadata from the symbols) with the workspace's uniffi.toml, into a fresh OUT_DIR.
ffi_generate() {
    rm -rf "$2"
    cargo run -q --locked -p uniffi-bindgen -- generate --library "$FFI_LIB" \
        --language "$1" --config uniffi.toml --out-dir "$2" --no-format
}
