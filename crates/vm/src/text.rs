//! The string object: immutable UTF-8 text, indexed by character in constant time.
//!
//! Both dialects index strings by character (Scheme's `string-ref`, `substring`, ...; Ruff's
//! `s[i]`, `char_at`, `slice`, ...), but the text is UTF-8, where character `i` does not sit
//! at byte `i`. A `Str` therefore records, once, when it is made, which of three kinds its
//! text is:
//! - **inline**: up to [`Str::INLINE`] bytes inside the object itself (most words, numbers and
//!   keys: one allocation, not two). Character positions are found by scanning those few
//!   bytes.
//! - **ASCII**: longer text with no byte above 127, where character `i` is byte `i`.
//! - **wide**: longer text with at least one non-ASCII character. Its character count is
//!   computed when it is made; the first indexing by character builds its *marks*, the byte
//!   offset of every [`STRIDE`]th character (a `u32` each, at most a quarter of the text's
//!   bytes), after which character `i` is found from mark `i / STRIDE` in fewer than
//!   `STRIDE` steps. Wide strings never indexed cost one small box more than before.
//!
//! So `string-length`/`count_chars` take O(1) time, `string-ref`/`s[i]` O(1), and a
//! substring of `k` characters O(k), whatever the string's length. The object stays three
//! words (its heap box four).

use std::cell::OnceCell;

/// Marks are kept every `STRIDE` characters (a power of two).
pub const STRIDE: usize = 1 << STRIDE_BITS;
const STRIDE_BITS: u32 = 4;

/// An immutable string (see the module's documentation for its three kinds).
pub struct Str {
    repr: Repr,
}

enum Repr {
    /// The length and the bytes (valid UTF-8 up to the length).
    Inline(u8, [u8; Str::INLINE]),
    /// Longer text, all ASCII.
    Ascii(Box<str>),
    /// Longer text with a non-ASCII character.
    Wide(Box<Wide>),
}

/// Text with a non-ASCII character, its character count, and its marks once built.
struct Wide {
    text: Box<str>,
    chars: usize,
    /// The byte offset of characters `0`, `STRIDE`, `2 * STRIDE`, ...: built at the first
    /// indexing by character. Empty for text past `u32::MAX` bytes (indexing then scans).
    marks: OnceCell<Box<[u32]>>,
}

// A string object stays at three words (and its heap box at four).
const _: () = assert!(std::mem::size_of::<Str>() == 24);

impl Str {
    /// The longest text kept inline.
    pub const INLINE: usize = 22;

    pub fn new(s: impl IntoStr) -> Str {
        s.into_str()
    }

    /// A string with a copy of `s` (no allocation when it fits inline).
    pub fn from_text(s: &str) -> Str {
        if s.len() <= Str::INLINE {
            let mut b = [0; Str::INLINE];
            b[..s.len()].copy_from_slice(s.as_bytes());
            Str {
                repr: Repr::Inline(s.len() as u8, b),
            }
        } else {
            Str::boxed(s.into())
        }
    }

    /// Text too long to go inline, its kind decided once.
    fn boxed(text: Box<str>) -> Str {
        let repr = if text.is_ascii() {
            Repr::Ascii(text)
        } else {
            Repr::Wide(Box::new(Wide {
                chars: text.chars().count(),
                text,
                marks: OnceCell::new(),
            }))
        };
        Str { repr }
    }

    /// A string holding the concatenation of `parts` (one copy of each).
    pub fn concat(parts: &[&str]) -> Str {
        let len = parts.iter().map(|p| p.len()).sum();
        Str::concat_strs(len, parts.iter().copied())
    }

