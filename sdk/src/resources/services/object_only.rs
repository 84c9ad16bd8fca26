//! A serde adapter that writes a value only if it is a JSON object: execute inputs and v4
//! records must be objects, and checking while writing spares the SDK a `serde_json::Value`
//! of them (or a second pass over the bytes).

use std::cell::Cell;

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeMap, Serializer};

/// Which input object failed to serialise (its index among the v4 records; 0 in v3), and the
/// kind of JSON value it was when it was not an object (`None`: its own `Serialize` failed).
pub(crate) type Failure = Cell<Option<(usize, Option<&'static str>)>>;

/// Writes `value` if it serialises to a JSON object (a map or a struct), else fails and notes
/// in `rejected` which record (`index`) failed, and what kind of JSON value it was instead. With
/// `null_as_empty`, a `null` is written as `{}`.
pub(crate) struct ObjectOnly<'a, T: ?Sized> {
    pub(crate) value: &'a T,
    pub(crate) index: usize,
    pub(crate) null_as_empty: bool,
    pub(crate) rejected: &'a Failure,
}

impl<T: Serialize + ?Sized> Serialize for ObjectOnly<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let written = self.value.serialize(ObjectGate {
            inner: s,
            index: self.index,
            null_as_empty: self.null_as_empty,
            rejected: self.rejected,
        });
        if written.is_err() && self.rejected.get().is_none() {
            self.rejected.set(Some((self.index, None)));
        }
        written
    }
}

/// The [`Serializer`] behind [`ObjectOnly`]: passes maps, structs and enum variants (which
/// serde_json writes as objects) on to `inner`, and refuses everything else.
struct ObjectGate<'a, S> {
    inner: S,
    index: usize,
    null_as_empty: bool,
    rejected: &'a Failure,
}

impl<S: Serializer> ObjectGate<'_, S> {
    fn reject<T>(self, kind: &'static str) -> Result<T, S::Error> {
        self.rejected.set(Some((self.index, Some(kind))));
        Err(ser::Error::custom(format_args!(
            "expected a JSON object, got {kind}"
        )))
    }

    fn null(self) -> Result<S::Ok, S::Error> {
        if self.null_as_empty {
            self.inner.serialize_map(Some(0))?.end()
        } else {
            self.reject("null")
        }
    }
}

/// `Serializer` methods of one argument that write a non-object JSON value of `$kind`.
macro_rules! refuse {
    ($($method:ident($ty:ty) => $kind:literal),+ $(,)?) => {
        $(fn $method(self, _: $ty) -> Result<S::Ok, S::Error> {
            self.reject($kind)
        })+
    };
}

impl<S: Serializer> Serializer for ObjectGate<'_, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Impossible<S::Ok, S::Error>;
    type SerializeTuple = Impossible<S::Ok, S::Error>;
    type SerializeTupleStruct = Impossible<S::Ok, S::Error>;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = S::SerializeStruct;
    type SerializeStructVariant = S::SerializeStructVariant;

    refuse! {
        serialize_bool(bool) => "bool",
        serialize_i8(i8) => "number",
        serialize_i16(i16) => "number",
        serialize_i32(i32) => "number",
        serialize_i64(i64) => "number",
        serialize_i128(i128) => "number",
        serialize_u8(u8) => "number",
        serialize_u16(u16) => "number",
        serialize_u32(u32) => "number",
        serialize_u64(u64) => "number",
        serialize_u128(u128) => "number",
        serialize_f32(f32) => "number",
        serialize_f64(f64) => "number",
        serialize_char(char) => "string",
        serialize_str(&str) => "string",
        serialize_bytes(&[u8]) => "array",
    }

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.null()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.null()
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<S::Ok, S::Error> {
        self.null()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.reject("string")
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner
            .serialize_newtype_variant(name, index, variant, value)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.reject("array")
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.reject("array")
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.reject("array")
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.inner
            .serialize_tuple_variant(name, index, variant, len)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.inner.serialize_map(len)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.inner.serialize_struct(name, len)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.inner
            .serialize_struct_variant(name, index, variant, len)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}
