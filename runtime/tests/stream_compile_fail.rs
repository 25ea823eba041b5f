//! Compile-fail tests of `runtime::stream!`: each file in `tests/ui/stream/` is one mistake,
//! and the `.stderr` beside it is the error the user must see.
//!
//! After an intended change of a message, regenerate the expectations with
//! `TRYBUILD=overwrite cargo test -p runtime --test stream_compile_fail` and read the diff.

#[test]
fn generator_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/stream/*.rs");
}
