//! The Android and iOS READMEs tell app developers what to do about every `TesseraError`
//! case: a case added to `src/error.rs` without a line in both fails here.

use std::path::Path;

/// The case names of `TesseraError`, read from its definition.
fn error_cases() -> Vec<String> {
    let source =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/error.rs"))
            .unwrap();
    let start = source.find("pub enum TesseraError {").expect("the enum");
    let body = &source[start..];
    let body = &body[..body.find("\n}\n").expect("its end")];
    body.lines()
        .filter_map(|line| {
            // Cases sit at four spaces; their fields and docs deeper or after `///`.
            let case = line.strip_prefix("    ")?;
            let name: String = case
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            (!name.is_empty() && name.starts_with(|c: char| c.is_ascii_uppercase())).then_some(name)
        })
        .collect()
}

#[test]
fn both_readmes_say_what_to_do_about_every_error() {
    let cases = error_cases();
    assert!(cases.len() >= 15, "parsed {cases:?}");
    assert!(cases.iter().any(|c| c == "PasswordRequired"), "{cases:?}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (readme, prefix) in [("android/README.md", "`"), ("ios/README.md", "`.")] {
        let text = std::fs::read_to_string(root.join(readme)).unwrap();
        for case in &cases {
            let row = format!("| {prefix}{case}");
            assert!(
                text.lines().any(|line| line.starts_with(&row)),
                "{readme} has no table row for {case}"
            );
        }
    }
}
