//! Rust identifiers from Excel names.
//!
//! Excel range names, table headings and validation-list entries can hold anything: spaces,
//! dots, `%`, leading digits, Rust keywords, pure symbols such as `>=`, non-ASCII letters, or
//! nothing at all. Every function here turns an arbitrary string into an ASCII identifier that
//! `syn` accepts, deterministically and without panicking:
//!
//! 1. Latin letters with diacritics are transliterated in place (`Prämie` → `Praemie`,
//!    `Façade` → `Facade`, `Straße` → `Strasse`). The name is then split into words at every
//!    character that is not an ASCII letter or digit. Any other non-ASCII letter or digit
//!    becomes its own word `u<hex code point>` (so `年齢` gives `u5e74_u9f62`), which keeps
//!    distinct unicode names distinct while staying ASCII (no `non_ascii_idents` /
//!    confusable-identifier lints in user crates).
//! 2. A name with no letter or digit at all is spelled from its symbols (`>=` → `gt_eq`,
//!    `%` → `pct`); the empty name becomes `empty`.
//! 3. The words are re-cased with `heck` (snake_case for fields and modules, UpperCamelCase for
//!    types and variants).
//! 4. A leading digit gets an `x`/`X` prefix (`1st date` → `x1st_date`), as progenitor does.
//! 5. A keyword gets a trailing `_` (`type` → `type_`, `Self` → `Self_`).
//! 6. An identifier longer than [`MAX_IDENT_LEN`] is cut and given a short suffix from the
//!    sha256 of the whole raw name (`…_1a2b3c4d`), so two long names that share a prefix stay
//!    distinct and the same name always gives the same identifier (rustdoc writes one file
//!    per type, and file names have a length limit).
//!
//! Collisions after re-casing (`is-smoker` and `is_smoker`) are resolved by [`Namer`], which
//! hands out `is_smoker`, `is_smoker_2`, … in the order the names are offered; callers offer
//! names in a sorted order so the result is deterministic, after the identifiers an earlier
//! generation recorded in `cspark.lock` (which are kept, so names never move).

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Every word that cannot be used as a plain identifier in edition 2024 (strict and reserved
/// keywords, plus `gen`). Weak keywords such as `union` are valid identifiers and not listed.
const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Longest identifier handed out; longer ones are cut and suffixed (step 6).
pub const MAX_IDENT_LEN: usize = 64;

/// The ASCII spelling of a Latin letter with a diacritic (German, French, Nordic, Iberian,
/// Central European), or `None` for any other character.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'ä' => "ae",
        'ö' => "oe",
        'ü' => "ue",
        'Ä' => "Ae",
        'Ö' => "Oe",
        'Ü' => "Ue",
        'ß' => "ss",
        'æ' => "ae",
        'Æ' => "Ae",
        'œ' => "oe",
        'Œ' => "Oe",
        'ø' => "oe",
        'Ø' => "Oe",
        'å' => "aa",
        'Å' => "Aa",
        'à' | 'á' | 'â' | 'ã' | 'ā' | 'ă' | 'ą' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ā' | 'Ă' | 'Ą' => "A",
        'ç' | 'ć' | 'č' => "c",
        'Ç' | 'Ć' | 'Č' => "C",
        'ď' | 'đ' => "d",
        'Ď' | 'Đ' => "D",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
        'ł' => "l",
        'Ł' => "L",
        'ñ' | 'ń' | 'ň' => "n",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ō' | 'ő' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ō' | 'Ő' => "O",
        'ř' => "r",
        'Ř' => "R",
        'ś' | 'š' | 'ş' => "s",
        'Ś' | 'Š' | 'Ş' => "S",
        'ť' | 'ţ' => "t",
        'Ť' | 'Ţ' => "T",
        'ù' | 'ú' | 'û' | 'ū' | 'ů' | 'ű' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ū' | 'Ů' | 'Ű' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' | 'Ÿ' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        _ => return None,
    })
}

/// Returns true when `word` is a Rust keyword that cannot name a field, type or module.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// The spelled-out word for a symbol, used only when a name has no letter or digit.
fn symbol_word(c: char) -> String {
    let w = match c {
        '>' => "gt",
        '<' => "lt",
        '=' => "eq",
        '!' => "not",
        '+' => "plus",
        '-' => "minus",
        '*' => "star",
        '/' => "slash",
        '\\' => "backslash",
        '%' => "pct",
        '&' => "and",
        '|' => "or",
        '$' => "dollar",
        '#' => "hash",
        '@' => "at",
        '.' => "dot",
        ',' => "comma",
        ':' => "colon",
        ';' => "semicolon",
        '?' => "question",
        '^' => "caret",
        '~' => "tilde",
        '_' => "underscore",
        '\'' => "quote",
        '"' => "dquote",
        '(' | ')' => "paren",
        '[' | ']' => "bracket",
        '{' | '}' => "brace",
        c if c.is_whitespace() => "space",
        c => return format!("u{:x}", u32::from(c)),
    };
    w.to_string()
}

