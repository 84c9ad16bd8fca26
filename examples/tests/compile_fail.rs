//! Proof of compile-time checking: each case under `tests/compile_fail/` misuses the
//! generated bindings and must fail to compile with the error recorded next to it.
//! Update the expected output with `TRYBUILD=overwrite cargo test -p cspark-examples --test compile_fail`.

#[test]
fn misuse_of_typed_bindings_does_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
}
