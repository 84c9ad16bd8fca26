//! A service wider than the derive threshold gets flat `Debug`/`PartialEq`/`Serialize`/
//! `Deserialize` impls (so 10,000 inputs compile); they keep the derives' wire format.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// The committed bindings of `tests/fixtures/wide` (checked by `tests/golden.rs`).
#[allow(dead_code, clippy::all)]
#[rustfmt::skip]
#[path = "golden/wide.rs"]
mod bindings;

use bindings::big_wide::{Inputs, Outputs};
use serde_json::{Value, json};

fn inputs_json(with_in_5: bool) -> Value {
    let mut map = serde_json::Map::new();
    for i in 0..70 {
        if i != 5 && i != 7 {
            map.insert(format!("In {i}"), json!(i as f64));
        }
    }
    map.insert("In 7".into(), json!("High"));
    if with_in_5 {
        map.insert("In 5".into(), json!("five"));
    }
    Value::Object(map)
}

#[test]
fn the_generated_code_uses_the_flat_impls() {
    let code = include_str!("golden/wide.rs");
    assert!(code.contains("impl Serialize for Inputs"));
    assert!(code.contains("impl<'de> Deserialize<'de> for Outputs"));
    assert!(!code.contains("#[serde(rename = \"In 0\")]"));
    // Inputs have a dozen value types: two reader functions (and two chunks of fields).
    assert!(code.contains("fn read_1<'de, __A"), "{code}");
    assert!(code.contains("fn chunk_1("), "{code}");
    // The choice enum of a wide struct's field has a default (its first value).
    assert!(code.contains("#[default]\n        Low"), "{code}");
}

#[test]
fn inputs_round_trip_with_optional_inputs_left_out() {
    let inputs: Inputs = serde_json::from_value(inputs_json(false)).unwrap();
    assert_eq!(inputs.in_5, None);
    assert_eq!(inputs.in_69, 69.0);
    assert_eq!(inputs.in_7, bindings::big_wide::In7::High);
    // `None` optional inputs are omitted, as with `skip_serializing_if`.
    assert_eq!(serde_json::to_value(&inputs).unwrap(), inputs_json(false));
    let with: Inputs = serde_json::from_value(inputs_json(true)).unwrap();
    assert_eq!(with.in_5.as_deref(), Some("five"));
    assert_eq!(serde_json::to_value(&with).unwrap(), inputs_json(true));
    assert_ne!(inputs, with);
    assert_eq!(with.clone(), with);
    assert!(format!("{with:?}").contains("in_5: Some(\"five\")"));
}

#[test]
fn a_missing_required_input_is_named_and_unknown_keys_are_ignored() {
    let mut value = inputs_json(false);
    value.as_object_mut().unwrap().remove("In 42");
    value
        .as_object_mut()
        .unwrap()
        .insert("Added later".into(), json!([1, 2]));
    let err = serde_json::from_value::<Inputs>(value)
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing field `In 42`"), "{err}");
    let err = serde_json::from_value::<Inputs>(json!([1]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("an object with the fields of Inputs"), "{err}");
}

#[test]
fn outputs_decode_text_leniently_and_default_to_none() {
    let outputs: Outputs = serde_json::from_value(json!({
        "Out 0": 42, "Out 1": 1.5, "Out 2": null, "Out 4": "text", "Xunknown": {"a": 1}
    }))
    .unwrap();
    assert_eq!(outputs.out_0.as_deref(), Some("42"));
    assert_eq!(outputs.out_1, Some(1.5));
    assert_eq!(outputs.out_2, None);
    assert_eq!(outputs.out_4.as_deref(), Some("text"));
    assert_eq!(outputs.out_69, None);
    // Empty outputs serialise as `null`, as the derive does.
    let back = serde_json::to_value(&outputs).unwrap();
    assert_eq!(back["Out 3"], Value::Null);
    assert_eq!(back["Out 0"], "42");
    assert_eq!(back.as_object().unwrap().len(), 70);
}

#[test]
fn a_value_of_the_wrong_type_fails_naming_the_field() {
    let mut value = inputs_json(false);
    value["In 42"] = json!("forty-two");
    let err = serde_json::from_value::<Inputs>(value)
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid type: string \"forty-two\""), "{err}");
    assert!(err.contains("field `In 42`"), "{err}");
    // The same through the text decoder, which also gives the position.
    let mut value = inputs_json(false);
    value["In 7"] = json!("Medium");
    let text = serde_json::to_string(&value).unwrap();
    let err = serde_json::from_str::<Inputs>(&text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown variant `Medium`"), "{err}");
    assert!(err.contains("field `In 7`"), "{err}");
    let err = serde_json::from_value::<Outputs>(json!({"Out 1": "1.5"}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("field `Out 1`"), "{err}");
    // `serde_json`'s position is given once, after the field.
    let err = serde_json::from_str::<Inputs>(r#"{"In 0": "x"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "invalid type: string \"x\", expected f64 (field `In 0`) at line 1 column "
        ),
        "{err}"
    );
    assert_eq!(err.matches(" at line ").count(), 1, "{err}");
}

#[test]
fn null_is_none_for_optional_fields_and_an_error_for_required_ones() {
    let mut value = inputs_json(false);
    value["In 5"] = Value::Null;
    let inputs: Inputs = serde_json::from_value(value).unwrap();
    assert_eq!(inputs.in_5, None);
    let mut value = inputs_json(false);
    value["In 42"] = Value::Null;
    let err = serde_json::from_value::<Inputs>(value)
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid type: null, expected f64"), "{err}");
    assert!(err.contains("field `In 42`"), "{err}");
    let outputs: Outputs = serde_json::from_value(json!({"Out 0": null, "Out 1": null})).unwrap();
    assert_eq!(outputs, Outputs::default());
}

