//! Support code that generated service bindings (`cspark-codegen services`) call, so each
//! generated file stays free of helper copies.

mod input_rules;
mod output_mismatch;

pub use input_rules::{InputChecks, InputRule, InvalidInputs, RuleViolation};
pub use output_mismatch::{OutputMismatch, decode_outputs};

/// Reads a text output whatever scalar Spark puts in the cell: a `TEXT` cell holds what its
/// formula gives at run time, so a number or a boolean is kept as its JSON text (`42` →
/// `"42"`), and `null` is `None`. Generated `Outputs` use it as
/// `#[serde(deserialize_with = "::cspark::bindings::lenient_text")]`.
pub fn lenient_text<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Text;
    impl<'de> serde::de::Visitor<'de> for Text {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("text, a number, a boolean or null")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: serde::Deserializer<'de>>(
            self,
            deserializer: D2,
        ) -> Result<Self::Value, D2::Error> {
            deserializer.deserialize_any(Text)
        }
    }
    deserializer.deserialize_any(Text)
}

// `WideField`, `find_field`, `first_missing` and `in_field` are public because generated
// code in users' crates calls them, and hidden because nothing else should.
/// One field of a wide generated struct (more than 64 fields), as the generated
/// `Deserialize` impl looks it up: a static table of these, sorted by `wire`, maps a key to
/// the field's kind (which of the impl's value types it has) and its slot among the fields
/// of that kind. Generated code builds these tables; there is no reason to write one.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WideField {
    /// The key on the wire.
    pub wire: &'static str,
    /// Which value type of the generated impl the field has.
    pub kind: u16,
    /// The field's position among the fields of its kind.
    pub slot: u32,
    /// A missing key is an error (`missing field`), not `None`.
    pub required: bool,
}

/// The position and entry of `key` in `fields` (sorted by `wire`), or `None` for a key the
/// struct does not have.
#[doc(hidden)]
pub fn find_field(fields: &[WideField], key: &str) -> Option<(usize, WideField)> {
    let at = fields.binary_search_by(|f| f.wire.cmp(key)).ok()?;
    fields.get(at).map(|f| (at, *f))
}

/// The first required field in `fields` whose entry in `seen` (same positions) is `false`.
#[doc(hidden)]
pub fn first_missing(fields: &[WideField], seen: &[bool]) -> Option<&'static str> {
    fields
        .iter()
        .zip(seen.iter().chain(std::iter::repeat(&false)))
        .find(|(f, seen)| f.required && !**seen)
        .map(|(f, _)| f.wire)
}

/// `error`, a value of the field `wire` that did not decode, with the field named: in a
/// struct of thousands of fields a bare `invalid type: string "x", expected f64` does not
/// say where to look. A position that `serde_json` put at the end of the message is left out
/// (`serde_json` adds one to the new error as well; two would read as one error in two
/// places).
#[doc(hidden)]
pub fn in_field<E: serde::de::Error>(error: E, wire: &str) -> E {
    let text = error.to_string();
    E::custom(format_args!("{} (field `{wire}`)", without_position(&text)))
}

/// `text` without a trailing ` at line N column M`.
fn without_position(text: &str) -> &str {
    let Some(at) = text.rfind(" at line ") else {
        return text;
    };
    let rest = &text[at + " at line ".len()..];
    let numbers: Vec<&str> = rest.split(" column ").collect();
    let is_number = |s: &&str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if numbers.len() == 2 && numbers.iter().all(is_number) {
        &text[..at]
    } else {
        text
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const FIELDS: [WideField; 3] = [
        WideField {
            wire: "A",
            kind: 0,
            slot: 0,
            required: true,
        },
        WideField {
            wire: "B",
            kind: 1,
            slot: 0,
            required: false,
        },
        WideField {
            wire: "C",
            kind: 0,
            slot: 1,
            required: true,
        },
    ];

    #[test]
    fn find_field_gives_the_position_and_the_entry() {
        assert_eq!(find_field(&FIELDS, "C"), Some((2, FIELDS[2])));
        assert_eq!(find_field(&FIELDS, "A"), Some((0, FIELDS[0])));
        assert_eq!(find_field(&FIELDS, "a"), None);
        assert_eq!(find_field(&[], "A"), None);
    }

    #[test]
    fn first_missing_skips_optional_fields() {
        assert_eq!(first_missing(&FIELDS, &[true, false, true]), None);
        assert_eq!(first_missing(&FIELDS, &[true, false, false]), Some("C"));
        assert_eq!(first_missing(&FIELDS, &[false, true, false]), Some("A"));
        // A short `seen` counts as not seen.
        assert_eq!(first_missing(&FIELDS, &[true]), Some("C"));
    }

    #[test]
    fn in_field_names_the_field_and_keeps_one_position() {
        let err = serde_json::from_str::<f64>("\"x\"").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid type: string \"x\", expected f64 at line 1 column 3"
        );
        let named: serde_json::Error = in_field(err, "In 0");
        assert_eq!(
            named.to_string(),
            "invalid type: string \"x\", expected f64 (field `In 0`)"
        );
        assert_eq!(without_position("at line 3"), "at line 3");
        assert_eq!(
            without_position("x at line 1 column y"),
            "x at line 1 column y"
        );
        assert_eq!(without_position("x at line 12 column 7"), "x");
    }
}
