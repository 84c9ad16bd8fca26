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
