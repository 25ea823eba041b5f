//! Compile-fail tests of `#[runtime::main]` and `#[runtime::test]`: each file in `tests/ui/`
//! is one mistake, and the `.stderr` beside it is the error the user must see.
//!
//! After an intended change of a message, regenerate the expectations with
//! `TRYBUILD=overwrite cargo test -p runtime --test macros_compile_fail` and read the diff.

#[test]
fn macro_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
