//! Normalisation and tokenisation.
//!
//! A single pass over the raw text produces a folded copy (lowercase, Latin
//! accents removed, typographic quotes and dashes made ASCII) and a token list
//! that points into both strings. Tokens never own their text: that keeps the
//! parser allocation-light, which is what lets it run at tens of thousands of
//! messages per second.

/// What a token is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A run of letters (apostrophes between letters included: "i'm").
    Word,
    /// A run of ASCII digits, with `.` or `,` between digits ("25,000", "1.5").
    Num,
    /// Any other single non-space character.
    Punct,
}

/// One token: ranges into the folded and raw strings.
#[derive(Clone, Debug)]
pub(crate) struct Tok {
    pub kind: Kind,
    fs: u32,
    fe: u32,
    rs: u32,
    re: u32,
    /// True when whitespace (or the start of the text) precedes the token.
    pub space_before: bool,
    /// Numeric value for `Num` tokens (thousands/decimal separators resolved).
    pub value: f64,
}

/// A tokenised message.
pub(crate) struct Text<'a> {
    pub raw: &'a str,
    pub folded: String,
    pub toks: Vec<Tok>,
    /// Tokens that phrase look-ups ignore (the "SEW" of "SEW-0042" is not the verb).
    hidden: Vec<bool>,
}

/// Folds one character into `out`: lowercase, no Latin diacritics.
pub(crate) fn fold_into(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let f = match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' | 'ā' | 'Ā' => {
            'a'
        }
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' | 'ẹ' | 'Ẹ' | 'ē' | 'Ē' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' | 'ī' | 'Ī' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'ọ' | 'Ọ' | 'ō' | 'Ō' => {
            'o'
        }
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' | 'ū' | 'Ū' => 'u',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        'ṣ' | 'Ṣ' => 's',
        '’' | '‘' | '´' | '`' | 'ʼ' => '\'',
        '“' | '”' | '″' | '«' | '»' => '"',
        '–' | '—' | '−' => '-',
        '×' => 'x',
        '\u{a0}' => ' ',
        _ => {
            for l in c.to_lowercase() {
                out.push(l);
            }
            return;
        }
    };
    out.push(f);
}

/// Folds a whole string (used for catalog names and lexicon look-ups).
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_into(c, &mut out);
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    Space,
    Other,
}

