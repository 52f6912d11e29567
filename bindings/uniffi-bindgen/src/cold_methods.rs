//! The methods of `Vault` and the free functions that a first screen does not call, out of the
//! classes the first calls load.
//!
//! uniffi 0.32's Kotlin writes each method of an object as a body inside the object's class:
//! the argument lowering, the call-counter helpers and the error handling are inlined into
//! every one, so `Vault` (60 methods) was 59 KB of bytecode, and the JVM parses, verifies and
//! links all of it when an app first touches a vault, although the code list needs five of
//! them. On the way to the first codes, loading classes is about half of the time from a warm
//! process (docs/performance.md, "First codes on screen"). Its JNA group, `UniffiLibVault`
//! (`lib_groups`), likewise registered all 55 of its functions at the first call.
//!
//! This pass keeps the bodies of the methods in [`SPLITS`]' `hot` list where they are and
//! moves every other method's body into `internal object Uniffi<Class>Cold`, as a function
//! taking the object as `self`; the method itself becomes a one-line call of it, with its doc
//! comment, its `@Throws` and its signature unchanged, so the public API is the same. The
//! functions those bodies call move from `UniffiLib<Class>` to a group of their own,
//! `UniffiLib<Class>Cold`, registered with JNA on first use like every group. Reading codes
//! now loads the small class and registers the hot functions only; the first cold method
//! pays, once, for loading the cold object (~0.5 ms warm) and registering its group.
//!
//! The free functions get the same treatment: Kotlin puts them all in the file class
//! (`TesseraKt`, 34 KB), which the unlock screen's first call, `vaultStatus`, loads whole, and
//! their JNA group (`UniffiLibFunctions`, 30 functions) with it. The cold ones' bodies move to
//! `UniffiFunctionsCold` and their functions to `UniffiLibFunctionsCold`; the top-level
//! functions stay where apps (and Java callers, as `TesseraKt.parseOtpUri`) find them.
//!
//! The hot list is what the apps' code screen calls when it first draws (Android's
//! `CodesModel`, the iOS models alike): `codeList`, `groups`, and the `codes` and `codesAt`
//! of the measure and of simple shells; `codeListAt` for clock tests. A method left
//! cold by mistake costs its first call a class load, never a wrong result.
//!
//! All or nothing: a method of a shape this does not know (a uniffi upgrade) fails generation
//! with a message naming this file; deleting this pass from `main.rs` is the fallback.

use std::fmt::Write as _;

/// What moves: the methods of an object (out of its class) or the free functions (out of the
/// file class, `TesseraKt`), except the `hot` ones (Kotlin names).
struct Split {
    /// `Some(class)` for an object's methods, `None` for the free functions.
    class: Option<&'static str>,
    hot: &'static [&'static str],
}

const SPLITS: &[Split] = &[
    Split {
        class: Some("Vault"),
        hot: &["codes", "codesAt", "codeList", "codeListAt", "groups"],
    },
    // The free functions are all in the file class Kotlin makes (`TesseraKt`, 34 KB), which
    // the first one called loads whole: `vaultStatus`, the unlock screen's first call.
    Split {
        class: None,
        hot: &["vaultStatus"],
    },
];

/// Rewrites one generated Kotlin file. `Ok(None)` when none of [`SPLITS`]' parts is in it.
pub fn rewrite(kotlin: &str) -> Result<Option<String>, String> {
    let mut out: Option<String> = None;
    for split in SPLITS {
        let current = out.as_deref().unwrap_or(kotlin);
        if let Some(next) = split_part(current, split)? {
            out = Some(next);
        }
    }
    Ok(out)
}

/// One moved method: its name, parameters (as declared), return type (`": T"` or empty), body
/// (from its `{` or `=`) and the FFI function the body calls.
struct Moved {
    name: String,
    params: String,
    ret: String,
    body: String,
    function: String,
}

