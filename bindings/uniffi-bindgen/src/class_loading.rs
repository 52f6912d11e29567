//! Less bytecode for the JVM to load on the way to the first call, for the generated Kotlin.
//!
//! A class is loaded, verified and linked whole when first touched, so what the first call
//! into the library drags in costs time even where it never runs (docs/performance.md, "First
//! codes on screen", measured in a warm process). Two rewrites, neither visible to apps:
//!
//! - **The file class stays unloaded.** Kotlin puts the file's top-level functions in one class
//!   (`TesseraKt`, 36 KB: every free function of the API), and uniffi's runtime helpers are
//!   top-level functions too: every call checks its status with `uniffiCheckCallStatus`, and
//!   loading the library calls `findLibraryName`, the contract-version check and the cleaner's
//!   `create`. So any call loaded all the free functions' bytecode (~1 ms warm). The helpers
//!   move, unchanged, into `internal object UniffiRuntime` and their calls point there; the
//!   free functions stay where apps (and Java callers, as `TesseraKt.parseOtpUri`) find them.
//! - **The call counter out of line.** uniffi's objects guard each method with the inline
//!   `callWithHandle`, whose counter loop (with its two error messages) and release were copied
//!   into every method: a fifth of `Vault`'s 74 KB. They become two methods the inline function
//!   calls (`uniffiCallStarts`, `uniffiCallEnds`), doing exactly what the inlined code did.
//! - **A callback's converter does not load the Rust-backed class.** Lowering an app's
//!   `KeyProvider` asks `value is KeyProviderImpl` (the class uniffi uses for a `KeyProvider`
//!   that Rust handed out, whose handle is passed back as it is), and `is` loads the class it
//!   names: 10 KB of bytecode on the way to every vault open, for a class an app never has.
//!   Every `…Impl` implements uniffi's `Disposable`, which the first object has already loaded,
//!   so the check becomes `value is Disposable && value is KeyProviderImpl`: the same answer,
//!   and the second test (and the load) only for a value that is `Disposable`.
//!
//! All or nothing, as the other passes: text of a shape this does not know (a uniffi upgrade)
//! fails generation with a message naming this file; deleting this pass is the fallback.

/// Rewrites one generated Kotlin file. `Ok(None)` when it has none of uniffi's helpers (not
/// uniffi's main file); `Err` says which part of uniffi's output was not found.
pub fn rewrite(kotlin: &str) -> Result<Option<String>, String> {
    if !kotlin.contains(HELPERS[0].definition) {
        return Ok(None);
    }
    let out = move_helpers(kotlin)?;
    let out = counter_out_of_line(&out)?;
    Ok(Some(impl_checks_after_disposable(&out)?))
}

/// `if (value is XImpl) {` → `if (value is Disposable && value is XImpl) {`, for each `XImpl`
/// that implements `Disposable` (every one uniffi 0.32 writes; another shape fails).
fn impl_checks_after_disposable(kotlin: &str) -> Result<String, String> {
    let mut out = kotlin.to_owned();
    for (at, _) in kotlin.match_indices("if (value is ") {
        let rest = &kotlin[at + "if (value is ".len()..];
        let Some((name, _)) = rest.split_once(") {") else {
            continue;
        };
        if !name.ends_with("Impl") || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        if !kotlin.contains(&format!("\nopen class {name}: Disposable, ")) {
            return Err(format!(
                "`{name}` is not declared as implementing `Disposable`"
            ));
        }
        out = out.replacen(
            &format!("if (value is {name}) {{"),
            &format!("if (value is Disposable && value is {name}) {{"),
            1,
        );
    }
    Ok(out)
}

/// A top-level helper of uniffi's and what it becomes in `UniffiRuntime`.
struct Helper {
    /// The start of its definition, at the start of a line.
    definition: &'static str,
    /// The start of its definition inside the object.
    member: &'static str,
    /// How it is called, and how it is called from now on.
    call: &'static str,
    new_call: &'static str,
}

const HELPERS: [Helper; 4] = [
    Helper {
        definition: "private fun<E: kotlin.Exception> uniffiCheckCallStatus(",
        member: "fun<E: kotlin.Exception> uniffiCheckCallStatus(",
        call: "uniffiCheckCallStatus(",
        new_call: "UniffiRuntime.uniffiCheckCallStatus(",
    },
    Helper {
        definition: "private fun findLibraryName(",
        member: "fun findLibraryName(",
        call: "findLibraryName(",
        new_call: "UniffiRuntime.findLibraryName(",
    },
    Helper {
        definition: "private fun uniffiCheckContractApiVersion(",
        member: "fun uniffiCheckContractApiVersion(",
        call: "uniffiCheckContractApiVersion(",
        new_call: "UniffiRuntime.uniffiCheckContractApiVersion(",
    },
    Helper {
        // An extension of the companion outside the object; a plain member inside it.
        definition: "private fun UniffiCleaner.Companion.create(): UniffiCleaner =",
        member: "fun createCleaner(): UniffiCleaner =",
        call: "UniffiCleaner.create(",
        new_call: "UniffiRuntime.createCleaner(",
    },
];

