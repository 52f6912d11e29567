//! Callback methods without lambda objects in the generated Kotlin.
//!
//! uniffi 0.32's Kotlin implements each method of a callback interface (`KeyProvider.unwrap`,
//! `PushTransport.send`, …) as
//!
//! ```text
//! val makeCall = { -> uniffiObj.unwrap(FfiConverterByteArray.lift(wrapped)) }
//! val writeReturn = { value: kotlin.ByteArray -> uniffiOutReturn.setValue(…) }
//! uniffiTraitInterfaceCallWithError(uniffiCallStatus, makeCall, writeReturn, { e: … -> … })
//! ```
//!
//! `uniffiTraitInterfaceCall(WithError)` is an `inline` function, but Kotlin inlines only
//! lambdas written at the call; the two held in `val`s are real objects. Kotlin 2 compiles them
//! with `invokedynamic`, so the first call of each method makes the JVM spin two lambda classes
//! at run time: about 0.5 ms of thread CPU at the first `KeyProvider.unwrap`, on the way from
//! a warm process to the first codes on screen (docs/performance.md, "First codes on screen").
//!
//! This moves both lambdas into the argument list, where Kotlin inlines them: the same code
//! runs in the same order (the call, then writing its result, inside the same `try`), with no
//! object and no class made at run time. Android's D8 turns lambdas into classes at build time,
//! so there it saves two class loads per method instead.
//!
//! All or nothing, like `lazy_vtables`: a callback method whose shape is not the one expected
//! fails generation with a message naming this file.

/// The generated lines this rewrite reads, at uniffi 0.32's indentation.
const MAKE_CALL: &str = "            val makeCall = { ->\n";
const BODY_END: &str = "            }\n";
const WRITE_RETURN: &str = "            val writeReturn = ";
const STATUS_ARG: &str = "                uniffiCallStatus,\n";
const MAKE_CALL_ARG: &str = "                makeCall,\n";
const WRITE_RETURN_ARG: &str = "                writeReturn,\n";

/// Rewrites one generated Kotlin file. `Ok(None)` when it has no callback methods; `Err` names
/// the part of uniffi's output that was not found.
pub fn rewrite(kotlin: &str) -> Result<Option<String>, String> {
    if !kotlin.contains(MAKE_CALL) {
        return Ok(None);
    }
    let lines: Vec<&str> = kotlin.split_inclusive('\n').collect();
    let mut out = String::with_capacity(kotlin.len());
    let mut i = 0;
    while i < lines.len() {
        if lines[i] != MAKE_CALL {
            out.push_str(lines[i]);
            i += 1;
            continue;
        }
        let method = method_at(&lines, i)?;
        out.push_str(method.call_start);
        out.push_str(STATUS_ARG);
        out.push_str("                { ->\n");
        // One level deeper than under `val makeCall`, as it now sits in an argument list.
        for line in method.body {
            out.push_str("    ");
            out.push_str(line);
        }
        out.push_str("                },\n");
        out.push_str("                ");
        out.push_str(method.write_return.trim_end());
        out.push_str(",\n");
        out.push_str(method.call_end);
        i = method.next;
    }
    Ok(Some(out))
}

/// One callback method's generated lines, starting at `val makeCall`.
struct Method<'a> {
    /// The lines between `val makeCall = { ->` and its closing brace.
    body: &'a [&'a str],
    /// The `writeReturn` lambda, as written after `val writeReturn = `.
    write_return: &'a str,
    /// `uniffiTraitInterfaceCall(` or `uniffiTraitInterfaceCallWithError(`, with its indent.
    call_start: &'static str,
    /// What closes the call when the generated one was a single line (nothing otherwise: the
    /// generated lines after `writeReturn,` close it).
    call_end: &'static str,
    /// The first generated line not rewritten.
    next: usize,
}