fn split_part(kotlin: &str, split: &Split) -> Result<Option<String>, String> {
    let (owner, group, cold_object) = match split.class {
        Some(class) => (
            class,
            format!("UniffiLib{class}"),
            format!("Uniffi{class}Cold"),
        ),
        None => (
            "the free functions",
            "UniffiLibFunctions".to_owned(),
            "UniffiFunctionsCold".to_owned(),
        ),
    };
    let cold_group = format!("{group}Cold");
    if kotlin.contains(&format!("object {cold_object} ")) {
        return Ok(None); // already split
    }
    // The part of the file whose functions move, and where each one's name starts in it.
    let (part_start, part_end, marker) = match split.class {
        Some(class) => {
            let header =
                format!("\nopen class {class}: Disposable, AutoCloseable, {class}Interface\n");
            let Some(start) = kotlin.find(&header).map(|at| at + 1) else {
                return Ok(None);
            };
            let open = start
                + kotlin[start..]
                    .find('{')
                    .ok_or_else(|| format!("no body to uniffi's `class {class}`"))?;
            let end = matching_brace(kotlin, open)
                .ok_or_else(|| format!("unbalanced braces in uniffi's `class {class}`"))?;
            (start, end, "override fun `")
        }
        None => {
            if !kotlin.contains(&format!("\ninternal object {group} {{\n")) {
                return Ok(None);
            }
            (0, kotlin.len(), "fun `")
        }
    };
    let text = &kotlin[part_start..part_end];
    let names: Vec<usize> = match split.class {
        Some(_) => text
            .match_indices(marker)
            .map(|(at, m)| at + m.len())
            .collect(),
        None => top_level(text, marker)
            .ok_or("unbalanced braces in uniffi's Kotlin")?
            .into_iter()
            .map(|at| at + marker.len())
            .collect(),
    };

    let mut part_out = String::with_capacity(text.len());
    let mut moved: Vec<Moved> = Vec::new();
    let mut copied = 0;
    for name_start in names {
        let name_end = name_start
            + text[name_start..]
                .find('`')
                .ok_or("a function name without its closing backtick")?;
        let name = &text[name_start..name_end];
        if split.hot.contains(&name) {
            continue;
        }
        let unknown = |what: &str| format!("`{name}` of {owner}: {what} in uniffi's Kotlin");
        if !text[name_end + 1..].starts_with('(') {
            return Err(unknown("no parameter list after the name"));
        }
        let params_open = name_end + 1;
        let params_close = matching(text, params_open, '(', ')')
            .ok_or_else(|| unknown("unbalanced parameters"))?;
        let params = &text[params_open + 1..params_close - 1];
        let body_at = params_close
            + text[params_close..]
                .find(['{', '='])
                .ok_or_else(|| unknown("no body"))?;
        let ret = text[params_close..body_at].trim();
        if !(ret.is_empty() || ret.starts_with(':')) {
            return Err(unknown("an unexpected return type"));
        }
        let brace = if text[body_at..].starts_with('{') {
            body_at
        } else {
            body_at
                + text[body_at..]
                    .find('{')
                    .ok_or_else(|| unknown("an expression body without a block"))?
        };
        let body_end = matching_brace(text, brace).ok_or_else(|| unknown("unbalanced braces"))?;
        let body = &text[body_at..body_end];
        let handle_calls = body.matches("callWithHandle {").count();
        let expected = usize::from(split.class.is_some());
        if handle_calls != expected || contains_word(body, "this") {
            return Err(unknown("a body of another shape"));
        }
        let calls: Vec<&str> = body
            .match_indices(&format!("{group}."))
            .map(|(i, g)| {
                let rest = &body[i + g.len()..];
                &rest[..rest.find('(').unwrap_or(0)]
            })
            .collect();
        let [function] = calls[..] else {
            return Err(unknown(&format!(
                "a body that does not call `{group}` once"
            )));
        };
        if function.is_empty() {
            return Err(unknown("a call without arguments"));
        }
        let args: Vec<&str> = split_top_level(params)
            .iter()
            .map(|p| p.split(':').next().unwrap_or("").trim())
            .collect();
        if args.iter().any(|a| a.is_empty()) {
            return Err(unknown("a parameter without a name"));
        }
        let mut call_args: Vec<&str> = Vec::new();
        if split.class.is_some() {
            call_args.push("this");
        }
        call_args.extend(&args);
        let call = format!("{cold_object}.`{name}`({})", call_args.join(", "));
        part_out.push_str(&text[copied..params_close]);
        if ret.is_empty() {
            part_out.push(' ');
        } else {
            part_out.push_str(&format!("{ret} "));
        }
        part_out.push_str(&format!("= {call}"));
        copied = body_end;
        let mut body = body.replacen(
            &format!("{group}.{function}("),
            &format!("{cold_group}.{function}("),
            1,
        );
        if split.class.is_some() {
            body = body.replacen("callWithHandle {", "self.callWithHandle {", 1);
        }
        moved.push(Moved {
            name: name.to_owned(),
            params: params.trim().to_owned(),
            ret: ret.to_owned(),
            body,
            function: function.to_owned(),
        });
    }
    if moved.is_empty() {
        return Ok(None);
    }
    part_out.push_str(&text[copied..]);

    let what = match split.class {
        Some(class) => format!("the methods of [{class}]"),
        None => "the free functions".to_owned(),
    };
    let mut cold = format!(
        "\n\n/**\n * The bodies of {what} that a first screen does not call: loaded on the first \
         call of one\n * (the project's bindings/uniffi-bindgen/src/cold_methods.rs says why).\n \
         */\ninternal object {cold_object} {{\n"
    );
    for m in &moved {
        let receiver = split
            .class
            .map(|c| format!("self: {c}"))
            .unwrap_or_default();
        let sep = if receiver.is_empty() || m.params.is_empty() {
            ""
        } else {
            ", "
        };
        let ret = if m.ret.is_empty() {
            " ".to_owned()
        } else {
            format!("{} ", m.ret)
        };
        let _ = writeln!(
            cold,
            "    fun `{}`({receiver}{sep}{}){ret}{}\n",
            m.name, m.params, m.body
        );
    }
    cold.push_str("}\n");

    let mut out = String::with_capacity(kotlin.len() + cold.len() + 1024);
    out.push_str(&kotlin[..part_start]);
    out.push_str(&part_out);
    out.push_str(&cold);
    out.push_str(&kotlin[part_end..]);
    move_declarations(&out, &group, &cold_group, &moved)
        .map(Some)
        .map_err(|e| format!("`{group}`: {e}"))
}