const RUNTIME: &str = "UniffiRuntime";

fn move_helpers(kotlin: &str) -> Result<String, String> {
    if kotlin.contains(&format!("object {RUNTIME}")) {
        return Err(format!("uniffi's Kotlin already has an `object {RUNTIME}`"));
    }
    let mut out = kotlin.to_owned();
    let mut members = String::new();
    for helper in &HELPERS {
        let (start, end) = top_level_definition(&out, helper.definition)?;
        let block = out[start..end].replacen(helper.definition, helper.member, 1);
        out.replace_range(start..end, "");
        for line in block.split_inclusive('\n') {
            if line.trim().is_empty() {
                members.push_str(line);
            } else {
                members.push_str("    ");
                members.push_str(line);
            }
        }
        members.push('\n');
        let calls = calls_of(&out, helper.call);
        if calls.is_empty() {
            return Err(format!("no call of `{}` in uniffi's Kotlin", helper.call));
        }
        for at in calls.into_iter().rev() {
            out.replace_range(at..at + helper.call.len(), helper.new_call);
        }
    }
    out.push_str(&format!(
        "\n// uniffi's runtime helpers, moved out of the file class so that calling the library \
         does not load it (the project's bindings/uniffi-bindgen/src/class_loading.rs says why).\n\
         internal object {RUNTIME} {{\n{members}}}\n"
    ));
    Ok(out)
}

/// The byte range of the one top-level definition starting with `definition` (with the
/// annotation lines above it): up to its closing `}` at the start of a line, or for an
/// expression body, up to the next line that starts at the left margin.
fn top_level_definition(kotlin: &str, definition: &str) -> Result<(usize, usize), String> {
    let found: Vec<usize> = kotlin
        .match_indices(definition)
        .map(|(at, _)| at)
        .filter(|&at| at == 0 || kotlin[..at].ends_with('\n'))
        .collect();
    let [first] = found[..] else {
        return Err(format!(
            "expected one top-level `{definition}` in uniffi's Kotlin, found {}",
            found.len()
        ));
    };
    let mut start = first;
    while let Some(line_start) = kotlin[..start.saturating_sub(1)]
        .rfind('\n')
        .map(|at| at + 1)
    {
        if !kotlin[line_start..start].starts_with('@') {
            break;
        }
        start = line_start;
    }
    let mut end = first
        + kotlin[first..]
            .find('\n')
            .map_or(kotlin.len() - first, |at| at + 1);
    while end < kotlin.len() {
        let line_end = kotlin[end..]
            .find('\n')
            .map_or(kotlin.len(), |at| end + at + 1);
        let line = &kotlin[end..line_end];
        if line.trim_end() == "}" {
            end = line_end;
            break;
        }
        if !line.trim().is_empty() && !line.starts_with(char::is_whitespace) {
            break;
        }
        end = line_end;
    }
    let block = &kotlin[start..end];
    if block.matches('{').count() != block.matches('}').count() {
        return Err(format!(
            "the definition of `{definition}` in uniffi's Kotlin does not end where expected"
        ));
    }
    Ok((start, end))
}

/// Where `call` occurs as a call of the top-level helper: not part of a longer name, and not
/// a member of something else (`x.call(`), except the companion's `UniffiCleaner.create(`.
fn calls_of(kotlin: &str, call: &str) -> Vec<usize> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    kotlin
        .match_indices(call)
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = &kotlin[..at];
            !before.ends_with(ident) && (call.contains('.') || !before.ends_with('.'))
        })
        .collect()
}

