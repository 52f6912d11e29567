//! Text from files and servers, made safe to show on a terminal.
//!
//! Issuers, labels, notes, group names, push titles and questions come from import files,
//! scanned URIs and servers. Printed raw, an escape sequence in them is a command to the
//! terminal: it can recolour or hide text, retitle the window, move the cursor over a code,
//! or (on some terminals) write files. Every human-readable line goes through [`safe`], which
//! shows such characters escaped (`\u{1b}`) instead of sending them. JSON output, which people
//! also read on a terminal, goes through [`json`]: serde_json escapes C0 controls itself, and
//! [`json`] escapes the rest (`\u009b`), which decodes to the very same strings.

use std::borrow::Cow;
use std::fmt;

/// True for a character a terminal would act on or that reorders what is shown:
/// C0 controls (including ESC, CR, LF, TAB), DEL, C1 controls (U+0080–U+009F, where CSI and
/// OSC live as single characters), the bidirectional overrides and isolates that make text
/// read differently from its bytes ("Trojan Source"), and the Unicode line and paragraph
/// separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'                    // Arabic letter mark
                | '\u{200e}' | '\u{200f}' // left-to-right / right-to-left marks
                | '\u{2028}' | '\u{2029}' // line / paragraph separators
                | '\u{202a}'..='\u{202e}' // embeddings and overrides
                | '\u{2066}'..='\u{2069}' // isolates
        )
}

/// `text` with every [`is_unsafe`] character shown as its Rust escape (`\n`, `\u{1b}`);
/// borrowed unchanged when there is none, the usual case.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`safe`] as a `Display` for `format!` arguments: `println!("{}", Safe(&name))`.
pub struct Safe<'a>(pub &'a str);

impl fmt::Display for Safe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&safe(self.0))
    }
}

/// `value` as JSON text (pretty or compact) in which every [`is_unsafe`] character is a
/// `\uXXXX` escape: the same JSON to a parser, inert on a terminal.
pub fn json(value: &serde_json::Value, pretty: bool) -> String {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    // A `Value` always serializes (its map keys are strings).
    .unwrap_or_default();
    // Raw control characters only occur inside strings (serde_json escapes C0 there already;
    // the line breaks of pretty output are structure), so escaping the others anywhere in
    // the text changes no value.
    if !text.chars().any(|c| c > '\u{1f}' && is_unsafe(c)) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c > '\u{1f}' && is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The first `n` characters of an id, for tables; the whole id when it is shorter. Counts
/// characters, not bytes, so an id that is not ASCII (a damaged or crafted vault row) cannot
/// be cut inside a character.
pub fn prefix(id: &str, n: usize) -> &str {
    match id.char_indices().nth(n) {
        Some((end, _)) => &id[..end],
        None => id,
    }
}

/// How many characters tables show of an id (commands accept any unique prefix).
pub const SHORT_ID: usize = 8;

/// The short form of an id that tables show: [`prefix`] of [`SHORT_ID`] characters.
pub fn short_id(id: &str) -> &str {
    prefix(id, SHORT_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_commands_and_keeps_plain_text() {
        assert!(matches!(safe("GitHub — ålice@例え.jp"), Cow::Borrowed(_)));
        let cases = [
            ("\u{1b}[31mred", "\\u{1b}[31mred"),
            ("\u{1b}]0;title\u{7}", "\\u{1b}]0;title\\u{7}"),
            ("a\nb\rc\td", "a\\nb\\rc\\td"),
            ("del\u{7f}", "del\\u{7f}"),
            ("csi\u{9b}2J", "csi\\u{9b}2J"),
            ("evil\u{202e}gnp.exe", "evil\\u{202e}gnp.exe"),
            ("iso\u{2066}x\u{2069}", "iso\\u{2066}x\\u{2069}"),
            ("line\u{2028}sep", "line\\u{2028}sep"),
            ("nul\0", "nul\\u{0}"),
        ];
        for (raw, shown) in cases {
            assert_eq!(safe(raw), shown, "{raw:?}");
            assert!(!safe(raw).chars().any(is_unsafe), "{raw:?}");
            assert_eq!(Safe(raw).to_string(), shown);
        }
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw_and_decodes_to_the_same_value() {
        let value = serde_json::json!({
            "issuer": "\u{1b}[31mEvil\u{7}",
            "label": "bob\u{9b}2J\u{202e}gnp\u{7f}",
            "list": ["\u{2028}", "plain ü"],
        });
        for pretty in [false, true] {
            let text = json(&value, pretty);
            assert!(
                !text.chars().any(|c| c > '\u{1f}' && is_unsafe(c)),
                "{text}"
            );
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "{text}"
            );
            assert!(
                text.contains("\\u009b") && text.contains("\\u202e"),
                "{text}"
            );
            assert!(text.contains("plain ü"), "{text}");
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, value);
        }
    }

    #[test]
    fn short_ids_count_characters_not_bytes() {
        assert_eq!(short_id("0f3c9a7e-1111-4222-8333-944455556666"), "0f3c9a7e");
        assert_eq!(short_id("abc"), "abc");
        assert_eq!(short_id(""), "");
        // 'é' is two bytes: a byte slice at 8 would cut it in half and panic.
        assert_eq!(short_id("ééééééééé"), "éééééééé");
        assert_eq!(short_id("1234567é9"), "1234567é");
        assert_eq!(prefix("日本語", 2), "日本");
    }
}