fn class(c: char) -> Class {
    if c.is_ascii_digit() {
        Class::Digit
    } else if c.is_alphabetic() {
        Class::Letter
    } else if c.is_whitespace() {
        Class::Space
    } else {
        Class::Other
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

/// Parses digits with optional `.`/`,` separators. A last separator followed by
/// exactly three digits is a thousands separator ("25,000", "9.500"); otherwise
/// the last separator is the decimal point ("1.5", "2.500,50").
pub(crate) fn parse_number(s: &str) -> f64 {
    let last = s.rfind(['.', ',']);
    let Some(last) = last else {
        return s.parse().unwrap_or(0.0);
    };
    let after = s.len() - last - 1;
    let mut buf = String::with_capacity(s.len());
    if after == 3 {
        buf.extend(s.chars().filter(char::is_ascii_digit));
    } else {
        buf.extend(s[..last].chars().filter(char::is_ascii_digit));
        buf.push('.');
        buf.push_str(&s[last + 1..]);
    }
    buf.parse().unwrap_or(0.0)
}

impl<'a> Text<'a> {
    pub(crate) fn new(raw: &'a str) -> Self {
        let mut folded = String::with_capacity(raw.len() + 8);
        let mut toks: Vec<Tok> = Vec::with_capacity(raw.len() / 4 + 2);
        let chars: Vec<(usize, char)> = raw.char_indices().collect();
        let mut i = 0;
        let mut space_before = true;
        while i < chars.len() {
            let (rs, c) = chars[i];
            let cl = class(c);
            if (cl == Class::Space && c != '\n') || c == '\u{a0}' {
                space_before = true;
                i += 1;
                continue;
            }
            let fs = folded.len();
            let mut j = i;
            let kind = match cl {
                Class::Letter => {
                    while j < chars.len() {
                        let ch = chars[j].1;
                        let ok = class(ch) == Class::Letter
                            || (is_apostrophe(ch)
                                && j > i
                                && chars
                                    .get(j + 1)
                                    .is_some_and(|n| class(n.1) == Class::Letter));
                        if !ok {
                            break;
                        }
                        fold_into(ch, &mut folded);
                        j += 1;
                    }
                    Kind::Word
                }
                Class::Digit => {
                    while j < chars.len() {
                        let ch = chars[j].1;
                        let ok = ch.is_ascii_digit()
                            || (matches!(ch, '.' | ',')
                                && chars.get(j + 1).is_some_and(|n| n.1.is_ascii_digit()));
                        if !ok {
                            break;
                        }
                        folded.push(ch);
                        j += 1;
                    }
                    Kind::Num
                }
                _ => {
                    fold_into(c, &mut folded);
                    j += 1;
                    Kind::Punct
                }
            };
            let re = chars.get(j).map_or(raw.len(), |x| x.0);
            let fe = folded.len();
            let value = if kind == Kind::Num {
                parse_number(&folded[fs..fe])
            } else {
                0.0
            };
            toks.push(Tok {
                kind,
                fs: fs as u32,
                fe: fe as u32,
                rs: rs as u32,
                re: re as u32,
                space_before,
                value,
            });
            space_before = false;
            i = j;
        }
        let hidden = vec![false; toks.len()];
        Text {
            raw,
            folded,
            toks,
            hidden,
        }
    }

    /// Hides tokens `a..b` from phrase look-ups.
    pub(crate) fn hide(&mut self, a: usize, b: usize) {
        for h in self.hidden.iter_mut().take(b).skip(a) {
            *h = true;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.toks.len()
    }

    /// Folded text of token `i` ("" when out of range).
    pub(crate) fn s(&self, i: usize) -> &str {
        self.toks
            .get(i)
            .map_or("", |t| &self.folded[t.fs as usize..t.fe as usize])
    }

    /// Raw (original) text of token `i`.
    pub(crate) fn raw_of(&self, i: usize) -> &str {
        self.toks
            .get(i)
            .map_or("", |t| &self.raw[t.rs as usize..t.re as usize])
    }

    /// Byte range of token `i` in the raw text (`(len, len)` when out of range).
    pub(crate) fn raw_range(&self, i: usize) -> (usize, usize) {
        self.toks
            .get(i)
            .map_or((self.raw.len(), self.raw.len()), |t| {
                (t.rs as usize, t.re as usize)
            })
    }

    /// Raw text spanning tokens `a..b`.
    pub(crate) fn raw_span(&self, a: usize, b: usize) -> &str {
        if a >= b || b > self.toks.len() {
            return "";
        }
        &self.raw[self.toks[a].rs as usize..self.toks[b - 1].re as usize]
    }

    pub(crate) fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    pub(crate) fn is_num(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Num)
    }

    pub(crate) fn is_word(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Word)
    }

    pub(crate) fn is_punct(&self, i: usize) -> bool {
        self.kind(i) == Some(Kind::Punct)
    }

    /// True when token `i` directly follows token `i - 1` without whitespace.
    pub(crate) fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space_before) && i > 0
    }

    pub(crate) fn value(&self, i: usize) -> f64 {
        self.toks.get(i).map_or(0.0, |t| t.value)
    }

    /// Number of digits in a `Num` token (separators excluded).
    pub(crate) fn digits(&self, i: usize) -> usize {
        self.s(i).bytes().filter(u8::is_ascii_digit).count()
    }

    /// Does the space-separated `phrase` match the tokens starting at `i`?
    /// Returns the index just past the match.
    pub(crate) fn phrase_at(&self, i: usize, phrase: &str) -> Option<usize> {
        let mut k = i;
        for w in phrase.split(' ') {
            if k >= self.toks.len() || self.hidden[k] || self.s(k) != w {
                return None;
            }
            k += 1;
        }
        Some(k)
    }

    /// First match of `phrase` anywhere: (start, end).
    pub(crate) fn find(&self, phrase: &str) -> Option<(usize, usize)> {
        let first = phrase.split(' ').next().unwrap_or(phrase);
        (0..self.toks.len())
            .filter(|&i| self.s(i) == first)
            .find_map(|i| self.phrase_at(i, phrase).map(|e| (i, e)))
    }

    pub(crate) fn has(&self, phrase: &str) -> bool {
        self.find(phrase).is_some()
    }

    pub(crate) fn has_any(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|p| self.has(p))
    }

    /// Indices of word and number tokens (punctuation and emoji skipped).
    pub(crate) fn content(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.toks.len()).filter(|&i| self.toks[i].kind != Kind::Punct)
    }

    /// True for punctuation that ends a clause.
    pub(crate) fn is_clause_break(&self, i: usize) -> bool {
        self.is_punct(i) && matches!(self.s(i), "." | "," | ";" | "!" | "?" | "\n" | ":")
    }
}

/// FNV-1a: a fast hasher for the short, trusted keys of the static phrase
/// indexes (the lexicons are ours, so hash flooding is not a concern).
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// A lexicon of phrases indexed by first word, so that looking for any of a
/// few hundred phrases costs one hash look-up per token of the message.
pub(crate) struct PhraseSet {
    /// First token -> the remaining tokens of each phrase starting with it.
    by_first: FnvMap<String, Vec<Vec<String>>>,
}

