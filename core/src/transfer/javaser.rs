//! A small, bounded reader of Java's object serialization (the *Object Serialization Stream
//! Protocol* of the Java SE specification), for the one shape an import needs: a
//! `java.util.HashMap` whose keys and values are strings, as `ObjectOutputStream.writeObject`
//! writes `SharedPreferences.getAll()` (FreeOTP 2's backup file).
//!
//! No general deserializer: no class is loaded, no object other than the map and its strings
//! is built, and anything else in the stream (another class, an array, a nested object, an
//! enum) is a damaged file. Every length is checked against the bytes that remain before it is
//! used, so memory stays proportional to the input, and the class chain is at most
//! [`MAX_CLASS_DEPTH`] deep.
//!
//! What `HashMap.writeObject` writes, after the stream header:
//!
//! ```text
//! TC_OBJECT TC_CLASSDESC "java.util.HashMap" uid flags(SERIALIZABLE|WRITE_METHOD)
//!     fields [F loadFactor, I threshold] TC_ENDBLOCKDATA TC_NULL (no superclass)
//!   loadFactor threshold                     (the default fields' values)
//!   TC_BLOCKDATA 8: capacity size            (block data of its writeObject)
//!   size × (key, value)                      (TC_STRING, TC_LONGSTRING or TC_REFERENCE)
//!   TC_ENDBLOCKDATA
//! ```

use zeroize::Zeroizing;

use super::TransferError;

/// The stream header: magic `0xACED`, version 5.
pub(crate) const MAGIC: [u8; 4] = [0xac, 0xed, 0x00, 0x05];

const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_STRING: u8 = 0x74;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
const TC_LONGSTRING: u8 = 0x7c;
/// The first handle number a stream assigns.
const BASE_HANDLE: u32 = 0x7e_0000;
const SC_WRITE_METHOD: u8 = 0x01;
const SC_SERIALIZABLE: u8 = 0x02;
/// The map's class and its superclasses: `HashMap` has none that is serializable, a subclass
/// (`LinkedHashMap`) one; more is not a map of preferences.
const MAX_CLASS_DEPTH: usize = 4;

/// One entry of the map; the value is wiped when dropped (it may hold secrets).
pub(crate) struct MapEntry {
    /// The key.
    pub(crate) key: String,
    /// The value.
    pub(crate) value: Zeroizing<String>,
}

/// The entries of a serialized `HashMap<String, String>`, in the stream's order.
pub(crate) fn read_string_map(bytes: &[u8]) -> Result<Vec<MapEntry>, TransferError> {
    let rest = bytes
        .strip_prefix(&MAGIC[..])
        .ok_or_else(|| damaged("not a Java serialization stream"))?;
    let mut r = Reader {
        rest,
        handles: Vec::new(),
    };
    if r.byte()? != TC_OBJECT {
        return Err(damaged("the stream does not hold an object"));
    }
    // The class chain, most derived first; each class's data comes in the opposite order.
    let mut classes = Vec::new();
    r.class_desc(&mut classes)?;
    if !classes.iter().any(|c| c.name == "java.util.HashMap") {
        let name = classes.first().map_or("nothing", |c| c.name.as_str());
        return Err(damaged(&format!(
            "the stream holds a {}, not a map",
            super::printable(name, 64)
        )));
    }
    r.handles.push(None); // the map object itself
    let mut entries = Vec::new();
    for class in classes.iter().rev() {
        for &code in &class.fields {
            r.skip(primitive_size(code))?;
        }
        if class.flags & SC_WRITE_METHOD == 0 {
            continue;
        }
        if class.name == "java.util.HashMap" {
            entries = r.map_entries()?;
        }
        // The rest of what this class's writeObject wrote: nothing for the maps it knows.
        if r.byte()? != TC_ENDBLOCKDATA {
            return Err(damaged("the map's data does not end where it should"));
        }
    }
    Ok(entries)
}

fn damaged(why: &str) -> TransferError {
    TransferError::Damaged(format!("FreeOTP backup: {why}"))
}

/// A class of the object's chain.
struct Class {
    name: String,
    flags: u8,
    /// Type codes of its fields (primitives only: a map of preferences has no other).
    fields: Vec<u8>,
}