fn method_at<'a>(lines: &'a [&'a str], start: usize) -> Result<Method<'a>, String> {
    let unexpected = |what: &str| {
        Err(format!(
            "a callback method of uniffi's Kotlin (line {}) does not have the expected shape: {what}",
            start + 1
        ))
    };
    let Some(end) = lines[start + 1..].iter().position(|l| *l == BODY_END) else {
        return unexpected("no end to `val makeCall`");
    };
    let end = start + 1 + end;
    let body = &lines[start + 1..end];
    // The body is one call expression, indented under `makeCall`; anything at the lambda's own
    // level would be a second statement this rewrite does not expect.
    if body.is_empty() || body.iter().any(|l| !l.starts_with("                ")) {
        return unexpected("the body of `makeCall` is not one indented call");
    }
    let rest = &lines[end + 1..];
    let [write_return, call_line, ..] = rest else {
        return unexpected("the file ends inside the method");
    };
    let Some(write_return) = write_return.strip_prefix(WRITE_RETURN) else {
        return unexpected("no `val writeReturn` after `makeCall`");
    };
    if !(write_return.starts_with('{') && write_return.trim_end().ends_with('}')) {
        return unexpected("`writeReturn` is not a one-line lambda");
    }
    let method = |call_start, call_end, next| Method {
        body,
        write_return,
        call_start,
        call_end,
        next,
    };
    // Without an error type, uniffi writes the call on one line.
    if *call_line
        == "            uniffiTraitInterfaceCall(uniffiCallStatus, makeCall, writeReturn)\n"
    {
        return Ok(method(
            "            uniffiTraitInterfaceCall(\n",
            "            )\n",
            end + 3,
        ));
    }
    if *call_line != "            uniffiTraitInterfaceCallWithError(\n" {
        return unexpected("no `uniffiTraitInterfaceCall` after `writeReturn`");
    }
    let args = &rest[2..];
    if args.len() < 3 || args[..3] != [STATUS_ARG, MAKE_CALL_ARG, WRITE_RETURN_ARG] {
        return unexpected(
            "the call's arguments are not `uniffiCallStatus, makeCall, writeReturn`",
        );
    }
    Ok(method(
        "            uniffiTraitInterfaceCallWithError(\n",
        "",
        end + 6,
    ))
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    /// One method of each kind, in uniffi 0.32's layout: with a typed error (the call over
    /// several lines) and without one (the call on one line).
    const GENERATED: &str = "\
internal object uniffiCallbackInterfaceKeyProvider {
    internal object `unwrap`: UniffiCallbackInterfaceKeyProviderMethod1 {
        override fun callback(`uniffiHandle`: Long,`wrapped`: RustBuffer.ByValue,`uniffiOutReturn`: RustBuffer,uniffiCallStatus: UniffiRustCallStatus,) {
            val uniffiObj = FfiConverterTypeKeyProvider.handleMap.get(uniffiHandle)
            val makeCall = { ->
                uniffiObj.`unwrap`(
                    FfiConverterByteArray.lift(`wrapped`),
                )
            }
            val writeReturn = { value: kotlin.ByteArray -> uniffiOutReturn.setValue(FfiConverterByteArray.lower(value)) }
            uniffiTraitInterfaceCallWithError(
                uniffiCallStatus,
                makeCall,
                writeReturn,
                { e: TesseraException -> FfiConverterTypeTesseraError.lower(e) }
            )
        }
    }
    internal object `onProgress`: UniffiCallbackInterfaceKeygenListenerMethod0 {
        override fun callback(`uniffiHandle`: Long,`step`: RustBuffer.ByValue,`uniffiOutReturn`: ByteByReference,uniffiCallStatus: UniffiRustCallStatus,) {
            val uniffiObj = FfiConverterTypeKeygenListener.handleMap.get(uniffiHandle)
            val makeCall = { ->
                uniffiObj.`onProgress`(
                    FfiConverterTypeKeygenStep.lift(`step`),
                )
            }
            val writeReturn = { value: kotlin.Boolean -> uniffiOutReturn.setValue(FfiConverterBoolean.lower(value)) }
            uniffiTraitInterfaceCall(uniffiCallStatus, makeCall, writeReturn)
        }
    }
}
";

    #[test]
    fn moves_both_lambdas_into_the_inline_call() {
        let out = rewrite(GENERATED).unwrap().unwrap();
        assert!(!out.contains("val makeCall"), "{out}");
        assert!(!out.contains("val writeReturn"), "{out}");
        let expected_unwrap = "\
            uniffiTraitInterfaceCallWithError(
                uniffiCallStatus,
                { ->
                    uniffiObj.`unwrap`(
                        FfiConverterByteArray.lift(`wrapped`),
                    )
                },
                { value: kotlin.ByteArray -> uniffiOutReturn.setValue(FfiConverterByteArray.lower(value)) },
                { e: TesseraException -> FfiConverterTypeTesseraError.lower(e) }
            )
";
        assert!(out.contains(expected_unwrap), "{out}");
        let expected_progress = "\
            uniffiTraitInterfaceCall(
                uniffiCallStatus,
                { ->
                    uniffiObj.`onProgress`(
                        FfiConverterTypeKeygenStep.lift(`step`),
                    )
                },
                { value: kotlin.Boolean -> uniffiOutReturn.setValue(FfiConverterBoolean.lower(value)) },
            )
        }
";
        assert!(out.contains(expected_progress), "{out}");
        // Everything else is untouched: the lines before each method and the objects' ends.
        assert!(out.starts_with("internal object uniffiCallbackInterfaceKeyProvider {\n"));
        assert_eq!(out.matches("handleMap.get(uniffiHandle)").count(), 2);
        assert!(out.ends_with("        }\n    }\n}\n"));
    }

    #[test]
    fn leaves_a_file_without_callbacks_alone() {
        assert_eq!(rewrite("package org.example\n\nfun f() = 1\n"), Ok(None));
    }

    #[test]
    fn refuses_a_shape_it_does_not_know() {
        let two_statements = GENERATED.replacen(
            "                uniffiObj.`unwrap`(",
            "            println()\n                uniffiObj.`unwrap`(",
            1,
        );
        let error = rewrite(&two_statements).unwrap_err();
        assert!(error.contains("one indented call"), "{error}");

        let other_args =
            GENERATED.replacen("                makeCall,\n", "                call,\n", 1);
        let error = rewrite(&other_args).unwrap_err();
        assert!(
            error.contains("uniffiCallStatus, makeCall, writeReturn"),
            "{error}"
        );

        let truncated = &GENERATED[..GENERATED
            .find("            uniffiTraitInterfaceCallWithError(")
            .unwrap()];
        let error = rewrite(truncated).unwrap_err();
        assert!(error.contains("ends inside the method"), "{error}");
    }
}
