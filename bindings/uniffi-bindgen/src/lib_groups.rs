//! JNA registration in groups, each on first use, for the generated Kotlin.
//!
//! uniffi 0.32's Kotlin declares every function of the library as an `external fun` of one
//! `internal object UniffiLib`, whose initialiser has JNA register all of them (direct
//! mapping: for each, JNA reflects on the method, looks up the symbol and builds a native
//! stub, ~13 µs warm). The first call into the library paid for all ~240 of them, ~3 ms of the
//! ~17 ms from a warm process to the first codes on screen, while opening a vault and reading
//! its codes calls a handful (docs/performance.md, "First codes on screen").
//!
//! This pass:
//! - drops the declarations that nothing in the file calls (the 48 `rust_future_*` functions of
//!   a library without async functions, `rustbuffer_from_bytes`, `rustbuffer_reserve`), as
//!   `integrity` does for the unused checksum functions;
//! - leaves the `RustBuffer` functions, which nearly every call uses, in `UniffiLib`;
//! - moves each object's and callback interface's functions (`clone`, `free`, constructors,
//!   methods, the vtable's `init_callback_vtable`) into an object of its own,
//!   `UniffiLib<Name>`, the free functions into `UniffiLibFunctions` and the records' trait
//!   methods (their `toString()`) into `UniffiLibTraitMethods`;
//! - points every call site at its function's new object.
//!
//! Each group object registers its functions with JNA in its own initialiser, which first
//! initialises `UniffiLib`; that runs uniffi's contract-version check (`integrity`) and
//! registers the `RustBuffer` functions, so the check still comes before any other call. The
//! JVM runs an initialiser once and makes other threads wait for it. Reading codes now
//! registers `UniffiLib`, `UniffiLibKeyProvider` and `UniffiLibVault` only.
//!
//! What changes for a library that lacks a function the bindings declare: JNA used to fail the
//! first call into the library; now it fails the first use of that function's group, with the
//! same `UnsatisfiedLinkError` naming the function, then a `NoClassDefFoundError` naming the
//! group object (with that error as its cause) on each later use of the group, while the other
//! groups keep working (tests/kotlin/src/LoadTest.kt runs a library with one name removed).
//!
//! The rewrite is all or nothing: a declaration or a call site of a shape this does not know
//! (a uniffi upgrade) fails generation with a message naming this file. Registering everything
//! in `UniffiLib` is always correct, so deleting this pass is the fallback.

use crate::integrity::uses;
use std::collections::BTreeMap;

/// Rewrites one generated Kotlin file. `Ok(None)` when it has no `UniffiLib` or nothing to
/// move; `Err` says which part of uniffi's output was not understood.
pub fn rewrite(kotlin: &str) -> Result<Option<String>, String> {
    let Some(object_start) = kotlin.find(LIB_HEADER).map(|at| at + 1) else {
        return Ok(None);
    };
    let object_end = kotlin[object_start..]
        .find("\n}\n")
        .map(|at| object_start + at + "\n}\n".len())
        .ok_or("no end to uniffi's `object UniffiLib`")?;
    let object = &kotlin[object_start..object_end];
    let register = registration_line(object)?;

    let camel = object_names(kotlin);
    let mut kept = String::with_capacity(object.len());
    // Group object name -> its declarations (the two lines of each), in uniffi's order.
    let mut groups: BTreeMap<String, String> = BTreeMap::new();
    let mut moved: Vec<(String, String)> = Vec::new();
    let mut lines = object.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let Some(name) = declaration(line) else {
            kept.push_str(line);
            continue;
        };
        let end = lines
            .next_if(|next| next.trim_start().starts_with("):"))
            .ok_or_else(|| format!("`external fun {name}` in `UniffiLib` is not two lines"))?;
        if uses(kotlin, name) == 1 {
            continue; // declared, never called
        }
        let Some(group) = group_of(name, &camel)? else {
            kept.push_str(line);
            kept.push_str(end);
            continue;
        };
        let body = groups.entry(group.clone()).or_default();
        body.push_str(line);
        body.push_str(end);
        moved.push((name.to_owned(), group));
    }
    if moved.is_empty() && kept.len() == object.len() {
        return Ok(None);
    }

    let mut objects = String::new();
    for (group, body) in &groups {
        if kotlin.contains(&format!("object {group} "))
            || kotlin.contains(&format!("object {group}:"))
        {
            return Err(format!("uniffi's Kotlin already has an `object {group}`"));
        }
        objects.push_str(&group_object(group, &register, body));
    }
    let mut out = String::with_capacity(kotlin.len() + objects.len());
    out.push_str(&kotlin[..object_start]);
    out.push_str(&kept);
    out.push_str(&objects);
    out.push_str(&kotlin[object_end..]);

    for (name, group) in &moved {
        for receiver in ["UniffiLib.", "lib."] {
            out = out.replace(&format!("{receiver}{name}("), &format!("{group}.{name}("));
        }
        let called = format!("{group}.{name}(");
        let calls = out.matches(&called).count();
        if calls == 0 || uses(&out, name) != calls + 1 {
            return Err(format!(
                "`{name}` is used in uniffi's Kotlin other than as `UniffiLib.{name}(…)` or \
                 `lib.{name}(…)`"
            ));
        }
    }
    Ok(Some(out))
}