/// Where `marker` starts at brace depth 0 of `text`, outside comments and strings, at the start
/// of a word. `None` for unbalanced braces.
fn top_level(text: &str, marker: &str) -> Option<Vec<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if text[i..].starts_with("/*") {
            i += text[i..].find("*/")? + 2;
            continue;
        }
        if text[i..].starts_with("//") {
            i += text[i..].find('\n').unwrap_or(text.len() - i);
            continue;
        }
        match bytes[i] {
            b'"' => {
                i += 1;
                while *bytes.get(i)? != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' => depth += 1,
            b'}' => depth = depth.checked_sub(1)?,
            _ if depth == 0
                && text[i..].starts_with(marker)
                && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')) =>
            {
                found.push(i);
            }
            _ => {}
        }
        i += 1;
    }
    (depth == 0).then_some(found)
}

/// Moves the declarations of the moved bodies' functions from `group` into a new object
/// `cold_group` with the same initialiser.
fn move_declarations(
    kotlin: &str,
    group: &str,
    cold_group: &str,
    moved: &[Moved],
) -> Result<String, String> {
    let header = format!("\ninternal object {group} {{\n");
    let start = kotlin
        .find(&header)
        .map(|at| at + 1)
        .ok_or("no such object (bindings/uniffi-bindgen/src/lib_groups.rs makes it)")?;
    let end = start
        + kotlin[start..]
            .find("\n}\n")
            .ok_or("no end to the object")?
        + "\n}\n".len();
    let object = &kotlin[start..end];
    let init_end = object
        .find("\n    }\n")
        .map(|at| at + "\n    }\n".len())
        .ok_or("no initialiser")?;
    let init = &object[header.len() - 1..init_end];
    if !init.contains(&format!("Native.register({group}::class.java")) {
        return Err("its initialiser does not register it".into());
    }
    let mut kept = String::new();
    let mut cold = String::new();
    let mut lines = object.split_inclusive('\n');
    while let Some(line) = lines.next() {
        let function = line
            .strip_prefix("    external fun ")
            .and_then(|rest| rest.split('(').next());
        match function {
            Some(f) if moved.iter().any(|m| m.function == f) => {
                cold.push_str(line);
                cold.push_str(
                    lines
                        .next()
                        .ok_or("a declaration without its second line")?,
                );
            }
            _ => kept.push_str(line),
        }
    }
    for m in moved {
        if !cold.contains(&format!("    external fun {}(", m.function)) {
            return Err(format!("no declaration of `{}`", m.function));
        }
    }
    let cold_init = init.replacen(
        &format!("Native.register({group}::class.java"),
        &format!("Native.register({cold_group}::class.java"),
        1,
    );
    let mut out = String::with_capacity(kotlin.len() + 512);
    out.push_str(&kotlin[..start]);
    out.push_str(&kept);
    let _ = write!(
        out,
        "\n// The functions of the cold methods (the project's \
         bindings/uniffi-bindgen/src/cold_methods.rs says why).\n\
         internal object {cold_group} {{{cold_init}\n{cold}}}\n"
    );
    out.push_str(&kotlin[end..]);
    Ok(out)
}