    /// A string holding the concatenation of `parts`, whose lengths add up to `len`.
    pub fn concat_strs<'a>(len: usize, parts: impl Iterator<Item = &'a str>) -> Str {
        if len <= Str::INLINE {
            let mut b = [0; Str::INLINE];
            let mut at = 0;
            for p in parts {
                let Some(dst) = b.get_mut(at..at + p.len()) else {
                    break;
                };
                dst.copy_from_slice(p.as_bytes());
                at += p.len();
            }
            // Whole strings only (a part that did not fit was left out whole).
            Str {
                repr: Repr::Inline(at as u8, b),
            }
        } else {
            let mut out = String::with_capacity(len);
            for p in parts {
                out.push_str(p);
            }
            Str::new(out)
        }
    }

    /// A string of the characters `chars`, whose UTF-8 lengths add up to `len`.
    pub fn from_chars(len: usize, chars: impl Iterator<Item = char>) -> Str {
        if len <= Str::INLINE {
            let mut b = [0; Str::INLINE];
            let mut at = 0;
            for c in chars {
                let Some(dst) = b.get_mut(at..at + c.len_utf8()) else {
                    break;
                };
                c.encode_utf8(dst);
                at += c.len_utf8();
            }
            // Whole characters only (one that did not fit was left out whole).
            Str {
                repr: Repr::Inline(at as u8, b),
            }
        } else {
            let mut out = String::with_capacity(len);
            out.extend(chars);
            Str::new(out)
        }
    }

    /// The bytes kept outside the object (0 when inline): the text, and for wide text its
    /// box and marks.
    pub fn heap_len(&self) -> usize {
        match &self.repr {
            Repr::Inline(..) => 0,
            Repr::Ascii(s) => s.len(),
            Repr::Wide(w) => {
                let marks = w.marks.get().map_or(0, |m| std::mem::size_of_val(&**m));
                std::mem::size_of::<Wide>() + w.text.len() + marks
            }
        }
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.repr {
            // SAFETY: the inline bytes up to the length are a copy of a `&str`'s (whole
            // strings, or the concatenation of whole strings): valid UTF-8.
            Repr::Inline(n, b) => unsafe { std::str::from_utf8_unchecked(&b[..*n as usize]) },
            Repr::Ascii(s) => s,
            Repr::Wide(w) => &w.text,
        }
    }

    /// True when every character is ASCII (so character `i` is byte `i`).
    #[inline]
    pub fn is_ascii(&self) -> bool {
        match &self.repr {
            Repr::Inline(n, b) => b[..*n as usize].is_ascii(),
            Repr::Ascii(_) => true,
            Repr::Wide(_) => false,
        }
    }

    /// The number of characters.
    #[inline]
    pub fn char_len(&self) -> usize {
        match &self.repr {
            Repr::Inline(..) => {
                let s = self.as_str();
                if s.is_ascii() {
                    s.len()
                } else {
                    s.chars().count()
                }
            }
            Repr::Ascii(s) => s.len(),
            Repr::Wide(w) => w.chars,
        }
    }

    /// The byte offset of character `ci` (the text's length when `ci` is past the end).
    #[inline]
    pub fn byte_of_char(&self, ci: usize) -> usize {
        match &self.repr {
            Repr::Inline(..) => scan_to_char(self.as_str(), ci),
            Repr::Ascii(s) => ci.min(s.len()),
            Repr::Wide(w) => w.byte_of_char(ci),
        }
    }

    /// Character `ci`, or `None` past the end.
    #[inline]
    pub fn char_at(&self, ci: usize) -> Option<char> {
        match &self.repr {
            Repr::Ascii(s) => s.as_bytes().get(ci).map(|&b| b as char),
            _ => {
                let s = self.as_str();
                s.get(self.byte_of_char(ci)..)?.chars().next()
            }
        }
    }

    /// The characters `[start, end)` (each bound past the end counts as the end; empty when
    /// `end <= start`).
    pub fn char_slice(&self, start: usize, end: usize) -> &str {
        if end <= start {
            return "";
        }
        let s = self.as_str();
        let b0 = self.byte_of_char(start);
        let b1 = match &self.repr {
            // A short span after `start`: scan it rather than go through the marks again.
            Repr::Wide(_) if end - start <= STRIDE => b0 + scan_to_char(&s[b0..], end - start),
            _ => self.byte_of_char(end),
        };
        &s[b0..b1]
    }
}

impl Wide {
    fn byte_of_char(&self, ci: usize) -> usize {
        if ci >= self.chars {
            return self.text.len();
        }
        let marks = self.marks.get_or_init(|| marks_of(&self.text, self.chars));
        let Some(&mark) = marks.get(ci >> STRIDE_BITS) else {
            // No marks: text past `u32::MAX` bytes.
            return scan_to_char(&self.text, ci);
        };
        skip_chars(self.text.as_bytes(), mark as usize, ci & (STRIDE - 1))
    }
}

