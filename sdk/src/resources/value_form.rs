//! Whether a [`Serialize`] value already writes the JSON its `serde_json::Value` would.
//!
//! The untyped calls used to turn their inputs into a `Value` (`serde_json::to_value`)
//! before writing them. That round trip normalises what a value writes: object keys sorted
//! and unique, `f32` widened to `f64`, raw JSON re-parsed. When [`in_value_form`] says there
//! is nothing to normalise (a `Value`, a `Map`, a struct whose fields are in sorted order…),
//! writing the value straight to bytes gives the very same bytes, without building the tree.

use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;
use serde::ser::{self, Impossible, Serializer};
use serde_json::{Map, Value};

/// Whether `serde_json`'s maps keep their keys sorted (not its `preserve_order` flavour,
/// which another crate of the build may switch on). The SDK's direct body writers lay their
/// own keys out in sorted order, which matches the `Value` builders only in that flavour.
pub(crate) fn maps_sort_keys() -> bool {
    static SORTED: OnceLock<bool> = OnceLock::new();
    *SORTED.get_or_init(|| {
        let map: Map<String, Value> =
            [("b".to_owned(), Value::Null), ("a".to_owned(), Value::Null)]
                .into_iter()
                .collect();
        map.keys().next().map(String::as_str) == Some("a")
    })
}

/// Whether `serde_json::to_writer(value)` writes the same bytes as
/// `serde_json::to_writer(serde_json::to_value(value))`, in the sorted map flavour.
///
/// Conservative: anything the `Value` would change, and anything this check does not model,
/// answers `false` (objects with keys out of order or repeated, non-string map keys, `f32`,
/// 128-bit integers, `serde_json`'s private raw-value and number types). Errors of the value's
/// own `Serialize` also answer `false`, so the caller's `Value` path reports them as before.
pub(crate) fn in_value_form<T: Serialize + ?Sized>(value: &T) -> bool {
    value.serialize(Probe).is_ok()
}

/// The value does not write what its `Value` would (or serialising it failed).
#[derive(Debug)]
struct NotValueForm;

impl fmt::Display for NotValueForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not in serde_json::Value form")
    }
}

impl std::error::Error for NotValueForm {}

impl ser::Error for NotValueForm {
    fn custom<T: fmt::Display>(_: T) -> Self {
        NotValueForm
    }
}

type Checked = Result<(), NotValueForm>;

/// `Serializer` methods of one argument that give the same answer whatever its value.
macro_rules! answer {
    ($answer:expr; $($method:ident($ty:ty)),+ $(,)?) => {
        $(fn $method(self, _: $ty) -> Checked {
            $answer
        })+
    };
}

/// Walks a value without writing anything.
struct Probe;

/// Names of `serde_json`'s private structs (raw JSON, arbitrary-precision numbers), which a
/// `Value` re-parses rather than writes verbatim.
const SERDE_JSON_PRIVATE: &str = "$serde_json::private::";

impl Serializer for Probe {
    type Ok = ();
    type Error = NotValueForm;
    type SerializeSeq = Elements;
    type SerializeTuple = Elements;
    type SerializeTupleStruct = Elements;
    type SerializeTupleVariant = Elements;
    type SerializeMap = Entries;
    type SerializeStruct = Fields;
    type SerializeStructVariant = Fields;

