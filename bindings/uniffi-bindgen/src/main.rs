//! `uniffi-bindgen`, built from the same uniffi version as `tessera-ffi` so that the generated
//! Kotlin/Swift always matches the library's metadata. Use library mode:
//! `cargo run -p uniffi-bindgen -- generate --library <libtessera_ffi.so> --language kotlin
//! --config uniffi.toml --out-dir <dir>`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