/// The byte offset of the character `k` characters after the one starting at byte `b` of
/// `bytes` (valid UTF-8, with at least `k` characters after `b`). Eight bytes at a time:
/// the characters starting in a word are its bytes that are not continuation bytes.
#[inline]
fn skip_chars(bytes: &[u8], mut b: usize, mut k: usize) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = bytes.get(b..b + 8) {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        // Bit 7 of each byte: set when the byte is 10xxxxxx (a continuation).
        let cont = w & !(w << 1) & HIGH;
        let mut starts = !cont & HIGH;
        // One step per character (no `count_ones`: the baseline x86-64 has no popcnt).
        while starts != 0 {
            if k == 0 {
                return b + starts.trailing_zeros() as usize / 8;
            }
            starts &= starts - 1;
            k -= 1;
        }
        b += 8;
    }
    // Past the last whole word: first to the end of a character the words cut.
    while bytes.get(b).is_some_and(|&x| x & 0xC0 == 0x80) {
        b += 1;
    }
    for _ in 0..k {
        b += utf8_width(bytes[b]);
    }
    b
}

/// The byte offset of every `STRIDE`th character of `text` (which has `chars` characters);
/// none when an offset could exceed a `u32`.
fn marks_of(text: &str, chars: usize) -> Box<[u32]> {
    if text.len() > u32::MAX as usize {
        return Box::new([]);
    }
    let mut marks = Vec::with_capacity(chars.div_ceil(STRIDE));
    let mut n = 0usize;
    for (b, &x) in text.as_bytes().iter().enumerate() {
        // A character starts at every byte that is not a continuation byte (10xxxxxx).
        if (x as i8) >= -0x40 {
            if n & (STRIDE - 1) == 0 {
                marks.push(b as u32);
            }
            n += 1;
        }
    }
    marks.into_boxed_slice()
}

/// The length in bytes of the UTF-8 character whose first byte is `lead`.
#[inline]
fn utf8_width(lead: u8) -> usize {
    if lead < 0x80 {
        1
    } else {
        lead.leading_ones() as usize
    }
}

/// The byte offset of character `ci` of `s`, found by scanning (`s.len()` past the end).
fn scan_to_char(s: &str, ci: usize) -> usize {
    if s.is_ascii() {
        return ci.min(s.len());
    }
    s.char_indices().nth(ci).map_or(s.len(), |(b, _)| b)
}

/// What a string object can be made from: text borrowed (copied) or owned (its buffer
/// kept when the text is too long to go inline).
pub trait IntoStr {
    fn into_str(self) -> Str;
}

impl IntoStr for &str {
    fn into_str(self) -> Str {
        Str::from_text(self)
    }
}

impl IntoStr for &String {
    fn into_str(self) -> Str {
        Str::from_text(self)
    }
}

impl IntoStr for &Box<str> {
    fn into_str(self) -> Str {
        Str::from_text(self)
    }
}

impl IntoStr for String {
    fn into_str(self) -> Str {
        if self.len() <= Str::INLINE {
            Str::from_text(&self)
        } else {
            Str::boxed(self.into_boxed_str())
        }
    }
}

impl IntoStr for Box<str> {
    fn into_str(self) -> Str {
        if self.len() <= Str::INLINE {
            Str::from_text(&self)
        } else {
            Str::boxed(self)
        }
    }
}

