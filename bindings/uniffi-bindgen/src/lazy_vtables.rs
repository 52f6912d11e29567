//! Lazy callback vtables for the generated Kotlin.
//!
//! uniffi 0.32's Kotlin registers the vtable of every callback interface (`KeyProvider`,
//! `Clock`, `PushTransport`, … nine today) with Rust inside `UniffiLib`'s initialiser, so the
//! first call into the library builds all of them: for each, JNA makes a native trampoline per
//! method and the JVM loads two classes per method. That was about a third of the time from a
//! warm process loading the library to the first codes on screen, while opening a vault needs
//! only `KeyProvider` (docs/performance.md, "First codes on screen").
//!
//! This moves each registration into the `init` block of the interface's converter
//! (`FfiConverterTypeX`). That is safe because Rust can only call a vtable for a handle that
//! Kotlin gave it, and the converter is the only way a Kotlin implementation reaches Rust
//! (`lower`, or `write` inside a record, sequence or option): its initialiser has run, and the
//! vtable is registered, before Rust holds any such handle. The JVM runs an initialiser once and
//! makes other threads wait for it, as it did for `UniffiLib`'s.
//!
//! The rewrite is all or nothing: if uniffi's output no longer has the shape this expects (an
//! upgrade), generation fails with a message naming this file rather than shipping bindings
//! that are half rewritten. Eager registration is always correct, so deleting this module is the
//! fallback.

/// Rewrites one generated Kotlin file. `Ok(None)` when the file registers no callback vtables
/// (nothing to do); `Err` says which part of uniffi's output was not found.
pub fn rewrite(kotlin: &str) -> Result<Option<String>, String> {
    let init = find_uniffi_lib_init(kotlin)?;
    let Some((start, end)) = init else {
        return Ok(None);
    };
    let block = &kotlin[start..end];
    let mut names = Vec::new();
    let mut kept = String::with_capacity(block.len());
    for line in block.split_inclusive('\n') {
        match registration(line) {
            Some(name) => names.push(name.to_owned()),
            None => kept.push_str(line),
        }
    }
    if names.is_empty() {
        return Ok(None);
    }
    let mut out = String::with_capacity(kotlin.len() + names.len() * 400);
    out.push_str(&kotlin[..start]);
    out.push_str(&kept);
    out.push_str(&kotlin[end..]);
    for name in &names {
        let header = format!("object FfiConverterType{name}: FfiConverter<{name}, Long> {{\n");
        let found: Vec<usize> = out.match_indices(&header).map(|(at, _)| at).collect();
        let [at] = found[..] else {
            return Err(format!(
                "expected one `{}` in uniffi's Kotlin, found {}",
                header.trim_end(),
                found.len()
            ));
        };
        out.insert_str(at + header.len(), &converter_init(name));
    }
    Ok(Some(out))
}

/// The byte range of the body of `UniffiLib`'s `init { … }`, if the file has that object.
pub(crate) fn find_uniffi_lib_init(kotlin: &str) -> Result<Option<(usize, usize)>, String> {
    let Some(object) = kotlin.find("\ninternal object UniffiLib {\n") else {
        return Ok(None);
    };
    let rest = &kotlin[object..];
    let open = rest
        .find("\n    init {\n")
        .ok_or("no `init {` in uniffi's `object UniffiLib`")?
        + "\n    init {\n".len();
    let close = rest[open..]
        .find("\n    }\n")
        .ok_or("no end to the `init` block of uniffi's `object UniffiLib`")?
        + 1;
    // The `init` found must be UniffiLib's own, not the next object's.
    let object_end = rest[1..].find("\n}\n").map_or(rest.len(), |at| at + 1);
    if open + close > object_end {
        return Err("no `init {` in uniffi's `object UniffiLib`".into());
    }
    Ok(Some((object + open, object + open + close)))
}