/// Splits a raw name into ASCII words (step 1 and 2 of the module docs).
fn words(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            cur.push(c);
        } else if let Some(ascii) = transliterate(c) {
            cur.push_str(ascii);
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if c.is_alphanumeric() {
                out.push(format!("u{:x}", u32::from(c)));
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    if out.is_empty() {
        out = raw.chars().map(symbol_word).collect();
        // Runs of the same symbol word (e.g. `((`) stay distinct from a single one.
    }
    if out.is_empty() {
        out.push("empty".to_string());
    }
    out
}

/// Steps 4 to 6: leading digit prefix, keyword suffix, length cap, and a last-resort guard.
fn finish(raw: &str, mut ident: String, digit_prefix: &str, fallback: &str) -> String {
    if ident.is_empty() {
        ident = fallback.to_string();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert_str(0, digit_prefix);
    }
    if is_keyword(&ident) || ident == "_" {
        ident.push('_');
    }
    if ident.len() > MAX_IDENT_LEN {
        // The identifier is ASCII, so byte offsets are char boundaries.
        let hash = crate::lock::sha256_hex(raw.as_bytes());
        let mut cut = ident[..MAX_IDENT_LEN - 9].trim_end_matches('_').to_string();
        if digit_prefix == "x" {
            cut.push('_');
        }
        cut.push_str(&hash[..8]);
        ident = cut;
    }
    ident
}

/// A snake_case identifier for a field or module (`"Loan Amount"` → `loan_amount`).
pub fn snake_ident(raw: &str) -> String {
    let joined = words(raw).join(" ");
    finish(raw, joined.to_snake_case(), "x", "empty")
}

/// An UpperCamelCase identifier for a type or enum variant (`"Fixed Rate"` → `FixedRate`).
pub fn pascal_ident(raw: &str) -> String {
    let joined = words(raw).join(" ");
    finish(raw, joined.to_upper_camel_case(), "X", "Empty")
}

/// Hands out unique identifiers within one scope (a struct's fields, a module's types, an
/// enum's variants).
#[derive(Debug, Default, Clone)]
pub struct Namer {
    used: BTreeSet<String>,
    separator: &'static str,
}

impl Namer {
    /// A namer for snake_case names: duplicates become `name_2`, `name_3`, ….
    pub fn snake() -> Self {
        Namer {
            used: BTreeSet::new(),
            separator: "_",
        }
    }

    /// A namer for UpperCamelCase names: duplicates become `Name2`, `Name3`, ….
    pub fn pascal() -> Self {
        Namer {
            used: BTreeSet::new(),
            separator: "",
        }
    }

    /// Marks `name` as taken without handing it out (e.g. `Inputs` in a service module).
    pub fn reserve(&mut self, name: &str) {
        self.used.insert(name.to_string());
    }

    /// Takes exactly `name` if it is free; false if it is taken.
    pub fn take(&mut self, name: &str) -> bool {
        self.used.insert(name.to_string())
    }

    /// Returns `base` if it is free, else the first free `base{sep}N` with N ≥ 2.
    pub fn unique(&mut self, base: String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        // `type_` + 2 must give `type_2`, not `type__2` (which the snake/camel-case lints
        // reject), and `Self_` + 2 gives `Self2`.
        let stem = base.trim_end_matches('_');
        let stem = if stem.is_empty() { base.as_str() } else { stem };
        let mut n: u64 = 2;
        loop {
            let candidate = format!("{stem}{}{n}", self.separator);
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn valid(ident: &str) -> bool {
        syn::parse_str::<syn::Ident>(ident).is_ok()
    }

    #[test]
    fn typical_excel_names() {
        assert_eq!(snake_ident("Loan Amount"), "loan_amount");
        assert_eq!(snake_ident("LoanAmount"), "loan_amount");
        assert_eq!(snake_ident("Rate %"), "rate");
        assert_eq!(snake_ident("is-smoker"), "is_smoker");
        assert_eq!(snake_ident("Assets (m$)"), "assets_m");
        assert_eq!(snake_ident("sub.name"), "sub_name");
        assert_eq!(pascal_ident("Fixed Rate"), "FixedRate");
        assert_eq!(pascal_ident("volume-cylinder"), "VolumeCylinder");
    }

    #[test]
    fn digits_keywords_symbols_empty() {
        assert_eq!(snake_ident("1st_payment_date"), "x1st_payment_date");
        assert_eq!(pascal_ident("50/50"), "X5050");
        assert_eq!(snake_ident("type"), "type_");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("Self"), "self_");
        assert_eq!(pascal_ident("self"), "Self_");
        assert_eq!(snake_ident("async"), "async_");
        assert_eq!(snake_ident("gen"), "gen_");
        assert_eq!(snake_ident("union"), "union");
        assert_eq!(pascal_ident(">="), "GtEq");
        assert_eq!(pascal_ident("<="), "LtEq");
        assert_eq!(pascal_ident("="), "Eq");
        assert_eq!(snake_ident("%"), "pct");
        assert_eq!(snake_ident(""), "empty");
        assert_eq!(pascal_ident(""), "Empty");
        assert_eq!(snake_ident("   "), "space_space_space");
        assert_eq!(snake_ident("_"), "underscore");
    }

    #[test]
    fn unicode_is_ascii_and_distinct() {
        let a = snake_ident("年齢");
        let b = snake_ident("年收");
        assert_eq!(a, "u5e74_u9f62");
        assert_ne!(a, b);
        assert!(a.is_ascii() && valid(&a));
        assert_eq!(snake_ident("Prämie"), "praemie");
        assert_eq!(pascal_ident("Façade Größe"), "FacadeGroesse");
        assert_eq!(snake_ident("Straße"), "strasse");
        assert_eq!(snake_ident("Prämie年"), "praemie_u5e74");
        assert!(valid(&pascal_ident("😀")));
    }

    #[test]
    fn long_names_are_capped_with_a_stable_suffix() {
        let long = "Projected Monthly Premium ".repeat(12);
        let other = format!("{long}!");
        let a = snake_ident(&long);
        assert!(a.len() <= MAX_IDENT_LEN, "{a}");
        assert!(a.starts_with("projected_monthly_premium_projected"), "{a}");
        assert_eq!(a, snake_ident(&long));
        // Same words, different raw name: a different suffix.
        assert_ne!(a, snake_ident(&other));
        let p = pascal_ident(&long);
        assert!(p.len() <= MAX_IDENT_LEN && valid(&p), "{p}");
        assert!(!p.contains('_'), "{p}");
        assert!(valid(&a));
    }

    #[test]
    fn namer_dedupes_in_order() {
        let mut n = Namer::snake();
        n.reserve("inputs");
        assert_eq!(n.unique(snake_ident("is-smoker")), "is_smoker");
        assert_eq!(n.unique(snake_ident("is_smoker")), "is_smoker_2");
        assert_eq!(n.unique(snake_ident("Is Smoker")), "is_smoker_3");
        assert_eq!(n.unique(snake_ident("inputs")), "inputs_2");
        let mut p = Namer::pascal();
        assert_eq!(p.unique("Row".into()), "Row");
        assert_eq!(p.unique("Row".into()), "Row2");
        assert_eq!(p.unique("Self_".into()), "Self_");
        assert_eq!(p.unique("Self_".into()), "Self2");
        assert_eq!(n.unique("type_".into()), "type_");
        assert_eq!(n.unique("type_".into()), "type_2");
    }

    /// A seeded xorshift generator: the "proptest-style" loop needs no extra dependency.
    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }
    }

    #[test]
    fn random_strings_always_give_valid_idents() {
        const POOL: &[char] = &[
            'a', 'Z', '0', '9', ' ', '_', '-', '.', '>', '=', '<', '%', '$', '#', '(', ')', '/',
            '\\', '\'', '"', 'é', 'ß', '年', '٣', '😀', '\u{200b}', '\t', '\n', '\0', 'İ', 'ǅ',
        ];
        let mut rng = XorShift(0x5eed_cafe_f00d_0042);
        for _ in 0..20_000 {
            let len = (rng.next() % 12) as usize;
            let s: String = (0..len)
                .map(|_| {
                    if rng.next().is_multiple_of(4) {
                        char::from_u32((rng.next() % 0x2_0000) as u32).unwrap_or('?')
                    } else {
                        POOL[(rng.next() % POOL.len() as u64) as usize]
                    }
                })
                .collect();
            for ident in [snake_ident(&s), pascal_ident(&s)] {
                assert!(valid(&ident), "{s:?} gave invalid ident {ident:?}");
                assert!(ident.is_ascii(), "{s:?} gave non-ASCII ident {ident:?}");
            }
            // Deterministic.
            assert_eq!(snake_ident(&s), snake_ident(&s));
        }
        for kw in KEYWORDS {
            assert!(valid(&snake_ident(kw)), "{kw}");
            assert!(valid(&pascal_ident(kw)), "{kw}");
        }
    }
}
