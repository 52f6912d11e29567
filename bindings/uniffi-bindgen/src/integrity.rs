//! uniffi's load-time check, made to run, for the generated Kotlin.
//!
//! uniffi 0.32's Kotlin checks the library's contract version (and, unless `omit_checksums`,
//! each function's checksum) in the initialiser of `IntegrityCheckingUniffiLib`, but only
//! `uniffiEnsureInitialized()` touches that object, and the bindings call it only for other
//! crates' types. So for a single crate nothing ran the check: a library from another uniffi
//! version would have been called with the wrong layouts instead of failing with uniffi's
//! clear "contract version mismatch" error. This makes `UniffiLib`'s initialiser, which runs
//! before any call into the library, initialise `IntegrityCheckingUniffiLib` first.
//!
//! With `omit_checksums` (uniffi.toml says why), uniffi still declares the 130 checksum
//! functions that nothing calls, and JNA would register each of them on load (~13 µs apiece);
//! a checksum function declared but referenced nowhere else in the file is dropped.

/// Rewrites one generated Kotlin file. `Ok(None)` when it has no `UniffiLib` or already
/// initialises the check from it; `Err` says which part of uniffi's output was not found.
pub fn rewrite(kotlin: &str) -> Result<Option<String>, String> {
    let Some((start, _)) = crate::lazy_vtables::find_uniffi_lib_init(kotlin)? else {
        return Ok(None);
    };
    if !kotlin.contains("\ninternal object IntegrityCheckingUniffiLib {\n") {
        return Err("no `object IntegrityCheckingUniffiLib` in uniffi's Kotlin".into());
    }
    let init_end = kotlin[start..]
        .find("\n    }\n")
        .map_or(kotlin.len(), |at| start + at);
    if kotlin[start..init_end].contains("IntegrityCheckingUniffiLib") {
        return Ok(None);
    }
    let mut out = String::with_capacity(kotlin.len());
    out.push_str(&kotlin[..start]);
    out.push_str(
        "        // Runs uniffi's contract-version check before anything else (the project's \
         bindings/uniffi-bindgen/src/integrity.rs says why this is added).\n        \
         IntegrityCheckingUniffiLib.ensureInitialized()\n",
    );
    out.push_str(&kotlin[start..]);

    // Drop checksum declarations nothing calls, from the integrity object's body only.
    let body_start = out
        .find("\ninternal object IntegrityCheckingUniffiLib {\n")
        .expect("found above")
        + 1;
    let body_end = out[body_start..]
        .find("\n}\n")
        .map(|at| body_start + at + 1)
        .ok_or("no end to uniffi's `object IntegrityCheckingUniffiLib`")?;
    let body = &out[body_start..body_end];
    let mut kept = String::with_capacity(body.len());
    let mut lines = body.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        if let Some(name) = checksum_declaration(line)
            && uses(&out, name) == 1
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("):"))
        {
            lines.next();
            continue;
        }
        kept.push_str(line);
    }
    let rewritten = format!("{}{}{}", &out[..body_start], kept, &out[body_end..]);
    Ok(Some(rewritten))
}

/// How often `name` occurs in `kotlin` as a whole identifier (`…_vault_add` is not counted in
/// `…_vault_add_many`).
pub(crate) fn uses(kotlin: &str, name: &str) -> usize {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    kotlin
        .match_indices(name)
        .filter(|(at, _)| {
            !kotlin[..*at].ends_with(ident) && !kotlin[at + name.len()..].starts_with(ident)
        })
        .count()
}

/// `NAME` for a line `external fun NAME(` whose name marks a uniffi checksum function.
fn checksum_declaration(line: &str) -> Option<&str> {
    let name = line
        .trim()
        .strip_prefix("external fun ")?
        .strip_suffix('(')?;
    name.contains("_checksum_").then_some(name)
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    /// The parts of uniffi 0.32's Kotlin output the rewrite touches, with `omit_checksums`
    /// (`checked` below adds the checksum call that uniffi generates without it).
    const GENERATED: &str = "\
package org.example

internal object IntegrityCheckingUniffiLib {
    init {
        Native.register(IntegrityCheckingUniffiLib::class.java, findLibraryName(componentName = \"example\"))
        uniffiCheckContractApiVersion(this)
    }

    internal fun ensureInitialized() = Unit
    external fun uniffi_example_checksum_func_add(
    ): Int
    external fun uniffi_example_checksum_method_vault_open(
    ): Int
    external fun uniffi_example_checksum_method_vault_open_with_password(
    ): Int
    external fun ffi_example_uniffi_contract_version(
    ): Int
}

internal object UniffiLib {
    init {
        Native.register(UniffiLib::class.java, findLibraryName(componentName = \"example\"))
    }

    internal fun ensureInitialized() = Unit
}

private fun uniffiCheckContractApiVersion(lib: IntegrityCheckingUniffiLib) {
    val scaffolding_contract_version = lib.ffi_example_uniffi_contract_version()
}
";

    fn checked() -> String {
        GENERATED.to_owned()
            + "private fun uniffiCheckApiChecksums(lib: IntegrityCheckingUniffiLib) {\n    \
               if (lib.uniffi_example_checksum_func_add() != 1) { throw RuntimeException() }\n    \
               if (lib.uniffi_example_checksum_method_vault_open() != 2) { throw RuntimeException() }\n    \
               if (lib.uniffi_example_checksum_method_vault_open_with_password() != 3) { throw RuntimeException() }\n}\n"
    }

    fn init_of_uniffi_lib(kotlin: &str) -> &str {
        let start = kotlin.find("internal object UniffiLib {").unwrap();
        let end = start + kotlin[start..].find("Native.register").unwrap();
        &kotlin[start..end]
    }

    #[test]
    fn the_library_initialises_the_check_before_registering() {
        let out = rewrite(GENERATED).unwrap().expect("a check to add");
        assert!(
            init_of_uniffi_lib(&out).contains("IntegrityCheckingUniffiLib.ensureInitialized()"),
            "{out}"
        );
        // Running it twice changes nothing more.
        assert_eq!(rewrite(&out).unwrap(), None);
    }

    #[test]
    fn checksum_declarations_nothing_calls_are_dropped_and_the_contract_version_kept() {
        let out = rewrite(GENERATED).unwrap().unwrap();
        assert!(!out.contains("_checksum_"), "{out}");
        assert!(out.contains("external fun ffi_example_uniffi_contract_version(\n    ): Int\n"));
        assert!(out.contains("uniffiCheckContractApiVersion(this)"));
    }

    #[test]
    fn checksum_declarations_that_are_called_stay() {
        let out = rewrite(&checked()).unwrap().unwrap();
        for name in [
            "uniffi_example_checksum_func_add",
            "uniffi_example_checksum_method_vault_open",
            "uniffi_example_checksum_method_vault_open_with_password",
        ] {
            assert!(
                out.contains(&format!("external fun {name}(\n    ): Int\n")),
                "{name}"
            );
        }
    }

    #[test]
    fn a_file_without_the_integrity_object_fails() {
        let changed = GENERATED.replace("object IntegrityCheckingUniffiLib {", "object Other {");
        assert!(
            rewrite(&changed)
                .unwrap_err()
                .contains("IntegrityCheckingUniffiLib")
        );
        assert_eq!(rewrite("package org.example\n").unwrap(), None);
    }
}