impl IntoStr for std::borrow::Cow<'_, str> {
    fn into_str(self) -> Str {
        match self {
            std::borrow::Cow::Borrowed(s) => Str::from_text(s),
            std::borrow::Cow::Owned(s) => s.into_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts of every kind: empty, inline, ASCII, wide; one-, two-, three- and four-byte
    /// characters; lengths around the inline limit and the marks' stride.
    fn samples() -> Vec<String> {
        let mut out: Vec<String> = ["", "a", "é", "日本語", "😀", "abc", "aé😀日"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for unit in ["x", "é", "語", "😀", "aé", "a😀b日", "ab"] {
            for n in [1, 5, 11, 15, 16, 17, 22, 23, 31, 32, 33, 100, 257] {
                out.push(unit.repeat(n));
                // A non-ASCII character only at the end, or only at the start.
                out.push(format!("{}é", "q".repeat(n)));
                out.push(format!("😀{}", "q".repeat(n)));
            }
        }
        out
    }

    #[test]
    fn size_and_kinds() {
        assert_eq!(std::mem::size_of::<Str>(), 24);
        assert!(matches!(Str::new("a".repeat(22)).repr, Repr::Inline(..)));
        assert!(matches!(Str::new("a".repeat(23)).repr, Repr::Ascii(_)));
        assert!(matches!(Str::new("é".repeat(12)).repr, Repr::Wide(_)));
        assert!(matches!(Str::new("é".repeat(11)).repr, Repr::Inline(..)));
        assert!(matches!(
            Str::concat(&["a".repeat(20).as_str(), "éé"]).repr,
            Repr::Wide(_)
        ));
    }

    #[test]
    fn indexing_matches_a_scan() {
        for text in samples() {
            for s in [Str::new(text.as_str()), Str::new(text.clone())] {
                let chars: Vec<char> = text.chars().collect();
                let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
                assert_eq!(s.as_str(), text);
                assert_eq!(s.is_ascii(), text.is_ascii(), "{text:?}");
                assert_eq!(s.char_len(), chars.len(), "{text:?}");
                // Backwards first, so the marks are built by an access past the start.
                for i in (0..chars.len() + 3).rev() {
                    assert_eq!(s.char_at(i), chars.get(i).copied(), "{text:?} at {i}");
                    let b = starts.get(i).copied().unwrap_or(text.len());
                    assert_eq!(s.byte_of_char(i), b, "{text:?} at {i}");
                }
                for start in 0..chars.len() + 2 {
                    for end in [
                        start,
                        start + 1,
                        start + 15,
                        start + 16,
                        start + 17,
                        start + 40,
                    ] {
                        let want: String = chars
                            .iter()
                            .skip(start)
                            .take(end.saturating_sub(start))
                            .collect();
                        assert_eq!(s.char_slice(start, end), want, "{text:?} {start}..{end}");
                    }
                    assert_eq!(s.char_slice(start + 1, start), "");
                }
            }
        }
    }

    #[test]
    fn marks_are_built_once_and_counted() {
        let text = "aé日😀".repeat(100);
        let s = Str::new(text.as_str());
        let before = s.heap_len();
        assert!(before >= text.len());
        assert_eq!(s.char_at(399), Some('😀'));
        let Repr::Wide(w) = &s.repr else {
            panic!("not wide")
        };
        let marks = w.marks.get().expect("marks built");
        assert_eq!(marks.len(), 400 / STRIDE);
        assert_eq!(s.heap_len(), before + 4 * marks.len());
        // Each mark is the start of character `k * STRIDE`.
        let starts: Vec<u32> = text.char_indices().map(|(b, _)| b as u32).collect();
        for (k, &m) in marks.iter().enumerate() {
            assert_eq!(m, starts[k * STRIDE]);
        }
        // A wide string never indexed has no marks.
        let t = Str::new(text.as_str());
        assert_eq!(t.char_len(), 400);
        assert_eq!(t.heap_len(), before);
    }

    #[test]
    fn skipping_characters_a_word_at_a_time() {
        for text in samples() {
            let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            for (i, &b) in starts.iter().enumerate() {
                for k in 0..(starts.len() - i).min(40) {
                    assert_eq!(skip_chars(text.as_bytes(), b, k), starts[i + k], "{text:?}");
                }
            }
        }
    }

    #[test]
    fn strings_from_characters() {
        for text in samples() {
            let s = Str::from_chars(text.len(), text.chars());
            assert_eq!(s.as_str(), text);
            assert_eq!(s.char_len(), text.chars().count());
        }
    }

    #[test]
    fn utf8_widths() {
        for c in [
            'a',
            '\u{7f}',
            'é',
            '\u{7ff}',
            '語',
            '\u{ffff}',
            '😀',
            '\u{10ffff}',
        ] {
            let mut buf = [0; 4];
            let enc = c.encode_utf8(&mut buf);
            assert_eq!(utf8_width(enc.as_bytes()[0]), c.len_utf8());
        }
    }
}