impl PhraseSet {
    pub(crate) fn new(phrases: &[&'static str]) -> Self {
        let mut by_first: FnvMap<String, Vec<Vec<String>>> = FnvMap::default();
        for p in phrases {
            // Tokenised like messages, so "ready?", "m-pesa" and "don't" match.
            let t = Text::new(p);
            let mut words = (0..t.len()).map(|i| t.s(i).to_owned());
            if let Some(first) = words.next() {
                by_first.entry(first).or_default().push(words.collect());
            }
        }
        PhraseSet { by_first }
    }

    /// Every match as (start, end), in order of start.
    pub(crate) fn matches<'t>(
        &'t self,
        t: &'t Text<'_>,
    ) -> impl Iterator<Item = (usize, usize)> + 't {
        (0..t.len()).flat_map(move |i| {
            let cands = if t.hidden[i] {
                None
            } else {
                self.by_first.get(t.s(i))
            };
            cands.into_iter().flatten().filter_map(move |rest| {
                let mut k = i + 1;
                for w in rest {
                    if k >= t.len() || t.hidden[k] || t.s(k) != w {
                        return None;
                    }
                    k += 1;
                }
                Some((i, k))
            })
        })
    }

    pub(crate) fn first(&self, t: &Text<'_>) -> Option<(usize, usize)> {
        self.matches(t).next()
    }

    pub(crate) fn any(&self, t: &Text<'_>) -> bool {
        self.first(t).is_some()
    }
}

/// Declares a lazily built, shared [`PhraseSet`].
macro_rules! phrases {
    ($name:ident = $list:expr) => {
        static $name: std::sync::LazyLock<$crate::text::PhraseSet> =
            std::sync::LazyLock::new(|| $crate::text::PhraseSet::new($list));
    };
}
pub(crate) use phrases;

/// Crude plural stripping shared by catalog names and messages, so "muzzas",
/// "empanadas", "panes" and "breads" meet their singular forms.
pub(crate) fn stem(w: &str) -> &str {
    let b = w.as_bytes();
    let n = b.len();
    if n >= 5 && w.ends_with("sses") {
        return &w[..n - 2];
    }
    if n >= 5 && w.ends_with("es") && matches!(b[n - 3], b'l' | b'n' | b'r' | b'd' | b'z') {
        return &w[..n - 2];
    }
    if n >= 4 && b[n - 1] == b's' && b[n - 2] != b's' && b[n - 2] != b'u' && b[n - 2] != b'i' {
        return &w[..n - 1];
    }
    w
}

/// Which letters a word contains, as bits: two words within edit distance k
/// differ in at most 2k bits, a cheap test before the real distance.
pub(crate) fn letter_mask(w: &str) -> u32 {
    w.bytes().fold(0, |m, b| {
        if b.is_ascii_lowercase() {
            m | 1 << (b - b'a')
        } else {
            m | 1 << 26
        }
    })
}

/// Damerau-Levenshtein distance, bounded: returns `max + 1` as soon as the
/// distance is known to exceed `max`.
pub(crate) fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let n = b.len();
    // Stack rows: catalog words are short; longer ones are never fuzzy-matched.
    const W: usize = 40;
    if n >= W || a.len() >= W {
        return if a == b { 0 } else { max + 1 };
    }
    let mut prev2 = [0usize; W];
    let mut prev = [0usize; W];
    for (j, p) in prev.iter_mut().enumerate().take(n + 1) {
        *p = j;
    }
    let mut cur = [0usize; W];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert!((parse_number("25,000") - 25000.0).abs() < 1e-9);
        assert!((parse_number("9.500") - 9500.0).abs() < 1e-9);
        assert!((parse_number("1.5") - 1.5).abs() < 1e-9);
        assert!((parse_number("2.500,50") - 2500.5).abs() < 1e-9);
        assert!((parse_number("38,5") - 38.5).abs() < 1e-9);
    }

    #[test]
    fn tokens() {
        let t = Text::new("Chest-40, waist 81cm; I'm Amaka ¡Mañana!");
        let words: Vec<&str> = (0..t.len()).map(|i| t.s(i)).collect();
        assert_eq!(
            words,
            [
                "chest", "-", "40", ",", "waist", "81", "cm", ";", "i'm", "amaka", "¡", "manana",
                "!"
            ]
        );
        assert_eq!(t.raw_of(9), "Amaka");
        assert!(t.glued(6));
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("muzza", "muza", 1), 1);
        assert_eq!(edit_distance("sukari", "suakri", 1), 1);
        assert_eq!(edit_distance("carne", "pollo", 1), 2);
    }

    #[test]
    fn stems() {
        assert_eq!(stem("muzzas"), "muzza");
        assert_eq!(stem("panes"), "pan");
        assert_eq!(stem("dresses"), "dress");
        assert_eq!(stem("bus"), "bus");
    }
}