/// `X` for a line `uniffiCallbackInterfaceX.register(this)`.
fn registration(line: &str) -> Option<&str> {
    let name = line
        .trim()
        .strip_prefix("uniffiCallbackInterface")?
        .strip_suffix(".register(this)")?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

fn converter_init(name: &str) -> String {
    format!(
        "    // Registered on first use rather than when the library loads (the project's \
         bindings/uniffi-bindgen/src/lazy_vtables.rs says why this is safe).\n    \
         init {{\n        uniffiCallbackInterface{name}.register(UniffiLib)\n    }}\n\n"
    )
}

#[cfg(test)]
mod tests {
    use super::{converter_init, rewrite};

    /// The parts of uniffi's Kotlin output the rewrite touches, in uniffi 0.32's layout, for a
    /// library with two callback interfaces.
    const GENERATED: &str = "\
package org.example

internal object UniffiLib {
    init {
        Native.register(UniffiLib::class.java, findLibraryName(componentName = \"example\"))
        uniffiCallbackInterfaceClock.register(this)
        uniffiCallbackInterfaceKeyProvider.register(this)
        \n    }

    internal fun ensureInitialized() = Unit
}

internal object uniffiCallbackInterfaceClock {
    internal fun register(lib: UniffiLib) {
        lib.uniffi_example_fn_init_callback_vtable_clock(vtable)
    }
}

public object FfiConverterTypeClock: FfiConverter<Clock, Long> {
    internal val handleMap = UniffiHandleMap<Clock>()
}

public object FfiConverterTypeKeyProvider: FfiConverter<KeyProvider, Long> {
    internal val handleMap = UniffiHandleMap<KeyProvider>()
}
";

    fn uniffi_lib(kotlin: &str) -> &str {
        let start = kotlin.find("internal object UniffiLib {").unwrap();
        let end = start + kotlin[start..].find("\n}\n").unwrap();
        &kotlin[start..end]
    }

    fn object<'a>(kotlin: &'a str, header: &str) -> &'a str {
        let start = kotlin.find(header).unwrap();
        let end = start + kotlin[start..].find("\n}\n").unwrap();
        &kotlin[start..end]
    }

    #[test]
    fn registrations_move_from_the_library_to_each_converter() {
        let out = rewrite(GENERATED).unwrap().expect("two vtables to move");
        let lib = uniffi_lib(&out);
        assert!(
            !lib.contains("uniffiCallbackInterface"),
            "UniffiLib still registers: {lib}"
        );
        assert!(lib.contains("Native.register(UniffiLib::class.java"));
        for name in ["Clock", "KeyProvider"] {
            let converter = object(&out, &format!("object FfiConverterType{name}:"));
            let call = format!("uniffiCallbackInterface{name}.register(UniffiLib)");
            assert_eq!(converter.matches(&call).count(), 1, "{converter}");
            assert!(converter.contains("init {"), "{converter}");
            assert!(converter.contains("internal val handleMap"), "{converter}");
            assert_eq!(out.matches(&call).count(), 1);
        }
        // Everything else is left as it was.
        let without_inits = out
            .replace(&converter_init("Clock"), "")
            .replace(&converter_init("KeyProvider"), "");
        let unregistered: Vec<&str> = GENERATED
            .lines()
            .filter(|l| !l.ends_with(".register(this)"))
            .collect();
        assert_eq!(without_inits.lines().collect::<Vec<_>>(), unregistered);
    }

    #[test]
    fn a_file_without_callback_interfaces_is_left_alone() {
        let plain = GENERATED
            .replace("        uniffiCallbackInterfaceClock.register(this)\n", "")
            .replace(
                "        uniffiCallbackInterfaceKeyProvider.register(this)\n",
                "",
            );
        assert_eq!(rewrite(&plain).unwrap(), None);
        assert_eq!(rewrite("package org.example\n").unwrap(), None);
    }

    #[test]
    fn a_missing_converter_fails_and_names_it() {
        let changed = GENERATED.replace(
            "public object FfiConverterTypeKeyProvider: FfiConverter<KeyProvider, Long> {",
            "public object FfiConverterTypeKeyProvider: FfiConverterCallback<KeyProvider> {",
        );
        let err = rewrite(&changed).unwrap_err();
        assert!(err.contains("FfiConverterTypeKeyProvider"), "{err}");
        assert!(err.contains("found 0"), "{err}");
    }

    #[test]
    fn a_library_object_without_init_fails() {
        let changed = GENERATED.replace("    init {\n", "    run {\n");
        assert!(rewrite(&changed).unwrap_err().contains("init"));
    }
}