const LIB_HEADER: &str = "\ninternal object UniffiLib {\n";

/// The line of `UniffiLib`'s initialiser that registers it with JNA, copied into each group.
fn registration_line(object: &str) -> Result<String, String> {
    let found: Vec<&str> = object
        .lines()
        .filter(|l| {
            l.trim_start()
                .starts_with("Native.register(UniffiLib::class.java,")
        })
        .collect();
    match found[..] {
        [line] => Ok(line.trim().to_owned()),
        _ => Err(format!(
            "expected one `Native.register(UniffiLib::class.java, …)` in uniffi's `object \
             UniffiLib`, found {}",
            found.len()
        )),
    }
}

/// The Kotlin name of each object and callback interface by the lowercase form uniffi puts in
/// function names (`Vault` for `vault`, `KeyProvider` for `keyprovider`).
fn object_names(kotlin: &str) -> BTreeMap<String, String> {
    kotlin
        .match_indices("object FfiConverterType")
        .filter_map(|(at, header)| {
            let rest = &kotlin[at + header.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // Objects and callback interfaces are passed as handles; records and enums as
            // RustBuffers.
            rest[name.len()..]
                .starts_with(&format!(": FfiConverter<{name}, Long>"))
                .then(|| (name.to_ascii_lowercase(), name))
        })
        .collect()
}

/// The group object a function moves to, `None` for the functions that stay in `UniffiLib`.
fn group_of(name: &str, objects: &BTreeMap<String, String>) -> Result<Option<String>, String> {
    let unknown = || format!("no group for `{name}` in uniffi's Kotlin");
    if name.starts_with("ffi_") && name.contains("_rustbuffer_") {
        return Ok(None);
    }
    if name.starts_with("ffi_") && name.contains("_rust_future_") {
        return Ok(Some("UniffiLibFutures".into()));
    }
    let (_, function) = name
        .strip_prefix("uniffi_")
        .and_then(|rest| rest.split_once("_fn_"))
        .ok_or_else(unknown)?;
    if function.starts_with("func_") {
        return Ok(Some("UniffiLibFunctions".into()));
    }
    let of_object = [
        "clone_",
        "free_",
        "init_callback_vtable_",
        "constructor_",
        "method_",
    ]
    .iter()
    .find_map(|kind| function.strip_prefix(kind))
    .ok_or_else(unknown)?;
    // The object whose lowercase name is the longest prefix (`clone_x`/`free_x` are the whole
    // rest; methods and constructors continue with `_<name>`).
    let object = objects
        .iter()
        .filter(|(lower, _)| {
            of_object == lower.as_str()
                || of_object
                    .strip_prefix(lower.as_str())
                    .is_some_and(|tail| tail.starts_with('_'))
        })
        .max_by_key(|(lower, _)| lower.len());
    match object {
        Some((_, camel)) => Ok(Some(format!("UniffiLib{camel}"))),
        None if function.starts_with("method_") && function.contains("_uniffi_trait_") => {
            Ok(Some("UniffiLibTraitMethods".into()))
        }
        None => Err(unknown()),
    }
}

/// `NAME` for a line `    external fun NAME(…`.
fn declaration(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("    external fun ")?;
    let name = &rest[..rest.find('(')?];
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

fn group_object(group: &str, register: &str, declarations: &str) -> String {
    let register = register.replacen("UniffiLib::class.java", &format!("{group}::class.java"), 1);
    format!(
        "\n// Registered with JNA on first use (the project's \
         bindings/uniffi-bindgen/src/lib_groups.rs says why).\n\
         internal object {group} {{\n    \
         init {{\n        \
         // The contract-version check and the RustBuffer functions first.\n        \
         UniffiLib.ensureInitialized()\n        \
         {register}\n    \
         }}\n\n\
         {declarations}}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    /// The parts of uniffi 0.32's Kotlin output the rewrite touches, for a library with an
    /// object, a callback interface, a free function, a record with a trait method and an
    /// unused future function.
    const GENERATED: &str = "\
package org.example

internal object UniffiLib {
    init {
        IntegrityCheckingUniffiLib.ensureInitialized()
        Native.register(UniffiLib::class.java, findLibraryName(componentName = \"example\"))
    }

    internal fun ensureInitialized() = Unit
    external fun uniffi_example_fn_clone_vault(`handle`: Long,uniffi_out_err: UniffiRustCallStatus, 
    ): Long
    external fun uniffi_example_fn_constructor_vault_open(`path`: RustBuffer.ByValue,uniffi_out_err: UniffiRustCallStatus, 
    ): Long
    external fun uniffi_example_fn_method_vault_codes(`ptr`: Long,uniffi_out_err: UniffiRustCallStatus, 
    ): RustBuffer.ByValue
    external fun uniffi_example_fn_method_vault_codes_at(`ptr`: Long,`t`: Long,uniffi_out_err: UniffiRustCallStatus, 
    ): RustBuffer.ByValue
    external fun uniffi_example_fn_init_callback_vtable_keyprovider(`vtable`: UniffiVTableCallbackInterfaceKeyProvider,
    ): Unit
    external fun uniffi_example_fn_method_otpcode_uniffi_trait_debug(`self`: RustBuffer.ByValue,uniffi_out_err: UniffiRustCallStatus, 
    ): RustBuffer.ByValue
    external fun uniffi_example_fn_func_parse_uri(`uri`: RustBuffer.ByValue,uniffi_out_err: UniffiRustCallStatus, 
    ): RustBuffer.ByValue
    external fun ffi_example_rustbuffer_alloc(`size`: Long,uniffi_out_err: UniffiRustCallStatus, 
    ): RustBuffer.ByValue
    external fun ffi_example_rust_future_poll_u8(`handle`: Long,`callback`: UniffiRustFutureContinuationCallback,`callbackData`: Long,
    ): Unit

        
}

fun alloc() = UniffiLib.ffi_example_rustbuffer_alloc(0, status)

internal object uniffiCallbackInterfaceKeyProvider {
    internal fun register(lib: UniffiLib) {
        lib.uniffi_example_fn_init_callback_vtable_keyprovider(vtable)
    }
}

public object FfiConverterTypeKeyProvider: FfiConverter<KeyProvider, Long> {
}

open class Vault {
    fun clone() = UniffiLib.uniffi_example_fn_clone_vault(handle, status)
    fun codes() = UniffiLib.uniffi_example_fn_method_vault_codes(it, status)
    fun codesAt(t: Long) = UniffiLib.uniffi_example_fn_method_vault_codes_at(it, t, status)
    companion object {
        fun open(path: String) = UniffiLib.uniffi_example_fn_constructor_vault_open(p, status)
    }
}

public object FfiConverterTypeVault: FfiConverter<Vault, Long> {
}

data class OtpCode(val code: String) {
    override fun toString() = UniffiLib.uniffi_example_fn_method_otpcode_uniffi_trait_debug(b, status)
}

public object FfiConverterTypeOtpCode: FfiConverterRustBuffer<OtpCode> {
}

fun parseUri(uri: String) = UniffiLib.uniffi_example_fn_func_parse_uri(u, status)
";

    /// The text of `object NAME { … }` in `kotlin`.
    fn object<'a>(kotlin: &'a str, name: &str) -> &'a str {
        let start = kotlin
            .find(&format!("\ninternal object {name} {{\n"))
            .unwrap_or_else(|| panic!("no object {name} in {kotlin}"));
        let end = start + kotlin[start..].find("\n}\n").unwrap();
        &kotlin[start..end]
    }

    #[test]
    fn each_object_and_the_free_functions_get_a_group_registered_after_the_check() {
        let out = rewrite(GENERATED).unwrap().expect("functions to move");
        for (group, functions) in [
            (
                "UniffiLibVault",
                &[
                    "uniffi_example_fn_clone_vault",
                    "uniffi_example_fn_constructor_vault_open",
                    "uniffi_example_fn_method_vault_codes",
                    "uniffi_example_fn_method_vault_codes_at",
                ][..],
            ),
            (
                "UniffiLibKeyProvider",
                &["uniffi_example_fn_init_callback_vtable_keyprovider"],
            ),
            (
                "UniffiLibTraitMethods",
                &["uniffi_example_fn_method_otpcode_uniffi_trait_debug"],
            ),
            ("UniffiLibFunctions", &["uniffi_example_fn_func_parse_uri"]),
        ] {
            let body = object(&out, group);
            let init = body.find("UniffiLib.ensureInitialized()").expect(group);
            let register = body
                .find(&format!(
                    "Native.register({group}::class.java, findLibraryName(componentName = \"example\"))"
                ))
                .expect(group);
            assert!(init < register, "{body}");
            for function in functions {
                assert!(
                    body.contains(&format!("    external fun {function}(")),
                    "{body}"
                );
                assert!(!object(&out, "UniffiLib").contains(function));
                assert!(out.contains(&format!("{group}.{function}(")), "{function}");
                assert!(
                    !out.contains(&format!("UniffiLib.{function}(")),
                    "{function}"
                );
            }
        }
        // The callback registration calls its group, the RustBuffer function stays.
        assert!(out.contains(
            "        UniffiLibKeyProvider.uniffi_example_fn_init_callback_vtable_keyprovider(vtable)\n"
        ));
        let lib = object(&out, "UniffiLib");
        assert!(
            lib.contains("    external fun ffi_example_rustbuffer_alloc("),
            "{lib}"
        );
        assert!(out.contains("fun alloc() = UniffiLib.ffi_example_rustbuffer_alloc(0, status)"));
        assert!(lib.contains("IntegrityCheckingUniffiLib.ensureInitialized()"));
        // Running it again changes nothing more.
        assert_eq!(rewrite(&out).unwrap(), None);
    }

    #[test]
    fn declarations_nothing_calls_are_dropped() {
        let out = rewrite(GENERATED).unwrap().unwrap();
        assert!(!out.contains("rust_future"), "{out}");
        assert!(!out.contains("UniffiLibFutures"), "{out}");
    }

    #[test]
    fn a_function_of_an_unknown_kind_fails_and_names_it() {
        let changed = GENERATED.replace("_fn_func_parse_uri", "_fn_newkind_parse_uri");
        let err = rewrite(&changed).unwrap_err();
        assert!(err.contains("uniffi_example_fn_newkind_parse_uri"), "{err}");
    }

    #[test]
    fn a_method_of_an_unknown_object_fails() {
        let changed = GENERATED.replace(
            "public object FfiConverterTypeVault: FfiConverter<Vault, Long> {",
            "public object FfiConverterTypeVault: FfiConverterRustBuffer<Vault> {",
        );
        let err = rewrite(&changed).unwrap_err();
        assert!(err.contains("_vault"), "{err}");
    }

    #[test]
    fn a_call_site_of_another_shape_fails() {
        let changed = GENERATED.replace(
            "fun parseUri(uri: String) = UniffiLib.uniffi_example_fn_func_parse_uri(u, status)",
            "fun parseUri(uri: String) = with(UniffiLib) { uniffi_example_fn_func_parse_uri(u, status) }",
        );
        let err = rewrite(&changed).unwrap_err();
        assert!(err.contains("uniffi_example_fn_func_parse_uri"), "{err}");
    }

    #[test]
    fn a_library_object_without_registration_fails() {
        let changed = GENERATED.replace("Native.register(UniffiLib", "Native.load(UniffiLib");
        assert!(rewrite(&changed).unwrap_err().contains("Native.register"));
        assert_eq!(rewrite("package org.example\n").unwrap(), None);
    }
}
