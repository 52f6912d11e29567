//! `uniffi-bindgen`, built from the same uniffi version as `tessera-ffi` so that the generated
//! Kotlin/Swift always matches the library's metadata. Use library mode:
//! `cargo run -p uniffi-bindgen -- generate --library <libtessera_ffi.a> --language kotlin
//! --config uniffi.toml --out-dir <dir>`.
//!
//! After uniffi has generated Kotlin, its load-time check is made to run (`integrity`), its
//! callback vtables lazy (`lazy_vtables`), JNA's registration of its functions lazy, in groups
//! (`lib_groups`), its callback methods free of lambda objects (`inline_callbacks`), and less
//! of its bytecode loaded by the first call (`class_loading`, `cold_methods`), for every caller alike: the
//! Kotlin suites and the Android library both generate through here.

mod class_loading;
mod cold_methods;
mod inline_callbacks;
mod integrity;
mod lazy_vtables;
mod lib_groups;

/// A rewrite of the generated Kotlin: `Ok(None)` when it has nothing to change.
type Pass = fn(&str) -> Result<Option<String>, String>;

/// The rewrites, in order, with the file that says why: the contract-version check is added to
/// `UniffiLib`'s initialiser, the callback registrations leave it, and then its functions are
/// split into groups (which calls the callback registrations make); the callback methods'
/// bodies are independent of all three; then uniffi's helpers leave the file class (which
/// calls every group's registration makes); and last `Vault`'s cold methods leave its class and
/// its group (which `lib_groups` made).
const PASSES: [(Pass, &str); 6] = [
    (integrity::rewrite, "integrity.rs"),
    (lazy_vtables::rewrite, "lazy_vtables.rs"),
    (lib_groups::rewrite, "lib_groups.rs"),
    (inline_callbacks::rewrite, "inline_callbacks.rs"),
    (class_loading::rewrite, "class_loading.rs"),
    (cold_methods::rewrite, "cold_methods.rs"),
];

use std::path::{Path, PathBuf};

fn main() {
    // Exits the process when uniffi fails; returning means the bindings were written.
    uniffi::uniffi_bindgen_main();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(out_dir) = generated_into(&args)
        && let Err(e) = rewrite_kotlin_under(&out_dir)
    {
        eprintln!("uniffi-bindgen: {e}");
        std::process::exit(1);
    }
}

/// The `--out-dir` of a `generate` command, in the forms uniffi's command line accepts.
fn generated_into(args: &[String]) -> Option<PathBuf> {
    if args.first().map(String::as_str) != Some("generate") {
        return None;
    }
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        if arg == "--out-dir" || arg == "-o" {
            return rest.next().map(PathBuf::from);
        }
        if let Some(dir) = arg.strip_prefix("--out-dir=") {
            return Some(PathBuf::from(dir));
        }
    }
    None
}

/// Rewrites every generated `.kt` file under `dir` (none when only Swift was generated).
fn rewrite_kotlin_under(dir: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("reading {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            rewrite_kotlin_under(&path)?;
        } else if path.extension().is_some_and(|ext| ext == "kt") {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("reading {}: {e}", path.display()))?;
            let mut rewritten: Option<String> = None;
            for (pass, file) in PASSES {
                let current: &str = rewritten.as_deref().unwrap_or(&text);
                if let Some(next) = pass(current).map_err(|e| {
                    format!(
                        "{}: {e} (bindings/uniffi-bindgen/src/{file})",
                        path.display()
                    )
                })? {
                    rewritten = Some(next);
                }
            }
            if let Some(text) = rewritten {
                std::fs::write(&path, text)
                    .map_err(|e| format!("writing {}: {e}", path.display()))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::generated_into;
    use std::path::PathBuf;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_the_output_directory_of_a_generate_command() {
        let long = args(&[
            "generate",
            "--library",
            "l.so",
            "--out-dir",
            "out",
            "--no-format",
        ]);
        assert_eq!(generated_into(&long), Some(PathBuf::from("out")));
        assert_eq!(
            generated_into(&args(&["generate", "-o", "o"])),
            Some(PathBuf::from("o"))
        );
        assert_eq!(
            generated_into(&args(&["generate", "--out-dir=d"])),
            Some(PathBuf::from("d"))
        );
        assert_eq!(
            generated_into(&args(&["scaffolding", "--out-dir", "x"])),
            None
        );
        assert_eq!(
            generated_into(&args(&["generate", "--library", "l.so"])),
            None
        );
    }
}
