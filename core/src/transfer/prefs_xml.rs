//! Android SharedPreferences XML, the file an app's `shared_prefs/NAME.xml` holds (Authy's
//! tokens, FreeOTP's tokens): a flat `<map>` of typed values, e.g.
//!
//! ```xml
//! <?xml version='1.0' encoding='utf-8' standalone='yes' ?>
//! <map>
//!     <string name="tokenOrder">[&quot;a&quot;]</string>
//!     <int name="version" value="2" />
//!     <set name="tags"><string>x</string></set>
//! </map>
//! ```
//!
//! Android writes exactly this shape (`XmlUtils.writeMapXml`), so this reads exactly it rather
//! than general XML: no DTDs, no namespaces, no nesting beyond a `<set>`'s strings, the five
//! predefined entities and numeric character references. Only the `<string>` values are
//! returned (the readers need nothing else); a `<set>` is skipped. Work is linear in the text.

use zeroize::Zeroizing;

use super::TransferError;

/// One `<string name="…">` of the map; its value is wiped when dropped (it may hold secrets).
pub(crate) struct PrefString {
    /// The preference's name.
    pub(crate) name: String,
    /// Its text, entities decoded.
    pub(crate) value: Zeroizing<String>,
}

/// True when `text` looks like a SharedPreferences file (an XML declaration or a `<map>`).
pub(crate) fn looks_like(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with("<?xml") || t.starts_with("<map")
}

/// The `<string>` entries of a SharedPreferences file, in file order.
pub(crate) fn strings(bytes: &[u8]) -> Result<Vec<PrefString>, TransferError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| damaged("the preferences file is not UTF-8 text"))?;
    let mut p = Parser {
        rest: text.trim_start_matches('\u{feff}'),
    };
    p.skip_prolog()?;
    let (tag, empty) = p.open_tag()?;
    if tag.name != "map" {
        return Err(damaged("the preferences file has no <map>"));
    }
    let mut out = Vec::new();
    if empty {
        return Ok(out);
    }
    loop {
        p.skip_space_and_comments()?;
        if p.rest.starts_with("</") {
            p.close_tag("map")?;
            return Ok(out);
        }
        let (tag, empty) = p.open_tag()?;
        match (tag.name, empty) {
            (_, true) => {}
            ("string", false) => {
                let value = p.text_until_close("string")?;
                let name = tag.name_attr.unwrap_or_default();
                out.push(PrefString { name, value });
            }
            ("set", false) => loop {
                p.skip_space_and_comments()?;
                if p.rest.starts_with("</") {
                    p.close_tag("set")?;
                    break;
                }
                let (inner, empty) = p.open_tag()?;
                if !empty {
                    p.text_until_close(inner.name)?;
                }
            },
            (other, false) => {
                // Typed values (`int`, `long`…) are written self-closed; tolerate a body.
                let other = other.to_owned();
                p.text_until_close(&other)?;
            }
        }
    }
}

fn damaged(why: &str) -> TransferError {
    TransferError::Damaged(why.into())
}

struct Tag<'a> {
    name: &'a str,
    name_attr: Option<String>,
}

struct Parser<'a> {
    rest: &'a str,
}

impl<'a> Parser<'a> {
    fn skip_prolog(&mut self) -> Result<(), TransferError> {
        self.rest = self.rest.trim_start();
        if self.rest.starts_with("<?") {
            let end = self
                .rest
                .find("?>")
                .ok_or_else(|| damaged("the XML declaration is not closed"))?;
            self.rest = &self.rest[end + 2..];
        }
        self.skip_space_and_comments()
    }

    fn skip_space_and_comments(&mut self) -> Result<(), TransferError> {
        loop {
            self.rest = self.rest.trim_start();
            if let Some(after) = self.rest.strip_prefix("<!--") {
                let end = after
                    .find("-->")
                    .ok_or_else(|| damaged("an XML comment is not closed"))?;
                self.rest = &after[end + 3..];
            } else {
                return Ok(());
            }
        }
    }