    answer! {
        Ok(());
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
        serialize_u64(u64), serialize_f64(f64), serialize_char(char), serialize_str(&str),
        serialize_bytes(&[u8]), serialize_unit_struct(&'static str)
    }
    // A `Value` narrows these or rejects them.
    answer! { Err(NotValueForm); serialize_i128(i128), serialize_u128(u128) }
    // A `Value` widens it to `f64`, which writes other digits (0.1f32 as 0.10000000149011612).
    answer! { Err(NotValueForm); serialize_f32(f32) }
    fn serialize_none(self) -> Checked {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Checked {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Checked {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Checked {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Checked {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Checked {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Elements, NotValueForm> {
        Ok(Elements)
    }
    fn serialize_tuple(self, _: usize) -> Result<Elements, NotValueForm> {
        Ok(Elements)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Elements, NotValueForm> {
        Ok(Elements)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Elements, NotValueForm> {
        Ok(Elements)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Entries, NotValueForm> {
        Ok(Entries { last: None })
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Fields, NotValueForm> {
        if name.starts_with(SERDE_JSON_PRIVATE) {
            return Err(NotValueForm);
        }
        Ok(Fields { last: None })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Fields, NotValueForm> {
        Ok(Fields { last: None })
    }
    // Nothing to check in a string; skips formatting it.
    fn collect_str<T: fmt::Display + ?Sized>(self, _: &T) -> Checked {
        Ok(())
    }
}

/// Items of an array (sequence, tuple, tuple struct or variant).
struct Elements;

impl Elements {
    fn element<T: Serialize + ?Sized>(value: &T) -> Checked {
        value.serialize(Probe)
    }
}

impl ser::SerializeSeq for Elements {
    type Ok = ();
    type Error = NotValueForm;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Checked {
        Self::element(value)
    }
    fn end(self) -> Checked {
        Ok(())
    }
}

impl ser::SerializeTuple for Elements {
    type Ok = ();
    type Error = NotValueForm;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Checked {
        Self::element(value)
    }
    fn end(self) -> Checked {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Elements {
    type Ok = ();
    type Error = NotValueForm;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Checked {
        Self::element(value)
    }
    fn end(self) -> Checked {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Elements {
    type Ok = ();
    type Error = NotValueForm;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Checked {
        Self::element(value)
    }
    fn end(self) -> Checked {
        Ok(())
    }
}

/// Entries of a map: keys must be strings in strictly increasing byte order, as a `Value`
/// object (a `BTreeMap<String, Value>`) writes them.
struct Entries {
    /// The previous key; one buffer per map, reused for every key.
    last: Option<String>,
}

impl ser::SerializeMap for Entries {
    type Ok = ();
    type Error = NotValueForm;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Checked {
        key.serialize(Key {
            last: &mut self.last,
        })
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Checked {
        value.serialize(Probe)
    }
    fn end(self) -> Checked {
        Ok(())
    }
}

/// Fields of a struct: in strictly increasing byte order, as their `Value` object writes them.
struct Fields {
    last: Option<&'static str>,
}

impl Fields {
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Checked {
        if self.last.is_some_and(|last| last >= key) {
            return Err(NotValueForm);
        }
        self.last = Some(key);
        value.serialize(Probe)
    }
}

impl ser::SerializeStruct for Fields {
    type Ok = ();
    type Error = NotValueForm;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Checked {
        self.field(key, value)
    }
    fn end(self) -> Checked {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Fields {
    type Ok = ();
    type Error = NotValueForm;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Checked {
        self.field(key, value)
    }
    fn end(self) -> Checked {
        Ok(())
    }
}

/// A map key: a string after the previous key. Other keys (numbers, booleans…) are written
/// as strings by both paths, but their order is not checked here: they answer `false`.
struct Key<'a> {
    last: &'a mut Option<String>,
}

impl Serializer for Key<'_> {
    type Ok = ();
    type Error = NotValueForm;
    type SerializeSeq = Impossible<(), NotValueForm>;
    type SerializeTuple = Impossible<(), NotValueForm>;
    type SerializeTupleStruct = Impossible<(), NotValueForm>;
    type SerializeTupleVariant = Impossible<(), NotValueForm>;
    type SerializeMap = Impossible<(), NotValueForm>;
    type SerializeStruct = Impossible<(), NotValueForm>;
    type SerializeStructVariant = Impossible<(), NotValueForm>;

    fn serialize_str(self, key: &str) -> Checked {
        match self.last {
            Some(last) if last.as_str() >= key => Err(NotValueForm),
            Some(last) => {
                last.clear();
                last.push_str(key);
                Ok(())
            }
            None => {
                *self.last = Some(key.to_owned());
                Ok(())
            }
        }
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Checked {
        value.serialize(self)
    }

    answer! {
        Err(NotValueForm);
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
        serialize_u64(u64), serialize_f32(f32), serialize_f64(f64), serialize_char(char),
        serialize_bytes(&[u8]), serialize_unit_struct(&'static str)
    }
    fn serialize_none(self) -> Checked {
        Err(NotValueForm)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Checked {
        Err(NotValueForm)
    }
    fn serialize_unit(self) -> Checked {
        Err(NotValueForm)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Checked {
        Err(NotValueForm)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Checked {
        Err(NotValueForm)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotValueForm> {
        Err(NotValueForm)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotValueForm> {
        Err(NotValueForm)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotValueForm> {
        Err(NotValueForm)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotValueForm> {
        Err(NotValueForm)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotValueForm> {
        Err(NotValueForm)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotValueForm> {
        Err(NotValueForm)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotValueForm> {
        Err(NotValueForm)
    }
    // `collect_str` keys (e.g. a `Display` newtype) fall back to `serialize_str` by default.
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use serde::ser::SerializeMap;
    use serde_json::json;
    use serde_json::value::RawValue;

    use super::*;

    /// What the check must guarantee: the direct bytes are those of the `Value`.
    fn same_bytes<T: Serialize + ?Sized>(v: &T) -> bool {
        serde_json::to_vec(v).unwrap()
            == serde_json::to_vec(&serde_json::to_value(v).unwrap()).unwrap()
    }

    fn in_form<T: Serialize + ?Sized>(v: &T) {
        assert!(in_value_form(v), "{}", serde_json::to_string(v).unwrap());
        assert!(same_bytes(v));
    }

    /// Not in form, and writing it directly would indeed change the bytes.
    fn not_in_form<T: Serialize + ?Sized>(v: &T) {
        assert!(!in_value_form(v), "{}", serde_json::to_string(v).unwrap());
        assert!(!same_bytes(v), "{}", serde_json::to_string(v).unwrap());
    }

    #[derive(Serialize)]
    struct Sorted {
        #[serde(rename = "Height")]
        height: f64,
        #[serde(rename = "Radius")]
        radius: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        table: Option<Vec<Sorted>>,
    }

    #[derive(Serialize)]
    struct Unsorted {
        radius: f64,
        height: f64,
    }

    #[derive(Serialize)]
    struct Narrow {
        x: f32,
    }

    #[derive(Serialize)]
    struct Wide {
        x: u128,
    }

    #[derive(Serialize)]
    struct Flattened {
        a: i32,
        #[serde(flatten)]
        rest: Map<String, Value>,
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        Newtype(Sorted),
        Tuple(i32, String),
        Struct { a: i32, b: Option<i32> },
        Backwards { b: i32, a: i32 },
    }

    /// A map writing its keys in the order given.
    struct InOrder(Vec<(&'static str, i32)>);

    impl Serialize for InOrder {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in &self.0 {
                map.serialize_entry(k, v)?;
            }
            map.end()
        }
    }

    #[test]
    // The direct writers, and so the tests of their bytes, need it.
    fn the_sorted_map_flavour_is_the_one_built() {
        assert!(maps_sort_keys());
    }

    #[test]
    fn values_maps_and_sorted_structs_are_in_form() {
        in_form(&json!({"b": 1, "a": {"z": [1, -2, 3.5, {"y": null, "x": "s\"q"}], "c": true}}));
        in_form(&json!({}));
        in_form(&Value::Null);
        in_form(&json!({"x": f64::NAN}));
        let leaf = |h| Sorted {
            height: h,
            radius: 1e-7,
            table: None,
        };
        in_form(&Sorted {
            height: 2.5,
            radius: 1.0,
            table: Some(vec![leaf(1.0), leaf(2.0)]),
        });
        in_form(&BTreeMap::from([("b", 1), ("a", 2)]));
        in_form(&InOrder(vec![("a", 1), ("b", 2)]));
        in_form(&vec![Shape::Unit, Shape::Newtype(leaf(3.0))]);
        in_form(&Shape::Tuple(1, "t".into()));
        in_form(&Shape::Struct { a: 1, b: None });
        in_form(&(1u8, 'c', "s", Some(()), ()));
    }

    #[test]
    fn what_a_value_would_change_is_not_in_form() {
        not_in_form(&Unsorted {
            radius: 1.0,
            height: 2.0,
        });
        not_in_form(&Shape::Backwards { b: 1, a: 2 });
        not_in_form(&InOrder(vec![("b", 1), ("a", 2)]));
        not_in_form(&InOrder(vec![("a", 1), ("a", 2)]));
        not_in_form(&Flattened {
            a: 1,
            rest: [("a".to_owned(), json!(2))].into_iter().collect(),
        });
        not_in_form(&Narrow { x: 0.1 });
        let raw = RawValue::from_string(r#"{"b": 1, "a": 2}"#.to_owned()).unwrap();
        not_in_form(&raw);
        not_in_form(&BTreeMap::from([("raw", raw)]));
    }

    #[test]
    fn what_the_check_does_not_model_is_not_in_form() {
        // Same bytes or an error on the `Value` side: either way the `Value` path decides.
        assert!(!in_value_form(&BTreeMap::from([(2u32, 1), (10u32, 2)])));
        assert!(!in_value_form(&Wide { x: 1 }));
        assert!(!in_value_form(&Wide { x: u128::MAX }));
    }
}
