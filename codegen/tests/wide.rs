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