    /// `<name attr="…" …>` or `<name … />`: the tag and whether it closed itself.
    fn open_tag(&mut self) -> Result<(Tag<'a>, bool), TransferError> {
        let body = self
            .rest
            .strip_prefix('<')
            .ok_or_else(|| damaged("the preferences file is not XML"))?;
        let end = body
            .find('>')
            .ok_or_else(|| damaged("an XML tag is not closed"))?;
        let (inside, after) = (&body[..end], &body[end + 1..]);
        let (inside, empty) = match inside.strip_suffix('/') {
            Some(i) => (i, true),
            None => (inside, false),
        };
        let name_end = inside
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inside.len());
        let name = &inside[..name_end];
        if name.is_empty() || name.starts_with(['/', '!', '?']) {
            return Err(damaged("an XML tag has no name"));
        }
        let name_attr = attribute(&inside[name_end..], "name").transpose()?;
        self.rest = after;
        Ok((Tag { name, name_attr }, empty))
    }

    fn close_tag(&mut self, name: &str) -> Result<(), TransferError> {
        let body = self
            .rest
            .strip_prefix("</")
            .and_then(|r| r.strip_prefix(name))
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('>'))
            .ok_or_else(|| damaged("an XML element is not closed as it was opened"))?;
        self.rest = body;
        Ok(())
    }

    /// The text up to `</name>`, entities decoded.
    fn text_until_close(&mut self, name: &str) -> Result<Zeroizing<String>, TransferError> {
        let end = self
            .rest
            .find('<')
            .ok_or_else(|| damaged("an XML element is not closed"))?;
        let value = unescape(&self.rest[..end])?;
        self.rest = &self.rest[end..];
        self.close_tag(name)?;
        Ok(value)
    }
}

/// The value of attribute `key` in a tag's attribute text, if present.
fn attribute(attrs: &str, key: &str) -> Option<Result<String, TransferError>> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return None;
        }
        let eq = rest.find('=')?;
        let name = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let close = after[1..].find(quote)?;
        let raw = &after[1..1 + close];
        if name == key {
            return Some(unescape(raw).map(|v| v.to_string()));
        }
        rest = &after[close + 2..];
    }
}

/// Decodes the predefined entities and numeric character references.
fn unescape(text: &str) -> Result<Zeroizing<String>, TransferError> {
    let mut out = Zeroizing::new(String::with_capacity(text.len()));
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after
            .find(';')
            .filter(|&i| i <= 10)
            .ok_or_else(|| damaged("an XML entity is not closed"))?;
        let entity = &after[..semi];
        let ch = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| damaged("the file holds an unknown XML entity"))?
            }
        };
        out.push(ch);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_strings_of_an_android_preferences_file() {
        let xml = "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    \
                   <string name=\"a&amp;b\">[&quot;x&quot;,&#39;y&#x27;, 1 &lt; 2]</string>\n    \
                   <int name=\"n\" value=\"2\" />\n    <!-- note -->\n    \
                   <set name=\"s\"><string>q</string></set>\n    <string name=\"e\"></string>\n\
                   <string name=\"z\" />\n</map>\n";
        let s = strings(xml.as_bytes()).unwrap();
        let pairs: Vec<(&str, &str)> = s
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(pairs, [("a&b", "[\"x\",'y', 1 < 2]"), ("e", "")]);
        assert!(strings(b"<map />").unwrap().is_empty());
    }

    #[test]
    fn malformed_files_are_damaged_not_misread() {
        for bad in [
            "<map><string name=\"a\">x</map>",
            "<map><string name=\"a\">x &bogus; y</string></map>",
            "<map><string name=\"a\">x",
            "<list></list>",
            "<?xml version='1.0'",
            "<map><!-- open",
        ] {
            assert!(strings(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