/// The index after the `}` that closes the `{` at `open`, skipping comments and strings.
fn matching_brace(text: &str, open: usize) -> Option<usize> {
    matching(text, open, '{', '}')
}

/// The index after the `close` that closes the `open` at `at`, skipping `//` and `/* */`
/// comments and string literals (uniffi's bodies have no nested quotes in templates).
fn matching(text: &str, at: usize, open: char, close: char) -> Option<usize> {
    let bytes = text.as_bytes();
    let (open, close) = (open as u8, close as u8);
    let mut depth = 0usize;
    let mut i = at;
    while i < bytes.len() {
        if text[i..].starts_with("/*") {
            i += text[i..].find("*/")? + 2;
            continue;
        }
        if text[i..].starts_with("//") {
            i += text[i..].find('\n')?;
            continue;
        }
        match bytes[i] {
            b'"' => {
                i += 1;
                while *bytes.get(i)? != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b if b == open => depth += 1,
            b if b == close => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `params` split at the commas outside `<…>` and `(…)`, without empty entries.
fn split_top_level(params: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in params.char_indices() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&params[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&params[start..]);
    out.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Whether `word` occurs in `text` as a whole identifier.
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    /// The shapes of uniffi 0.32's Kotlin this pass reads, after `lib_groups`: a hot method, a
    /// cold one with a result, a cold one without, and the object's JNA group.
    const GENERATED: &str = "\
package org.example

// Registered with JNA on first use (the project's bindings/uniffi-bindgen/src/lib_groups.rs says why).
internal object UniffiLibVault {
    init {
        // The contract-version check and the RustBuffer functions first.
        UniffiLib.ensureInitialized()
        Native.register(UniffiLibVault::class.java, UniffiRuntime.findLibraryName(componentName = \"example\"))
    }

    external fun uniffi_example_fn_method_vault_codes(`ptr`: Long,uniffi_out_err: UniffiRustCallStatus, 
    ): RustBuffer.ByValue
    external fun uniffi_example_fn_method_vault_rename(`ptr`: Long,`id`: RustBuffer.ByValue,`names`: RustBuffer.ByValue,uniffi_out_err: UniffiRustCallStatus, 
    ): Long
    external fun uniffi_example_fn_method_vault_lock(`ptr`: Long,uniffi_out_err: UniffiRustCallStatus, 
    ): Unit
}

open class Vault: Disposable, AutoCloseable, VaultInterface
{
    internal inline fun <R> callWithHandle(block: (handle: Long) -> R): R {
        return block(this.uniffiCloneHandle())
    }

    /** The codes, with a brace } in the doc. */
    @Throws(ExampleException::class)override fun `codes`(): List<Code> {
            return FfiConverterSequenceTypeCode.lift(
    callWithHandle {
    uniffiRustCallWithError(ExampleException) { _status ->
    UniffiLibVault.uniffi_example_fn_method_vault_codes(
        it,
        _status)
}
    }
    )
    }

    /** Renames. */
    @Throws(ExampleException::class)override fun `rename`(`id`: kotlin.String, `names`: Map<kotlin.String, kotlin.String>): kotlin.ULong {
            return FfiConverterULong.lift(
    callWithHandle {
    uniffiRustCallWithError(ExampleException) { _status ->
    UniffiLibVault.uniffi_example_fn_method_vault_rename(
        it,
        FfiConverterString.lower(`id`),
        FfiConverterMapStringString.lower(`names`),_status)
}
    }
    )
    }

    /** Locks (\"now\"). */
    override fun `lock`()
        = 
    callWithHandle {
    uniffiRustCall() { _status ->
    UniffiLibVault.uniffi_example_fn_method_vault_lock(
        it,
        _status)
}
    }
    
    companion object {
        fun open(path: String): Vault = TODO()
    }
}

public interface Clock {
    fun `nowUnix`(): kotlin.ULong
}

// Registered with JNA on first use (the project's bindings/uniffi-bindgen/src/lib_groups.rs says why).
internal object UniffiLibFunctions {
    init {
        // The contract-version check and the RustBuffer functions first.
        UniffiLib.ensureInitialized()
        Native.register(UniffiLibFunctions::class.java, UniffiRuntime.findLibraryName(componentName = \"example\"))
    }

    external fun uniffi_example_fn_func_vault_status(`path`: RustBuffer.ByValue,uniffi_out_err: UniffiRustCallStatus, 
    ): RustBuffer.ByValue
    external fun uniffi_example_fn_func_parse_uri(`uri`: RustBuffer.ByValue,uniffi_out_err: UniffiRustCallStatus, 
    ): RustBuffer.ByValue
}

        /**
         * The status {of} a vault.
         */
    @Throws(ExampleException::class) fun `vaultStatus`(`path`: kotlin.String): VaultStatus {
            return FfiConverterTypeVaultStatus.lift(
    uniffiRustCallWithError(ExampleException) { _status ->
    UniffiLibFunctions.uniffi_example_fn_func_vault_status(
        FfiConverterString.lower(`path`),_status)
}
    )
    }

    @Throws(ExampleException::class) fun `parseUri`(`uri`: kotlin.String): OtpAccount {
            return FfiConverterTypeOtpAccount.lift(
    uniffiRustCallWithError(ExampleException) { _status ->
    UniffiLibFunctions.uniffi_example_fn_func_parse_uri(
        FfiConverterString.lower(`uri`),_status)
}
    )
    }
";

    fn object<'a>(kotlin: &'a str, name: &str) -> &'a str {
        let start = kotlin
            .find(&format!("\ninternal object {name} {{"))
            .unwrap_or_else(|| panic!("no object {name} in {kotlin}"));
        // Up to the next top-level declaration (bodies end with a `}` in column 0 too).
        let rest = &kotlin[start + 1..];
        let end = ["\ninternal object ", "\nopen class ", "\n// "]
            .iter()
            .filter_map(|next| rest.find(next))
            .min()
            .unwrap_or(rest.len());
        &rest[..end]
    }

    #[test]
    fn cold_bodies_and_their_functions_leave_the_class_and_its_group() {
        let out = rewrite(GENERATED).unwrap().expect("a change");
        // The hot method is untouched.
        assert!(out.contains("override fun `codes`(): List<Code> {\n            return FfiConverterSequenceTypeCode.lift("));
        // The cold ones call the cold object with the same signature, doc and @Throws.
        assert!(out.contains(
            "/** Renames. */\n    @Throws(ExampleException::class)override fun `rename`(`id`: kotlin.String, `names`: Map<kotlin.String, kotlin.String>): kotlin.ULong = UniffiVaultCold.`rename`(this, `id`, `names`)"
        ), "{out}");
        assert!(
            out.contains("override fun `lock`() = UniffiVaultCold.`lock`(this)"),
            "{out}"
        );
        let cold = object(&out, "UniffiVaultCold");
        assert!(cold.contains("fun `rename`(self: Vault, `id`: kotlin.String, `names`: Map<kotlin.String, kotlin.String>): kotlin.ULong {"), "{cold}");
        assert!(cold.contains("self.callWithHandle {"), "{cold}");
        assert!(
            cold.contains("UniffiLibVaultCold.uniffi_example_fn_method_vault_rename("),
            "{cold}"
        );
        assert!(
            cold.contains("fun `lock`(self: Vault) = \n    self.callWithHandle {"),
            "{cold}"
        );
        assert!(!cold.contains("codes"), "{cold}");
        // The functions: the hot one stays, the cold ones move to a group registered alike.
        let group = object(&out, "UniffiLibVault");
        assert!(group.contains("external fun uniffi_example_fn_method_vault_codes("));
        assert!(!group.contains("vault_rename") && !group.contains("vault_lock"));
        let cold_group = object(&out, "UniffiLibVaultCold");
        assert!(
            cold_group.contains("UniffiLib.ensureInitialized()"),
            "{cold_group}"
        );
        assert!(
            cold_group.contains("Native.register(UniffiLibVaultCold::class.java,"),
            "{cold_group}"
        );
        assert!(cold_group.contains("external fun uniffi_example_fn_method_vault_rename("));
        assert!(cold_group.contains("external fun uniffi_example_fn_method_vault_lock("));
        assert!(cold_group.contains("    ): Long\n"));
        assert!(!out.contains("UniffiLibVault.uniffi_example_fn_method_vault_rename("));
        // The class still ends where it did, before the companion's end.
        assert!(out.contains(
            "    companion object {\n        fun open(path: String): Vault = TODO()\n    }\n}\n"
        ));
        // Running it again changes nothing.
        assert_eq!(rewrite(&out).unwrap(), None);
    }

    #[test]
    fn a_body_of_another_shape_fails_and_names_the_method() {
        let changed = GENERATED.replacen(
            "UniffiLibVault.uniffi_example_fn_method_vault_lock(\n        it,",
            "this.other(\n        it,",
            1,
        );
        let err = rewrite(&changed).unwrap_err();
        assert!(err.contains("`lock` of Vault"), "{err}");
    }

    #[test]
    fn a_file_without_the_class_is_left_alone() {
        assert_eq!(rewrite("package org.example\n").unwrap(), None);
    }

    #[test]
    fn cold_free_functions_leave_the_file_class_and_their_group() {
        let out = rewrite(GENERATED).unwrap().expect("a change");
        assert!(out.contains(
            "@Throws(ExampleException::class) fun `parseUri`(`uri`: kotlin.String): OtpAccount = UniffiFunctionsCold.`parseUri`(`uri`)"
        ), "{out}");
        assert!(out.contains(
            "fun `vaultStatus`(`path`: kotlin.String): VaultStatus {\n            return"
        ));
        let cold = object(&out, "UniffiFunctionsCold");
        assert!(
            cold.contains("    fun `parseUri`(`uri`: kotlin.String): OtpAccount {"),
            "{cold}"
        );
        assert!(
            cold.contains("UniffiLibFunctionsCold.uniffi_example_fn_func_parse_uri("),
            "{cold}"
        );
        let group = object(&out, "UniffiLibFunctions");
        assert!(group.contains("fn_func_vault_status(") && !group.contains("fn_func_parse_uri("));
        let cold_group = object(&out, "UniffiLibFunctionsCold");
        assert!(cold_group.contains("Native.register(UniffiLibFunctionsCold::class.java,"));
        assert!(cold_group.contains("external fun uniffi_example_fn_func_parse_uri("));
        // The interface's declaration is not a free function.
        assert!(out.contains("public interface Clock {\n    fun `nowUnix`(): kotlin.ULong\n}"));
    }
}