/// uniffi 0.32's `callWithHandle`, the same in every object class.
const CALL_WITH_HANDLE: &str = "    internal inline fun <R> callWithHandle(block: (handle: Long) -> R): R {
        // Check and increment the call counter, to keep the object alive.
        // This needs a compare-and-set retry loop in case of concurrent updates.
        do {
            val c = this.callCounter.get()
            if (c == 0L) {
                throw IllegalStateException(\"${this.javaClass.simpleName} object has already been destroyed\")
            }
            if (c == Long.MAX_VALUE) {
                throw IllegalStateException(\"${this.javaClass.simpleName} call counter would overflow\")
            }
        } while (! this.callCounter.compareAndSet(c, c + 1L))
        // Now we can safely do the method call without the handle being freed concurrently.
        try {
            return block(this.uniffiCloneHandle())
        } finally {
            // This decrement always matches the increment we performed above.
            if (this.callCounter.decrementAndGet() == 0L) {
                cleanable?.clean()
            }
        }
    }
";

/// The same, with the counter's two halves in methods of their own.
const CALL_WITH_HANDLE_OUT_OF_LINE: &str = "    internal inline fun <R> callWithHandle(block: (handle: Long) -> R): R {
        // The counter's two halves are methods rather than inlined into every method (the
        // project's bindings/uniffi-bindgen/src/class_loading.rs says why).
        uniffiCallStarts()
        // Now we can safely do the method call without the handle being freed concurrently.
        try {
            return block(this.uniffiCloneHandle())
        } finally {
            uniffiCallEnds()
        }
    }

    // Check and increment the call counter, to keep the object alive.
    internal fun uniffiCallStarts() {
        // This needs a compare-and-set retry loop in case of concurrent updates.
        do {
            val c = this.callCounter.get()
            if (c == 0L) {
                throw IllegalStateException(\"${this.javaClass.simpleName} object has already been destroyed\")
            }
            if (c == Long.MAX_VALUE) {
                throw IllegalStateException(\"${this.javaClass.simpleName} call counter would overflow\")
            }
        } while (! this.callCounter.compareAndSet(c, c + 1L))
    }

    internal fun uniffiCallEnds() {
        // This decrement always matches the increment of uniffiCallStarts.
        if (this.callCounter.decrementAndGet() == 0L) {
            cleanable?.clean()
        }
    }
";

fn counter_out_of_line(kotlin: &str) -> Result<String, String> {
    let declared = kotlin
        .matches("internal inline fun <R> callWithHandle(")
        .count();
    let known = kotlin.matches(CALL_WITH_HANDLE).count();
    if known != declared {
        return Err(format!(
            "{} of the {declared} `callWithHandle` in uniffi's Kotlin are not the expected text",
            declared - known
        ));
    }
    Ok(kotlin.replace(CALL_WITH_HANDLE, CALL_WITH_HANDLE_OUT_OF_LINE))
}

#[cfg(test)]
mod tests {
    use super::{CALL_WITH_HANDLE, CALL_WITH_HANDLE_OUT_OF_LINE, rewrite};

    /// The parts of uniffi 0.32's Kotlin output the rewrite touches (after `lib_groups`).
    fn generated() -> String {
        format!(
            "\
package org.example

private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(errorHandler: H<E>, callback: (S) -> U): U {{
    var status = S()
    val return_value = callback(status)
    uniffiCheckCallStatus(errorHandler, status)
    return return_value
}}

// Check UniffiRustCallStatus and throw an error if the call wasn't successful
private fun<E: kotlin.Exception> uniffiCheckCallStatus(errorHandler: H<E>, status: S) {{
    if (status.isSuccess()) {{
        return
    }} else {{
        throw InternalException(\"Unknown rust call status: $status.code\")
    }}
}}

@Synchronized
private fun findLibraryName(componentName: String): String {{
    return \"example\"
}}

internal object IntegrityCheckingUniffiLib {{
    init {{
        Native.register(IntegrityCheckingUniffiLib::class.java, findLibraryName(componentName = \"example\"))
        uniffiCheckContractApiVersion(this)
    }}
}}

internal object UniffiLib {{
    internal val CLEANER: UniffiCleaner by lazy {{
        UniffiCleaner.create()
    }}
    init {{
        Native.register(UniffiLib::class.java, findLibraryName(componentName = \"example\"))
    }}
}}

internal object UniffiLibVault {{
    init {{
        Native.register(UniffiLibVault::class.java, findLibraryName(componentName = \"example\"))
    }}
}}

private fun uniffiCheckContractApiVersion(lib: IntegrityCheckingUniffiLib) {{
    val scaffolding_contract_version = lib.ffi_example_uniffi_contract_version()
}}

private fun UniffiCleaner.Companion.create(): UniffiCleaner =
    try {{
        java.lang.Class.forName(\"java.lang.ref.Cleaner\")
        JavaLangRefCleaner()
    }} catch (e: ClassNotFoundException) {{
        UniffiJnaCleaner()
    }}

private class JavaLangRefCleaner : UniffiCleaner {{
}}

open class KeyProviderImpl: Disposable, AutoCloseable, KeyProvider {{
}}

public object FfiConverterTypeKeyProvider: FfiConverter<KeyProvider, Long> {{
    override fun lower(value: KeyProvider): Long {{
        if (value is KeyProviderImpl) {{
            return value.uniffiCloneHandle()
        }}
        return handleMap.insert(value)
    }}
}}

open class Vault {{
{CALL_WITH_HANDLE}
    fun codes() = callWithHandle {{ uniffiRustCallWithError(H) {{ s -> UniffiLibVault.codes(it, s) }} }}
}}

fun parseUri(uri: String) = uniffiRustCallWithError(H) {{ s -> UniffiLibFunctions.parse(uri, s) }}
"
        )
    }

    fn runtime(kotlin: &str) -> &str {
        let start = kotlin
            .find("\ninternal object UniffiRuntime {\n")
            .expect("the object");
        &kotlin[start..]
    }

    #[test]
    fn the_helpers_move_into_an_object_and_every_call_follows() {
        let out = rewrite(&generated()).unwrap().expect("helpers to move");
        let object = runtime(&out);
        let outside = &out[..out.len() - object.len()];
        for (member, call) in [
            (
                "    fun<E: kotlin.Exception> uniffiCheckCallStatus(errorHandler: H<E>, status: S) {\n",
                "    UniffiRuntime.uniffiCheckCallStatus(errorHandler, status)\n",
            ),
            (
                "    @Synchronized\n    fun findLibraryName(componentName: String): String {\n        return \"example\"\n    }\n",
                "Native.register(UniffiLibVault::class.java, UniffiRuntime.findLibraryName(componentName = \"example\"))",
            ),
            (
                "    fun uniffiCheckContractApiVersion(lib: IntegrityCheckingUniffiLib) {\n",
                "        UniffiRuntime.uniffiCheckContractApiVersion(this)\n",
            ),
            (
                "    fun createCleaner(): UniffiCleaner =\n        try {\n",
                "        UniffiRuntime.createCleaner()\n",
            ),
        ] {
            assert!(object.contains(member), "{member} in {object}");
            assert!(outside.contains(call), "{call} in {outside}");
        }
        assert_eq!(outside.matches("UniffiRuntime.findLibraryName(").count(), 3);
        // Nothing of the helpers is left at the top level; what surrounds them is.
        for gone in ["private fun", "@Synchronized", "UniffiCleaner.create("] {
            assert!(!outside.contains(gone), "{gone} in {outside}");
        }
        assert!(
            outside
                .contains("private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(")
        );
        assert!(outside.contains("private class JavaLangRefCleaner : UniffiCleaner {\n}\n"));
        assert!(outside.contains("fun parseUri(uri: String)"));
    }

    #[test]
    fn the_call_counter_leaves_the_inline_function() {
        let out = rewrite(&generated()).unwrap().unwrap();
        assert!(!out.contains(CALL_WITH_HANDLE));
        assert_eq!(out.matches(CALL_WITH_HANDLE_OUT_OF_LINE).count(), 1);
        // What it does is what the inlined code did, statement for statement.
        let new: Vec<&str> = CALL_WITH_HANDLE_OUT_OF_LINE
            .lines()
            .map(str::trim)
            .collect();
        for line in CALL_WITH_HANDLE.lines().map(str::trim) {
            assert!(line.starts_with("//") || new.contains(&line), "{line}");
        }
    }

    #[test]
    fn unknown_shapes_fail_and_say_what() {
        let changed = generated().replace(
            "@Synchronized\nprivate fun findLibraryName(",
            "@Synchronized\nfun findLibraryName(",
        );
        let err = rewrite(&changed).unwrap_err();
        assert!(err.contains("findLibraryName"), "{err}");

        let changed = generated().replace("if (c == 0L) {", "if (c <= 0L) {");
        let err = rewrite(&changed).unwrap_err();
        assert!(err.contains("callWithHandle"), "{err}");

        let changed = generated().replace(
            "        UniffiCleaner.create()\n",
            "        makeCleaner()\n",
        );
        let err = rewrite(&changed).unwrap_err();
        assert!(err.contains("UniffiCleaner.create("), "{err}");

        assert_eq!(rewrite("package org.example\n").unwrap(), None);
    }

    #[test]
    fn the_impl_check_asks_for_disposable_first() {
        let out = rewrite(&generated()).unwrap().unwrap();
        assert!(
            out.contains("        if (value is Disposable && value is KeyProviderImpl) {\n"),
            "{out}"
        );
        assert!(!out.contains("if (value is KeyProviderImpl)"));
        // An Impl that is not Disposable is a shape this does not know.
        let changed = generated().replace(
            "open class KeyProviderImpl: Disposable,",
            "open class KeyProviderImpl: Other,",
        );
        assert!(rewrite(&changed).unwrap_err().contains("KeyProviderImpl"));
    }
}