struct Reader<'a> {
    rest: &'a [u8],
    /// Every handle the stream assigned, in order: the string it names, if it is one.
    handles: Vec<Option<Zeroizing<String>>>,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TransferError> {
        if n > self.rest.len() {
            return Err(damaged("the file is truncated"));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn skip(&mut self, n: usize) -> Result<(), TransferError> {
        self.take(n).map(|_| ())
    }

    fn byte(&mut self) -> Result<u8, TransferError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, TransferError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, TransferError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A `writeUTF` string: a 2-byte length, then modified UTF-8.
    fn utf(&mut self) -> Result<Zeroizing<String>, TransferError> {
        let len = usize::from(self.u16()?);
        modified_utf8(self.take(len)?)
    }

    /// A class descriptor and its superclasses (into `out`, most derived first).
    fn class_desc(&mut self, out: &mut Vec<Class>) -> Result<(), TransferError> {
        match self.byte()? {
            TC_NULL => Ok(()),
            TC_CLASSDESC => {
                if out.len() == MAX_CLASS_DEPTH {
                    return Err(damaged("the map's class chain is too deep"));
                }
                let name = self.utf()?.to_string();
                self.skip(8)?; // serialVersionUID
                self.handles.push(None);
                let flags = self.byte()?;
                if flags & SC_SERIALIZABLE == 0 {
                    return Err(damaged("the map is not written as a serializable class"));
                }
                let count = self.u16()?;
                let mut fields = Vec::new();
                for _ in 0..count {
                    let code = self.byte()?;
                    self.utf()?; // the field's name
                    if primitive_size(code) == 0 {
                        return Err(damaged("the map's class has a field that is not a number"));
                    }
                    fields.push(code);
                }
                // No class annotation (ObjectOutputStream writes none), then the superclass.
                if self.byte()? != TC_ENDBLOCKDATA {
                    return Err(damaged("the map's class carries an annotation"));
                }
                out.push(Class {
                    name,
                    flags,
                    fields,
                });
                self.class_desc(out)
            }
            _ => Err(damaged(
                "the map's class description is not one the reader knows",
            )),
        }
    }

    /// `HashMap.writeObject`'s block data (capacity and size), then its entries.
    fn map_entries(&mut self) -> Result<Vec<MapEntry>, TransferError> {
        if self.byte()? != TC_BLOCKDATA || self.byte()? < 8 {
            return Err(damaged("the map's size is missing"));
        }
        let _capacity = self.u32()?;
        let size = self.u32()?;
        // Each entry takes at least two bytes (two references); a larger size is a lie.
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        if size > self.rest.len() / 2 {
            return Err(damaged("the map claims more entries than the file holds"));
        }
        let mut entries = Vec::with_capacity(size);
        for _ in 0..size {
            let key = self.string()?.to_string();
            let value = self.string()?;
            entries.push(MapEntry { key, value });
        }
        Ok(entries)
    }

    /// A string object: new (short or long) or a reference to one read before.
    fn string(&mut self) -> Result<Zeroizing<String>, TransferError> {
        match self.byte()? {
            TC_STRING => {
                let s = self.utf()?;
                self.handles.push(Some(s.clone()));
                Ok(s)
            }
            TC_LONGSTRING => {
                let b = self.take(8)?;
                let len = u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
                let len = usize::try_from(len).unwrap_or(usize::MAX);
                let s = modified_utf8(self.take(len)?)?;
                self.handles.push(Some(s.clone()));
                Ok(s)
            }
            TC_REFERENCE => {
                let handle = self.u32()?.wrapping_sub(BASE_HANDLE) as usize;
                match self.handles.get(handle) {
                    Some(Some(s)) => Ok(s.clone()),
                    _ => Err(damaged("a reference names no string read before")),
                }
            }
            TC_NULL => Err(damaged("the map holds an empty (null) entry")),
            _ => Err(damaged("the map holds a value that is not text")),
        }
    }
}

/// The size of a primitive field's value from its type code; 0 for object fields.
fn primitive_size(code: u8) -> usize {
    match code {
        b'B' | b'Z' => 1,
        b'C' | b'S' => 2,
        b'I' | b'F' => 4,
        b'J' | b'D' => 8,
        _ => 0,
    }
}

/// Java's modified UTF-8: UTF-8 with NUL as two bytes and characters beyond the BMP as two
/// surrogates of three bytes each. Decoded to UTF-16, then checked as Unicode.
fn modified_utf8(bytes: &[u8]) -> Result<Zeroizing<String>, TransferError> {
    let bad = || damaged("a string is not valid modified UTF-8");
    let mut units = Zeroizing::new(Vec::with_capacity(bytes.len()));
    let mut i = 0;
    while i < bytes.len() {
        let b0 = u16::from(bytes[i]);
        let cont = |k: usize| {
            bytes
                .get(i + k)
                .filter(|b| *b & 0xc0 == 0x80)
                .map(|b| u16::from(*b & 0x3f))
        };
        let (unit, width) = match b0 {
            0x00..=0x7f => (b0, 1),
            0xc0..=0xdf => ((b0 & 0x1f) << 6 | cont(1).ok_or_else(bad)?, 2),
            0xe0..=0xef => (
                (b0 & 0x0f) << 12 | cont(1).ok_or_else(bad)? << 6 | cont(2).ok_or_else(bad)?,
                3,
            ),
            _ => return Err(bad()),
        };
        units.push(unit);
        i += width;
    }
    String::from_utf16(&units)
        .map(Zeroizing::new)
        .map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_utf8_decodes_nul_and_surrogate_pairs() {
        // "a", NUL as C0 80, "é", and U+1F511 as the surrogates D83D DD11 in three bytes each.
        let bytes = [
            b'a', 0xc0, 0x80, 0xc3, 0xa9, 0xed, 0xa0, 0xbd, 0xed, 0xb4, 0x91,
        ];
        assert_eq!(modified_utf8(&bytes).unwrap().as_str(), "a\0é\u{1f511}");
        // A lone surrogate, a truncated sequence and a four-byte form are refused.
        assert!(modified_utf8(&[0xed, 0xa0, 0xbd]).is_err());
        assert!(modified_utf8(&[0xc3]).is_err());
        assert!(modified_utf8(&[0xf0, 0x9f, 0x94, 0x91]).is_err());
    }

    #[test]
    fn a_size_larger_than_the_file_is_refused_before_anything_is_allocated() {
        let mut bytes = MAGIC.to_vec();
        bytes.push(TC_OBJECT);
        bytes.push(TC_CLASSDESC);
        bytes.extend_from_slice(&17u16.to_be_bytes());
        bytes.extend_from_slice(b"java.util.HashMap");
        bytes.extend_from_slice(&[0; 8]);
        bytes.push(SC_SERIALIZABLE | SC_WRITE_METHOD);
        bytes.extend_from_slice(&0u16.to_be_bytes());
        bytes.extend_from_slice(&[TC_ENDBLOCKDATA, TC_NULL, TC_BLOCKDATA, 8]);
        bytes.extend_from_slice(&16u32.to_be_bytes());
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        let err = read_string_map(&bytes).err().unwrap();
        assert!(err.to_string().contains("more entries"), "{err}");
    }
}