#[test]
fn a_duplicate_key_keeps_its_last_value() {
    let text = serde_json::to_string(&inputs_json(false)).unwrap();
    // `{... , "In 3": 3.0}` with `"In 3"` once more at the end.
    let text = format!(
        "{}, \"In 3\": 33.5, \"In 5\": \"a\", \"In 5\": \"b\"}}",
        &text[..text.len() - 1]
    );
    let inputs: Inputs = serde_json::from_str(&text).unwrap();
    assert_eq!(inputs.in_3, 33.5);
    assert_eq!(inputs.in_5.as_deref(), Some("b"));
    let outputs: Outputs = serde_json::from_str(r#"{"Out 0": 1, "Out 0": "two"}"#).unwrap();
    assert_eq!(outputs.out_0.as_deref(), Some("two"));
}

#[test]
fn every_field_reaches_its_own_slot_and_comes_back() {
    // Distinct values everywhere, so a field read into another's slot would show.
    let mut map = serde_json::Map::new();
    for i in 0..70 {
        let value = match i {
            5 => json!(format!("text {i}")),
            7 => json!("Low"),
            _ => json!(i as f64 + 0.25),
        };
        map.insert(format!("In {i}"), value);
    }
    let value = Value::Object(map);
    let text = serde_json::to_string(&value).unwrap();
    let inputs: Inputs = serde_json::from_str(&text).unwrap();
    assert_eq!(inputs.in_0, 0.25);
    assert_eq!(inputs.in_10, 10.25);
    assert_eq!(inputs.in_69, 69.25);
    assert_eq!(serde_json::to_value(&inputs).unwrap(), value);
    // Keys come out in the order of the fields (the wire names' order).
    let back = serde_json::to_string(&inputs).unwrap();
    assert!(
        back.starts_with(r#"{"In 0":0.25,"In 1":1.25,"In 10":10.25,"#),
        "{back}"
    );

    let mut map = serde_json::Map::new();
    for i in 0..70 {
        // Even outputs are text (kept as text), odd ones numbers.
        let value = if i % 2 == 0 {
            json!(format!("t{i}"))
        } else {
            json!(i as f64)
        };
        map.insert(format!("Out {i}"), value);
    }
    let value = Value::Object(map);
    let outputs: Outputs = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(outputs.out_68.as_deref(), Some("t68"));
    assert_eq!(outputs.out_69, Some(69.0));
    assert_eq!(serde_json::to_value(&outputs).unwrap(), value);
    let again: Outputs = serde_json::from_str(&serde_json::to_string(&outputs).unwrap()).unwrap();
    assert_eq!(again, outputs);
}

#[test]
fn a_missing_required_input_is_reported_before_later_ones() {
    let mut value = inputs_json(false);
    for key in ["In 41", "In 9", "In 60"] {
        value.as_object_mut().unwrap().remove(key);
    }
    let err = serde_json::from_value::<Inputs>(value)
        .unwrap_err()
        .to_string();
    // The first in the order of the wire names, as the derive reports it.
    assert!(err.contains("missing field `In 41`"), "{err}");
    let err = serde_json::from_str::<Inputs>("{}")
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing field `In 0`"), "{err}");
}

#[test]
fn equality_and_debug_cover_every_field() {
    // The flat impls work in chunks of 64 fields: `A` is the first field, `Slots` the last.
    let inputs: Inputs = serde_json::from_value(inputs_json(true)).unwrap();
    for (key, value) in [
        ("A", json!("x")),
        ("In 63", json!(-1.5)),
        ("Slots", json!("y")),
    ] {
        let mut changed = inputs_json(true);
        changed[key] = value;
        let other: Inputs = serde_json::from_value(changed).unwrap();
        assert_ne!(inputs, other, "{key}");
    }
    assert_eq!(inputs, inputs.clone());
    let debug = format!("{inputs:?}");
    assert!(
        debug.starts_with("Inputs { a: None, d: None, f: None, fields: None, in_0: 0.0,"),
        "{debug}"
    );
    assert!(
        debug.ends_with("in_9: 9.0, lenient_text: None, m: None, s: None, slots: None }"),
        "{debug}"
    );
    let outputs = Outputs {
        out_9: Some(9.0),
        ..Outputs::default()
    };
    assert_ne!(outputs, Outputs::default());
    assert!(format!("{outputs:?}").ends_with("out_9: Some(9.0) }"));
}

#[test]
fn choice_types_named_like_the_impls_locals_decode() {
    // `A`, `D`, `M`, `S`, `F`, `Slots`, `Fields`, `Lenient Text`: choice inputs whose types
    // have the names of generic parameters and local items of hand-written impls.
    let mut value = inputs_json(false);
    for key in ["A", "D", "M", "S", "F", "Slots", "Fields", "Lenient Text"] {
        value[key] = json!("y");
    }
    let inputs: Inputs = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(inputs.a, Some(bindings::big_wide::A::Y));
    assert_eq!(inputs.slots, Some(bindings::big_wide::Slots::Y));
    assert_eq!(
        inputs.lenient_text,
        Some(bindings::big_wide::LenientText::Y)
    );
    assert_eq!(serde_json::to_value(&inputs).unwrap(), value);
}
