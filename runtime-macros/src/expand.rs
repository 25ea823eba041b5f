//! Code generation: checks the function's shape and writes the synchronous function that
//! builds a runtime and blocks on the original body.
//!
//! For `async fn name() -> R { body }` with a [`Config`], [`entry`] emits
//!
//! ```text
//! #[::core::prelude::v1::test]      // #[runtime::test] only
//! #[other attributes]
//! vis fn name() -> R {
//!     let body = async move { body };
//!     let runtime = ::runtime::Builder::new_multi_thread()   // or new_current_thread()
//!         .worker_threads(N)                                 // if given
//!         .start_paused(B)                                   // if given
//!         .build()
//!         .expect("failed to build the runtime");
//!     runtime.block_on(body)
//! }
//! ```
//!
//! Only those facade items are named, by absolute paths, so the expansion works in any crate
//! that depends on `runtime`, whatever else is in scope there.
//!
//! On an error it emits the `compile_error!`s and, next to them, the closest function it can
//! (the expansion with default arguments, the unchanged synchronous function, or a stub with the
//! same name), so that one mistake does not cascade into unrelated errors such as "`main`
//! function not found".

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::{Attribute, Block, ItemFn, Signature};

use crate::args::{self, Config, Flavor, Kind};

/// Expands `#[runtime::main(args)]` or `#[runtime::test(args)]` on `item`.
pub(crate) fn entry(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let input: ItemFn = match syn::parse2(item.clone()) {
        Ok(input) => input,
        Err(error) => {
            let error = syn::Error::new(
                error.span(),
                format!(
                    "`#[{}]` can only be applied to an `async fn` ({error})",
                    kind.name()
                ),
            );
            // Keep the item as it was: it is not ours to change.
            return with_errors(Some(error), item);
        }
    };

    let mut errors: Option<syn::Error> = None;
    let mut push = |error: syn::Error| match &mut errors {
        Some(first) => first.combine(error),
        None => errors = Some(error),
    };

    let config = args::parse(kind, args).unwrap_or_else(|error| {
        push(error);
        Config::default_for(kind)
    });

    let is_async = input.sig.asyncness.is_some();
    if !is_async {
        push(syn::Error::new_spanned(
            input.sig.fn_token,
            format!(
                "functions marked `#[{}]` must be `async`: write `async fn {}`",
                kind.name(),
                input.sig.ident
            ),
        ));
    }

    let has_params = !input.sig.inputs.is_empty();
    if has_params {
        let what = match kind {
            Kind::Main => "the main function",
            Kind::Test => "a test function",
        };
        push(syn::Error::new_spanned(
            &input.sig.inputs,
            format!(
                "`#[{}]`: {what} cannot take parameters; remove them: `async fn {}()`",
                kind.name(),
                input.sig.ident
            ),
        ));
    }

    let mut input = input;
    if kind == Kind::Test {
        // A second test attribute would run (or reject) the function twice.
        input.attrs.retain(|attr| {
            if is_test_attribute(attr) {
                push(syn::Error::new_spanned(
                    attr,
                    "`#[runtime::test]` already adds `#[test]`: remove this second test attribute",
                ));
                false
            } else {
                true
            }
        });
    }

    let function = if has_params {
        stub(kind, &input)
    } else if !is_async {
        // The function is already synchronous: leave it as it is (still marked as a test).
        let test = test_attribute(kind);
        quote! { #test #input }
    } else {
        expand(kind, &config, input)
    };
    with_errors(errors, function)
}

/// Whether `attr` is a test attribute: `#[test]`, `#[core::prelude::v1::test]`,
/// `#[runtime::test]`, `#[tokio::test]` and the like.
fn is_test_attribute(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "test")
}

/// `#[::core::prelude::v1::test]` for a test, nothing for `main`.
fn test_attribute(kind: Kind) -> Option<TokenStream> {
    (kind == Kind::Test).then(|| quote! { #[::core::prelude::v1::test] })
}

/// The expansion proper: a synchronous function that blocks on the body on a new runtime.
fn expand(kind: Kind, config: &Config, input: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = input;
    sig.asyncness = None;
    let test = test_attribute(kind);
    let build_runtime = build_runtime(config);
    // The call that produces the function's value is located at the body's last token, so
    // that a body whose type differs from the declared return type is reported there rather
    // than on the attribute. Its names still resolve at the call site, like the rest of the
    // expansion (which lints such as `clippy::expect_used` in the user's crate leave alone),
    // so they find the two locals even when the body comes from another macro.
    let span = Span::call_site().located_at(last_token_span(&block));
    let block_on = quote_spanned! {span=> runtime.block_on(body) };
    quote! {
        #test
        #(#attrs)*
        #vis #sig {
            let body = async move #block;
            let runtime = #build_runtime;
            #block_on
        }
    }
}

/// The span of the last token of the block's last statement, or of the call site if the
/// block is empty.
fn last_token_span(block: &Block) -> Span {
    block
        .stmts
        .last()
        .and_then(|stmt| stmt.to_token_stream().into_iter().last())
        .map_or_else(Span::call_site, |token| token.span())
}

/// `::runtime::Builder::new_..()` with the configured settings, built, as a `Runtime`.
fn build_runtime(config: &Config) -> TokenStream {
    let builder = match config.flavor {
        Flavor::MultiThread => quote! { ::runtime::Builder::new_multi_thread() },
        Flavor::CurrentThread => quote! { ::runtime::Builder::new_current_thread() },
    };
    let worker_threads = config
        .worker_threads
        .map(|n| quote! { .worker_threads(#n) });
    let start_paused = config.start_paused.map(|b| quote! { .start_paused(#b) });
    quote! {
        #builder
            #worker_threads
            #start_paused
            .build()
            .expect("failed to build the runtime")
    }
}

/// A function with the same name, attributes and return type as `input`, no parameters and a
/// body that never runs (compilation fails anyway): it stands in for a function we cannot expand.
fn stub(kind: Kind, input: &ItemFn) -> TokenStream {
    let ItemFn {
        attrs, vis, sig, ..
    } = input;
    let Signature {
        constness,
        unsafety,
        abi,
        fn_token,
        ident,
        generics,
        output,
        ..
    } = sig;
    let where_clause = &generics.where_clause;
    let test = test_attribute(kind);
    quote! {
        #test
        #(#attrs)*
        #vis #constness #unsafety #abi #fn_token #ident #generics() #output #where_clause {
            ::core::unimplemented!()
        }
    }
}

/// `tokens` preceded by the `compile_error!`s of `errors`, if any.
fn with_errors(errors: Option<syn::Error>, tokens: TokenStream) -> TokenStream {
    let mut out = errors
        .map(|error| error.to_compile_error())
        .unwrap_or_default();
    tokens.to_tokens(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// The expansion as a string with single spaces, for `contains` checks.
    fn expand_str(kind: Kind, args: TokenStream, item: TokenStream) -> String {
        entry(kind, args, item).to_string()
    }

    #[test]
    fn main_blocks_on_the_body_with_the_configured_builder() {
        let out = expand_str(
            Kind::Main,
            quote!(worker_threads = 4),
            quote!(
                /// Docs.
                pub async fn main() -> Result<(), ()> {
                    Ok(())
                }
            ),
        );
        assert!(!out.contains("compile_error"), "{out}");
        assert!(!out.contains("async fn"), "{out}");
        assert!(!out.contains("test"), "{out}");
        assert!(
            out.contains("pub fn main () -> Result < () , () >"),
            "{out}"
        );
        assert!(out.contains("# [doc = r\" Docs.\"]"), "{out}");
        assert!(out.contains("let body = async move { Ok (()) } ;"), "{out}");
        assert!(
            out.contains(
                "let runtime = :: runtime :: Builder :: new_multi_thread () . worker_threads (4usize) \
                 . build () . expect (\"failed to build the runtime\") ; runtime . block_on (body) }"
            ),
            "{out}"
        );
    }

    #[test]
    fn test_adds_the_test_attribute_and_keeps_the_others() {
        let out = expand_str(
            Kind::Test,
            quote!(start_paused = true),
            quote!(
                #[should_panic]
                async fn it_panics() {
                    panic!()
                }
            ),
        );
        assert!(!out.contains("compile_error"), "{out}");
        assert!(
            out.starts_with(
                "# [:: core :: prelude :: v1 :: test] # [should_panic] fn it_panics ()"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                ":: runtime :: Builder :: new_current_thread () . start_paused (true) . build ()"
            ),
            "{out}"
        );
    }

    #[test]
    fn a_function_that_is_not_async_is_an_error_but_is_kept() {
        let out = expand_str(
            Kind::Main,
            quote!(),
            quote!(
                fn main() {}
            ),
        );
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("must be `async`"), "{out}");
        assert!(out.ends_with("fn main () { }"), "{out}");
    }

    #[test]
    fn parameters_are_an_error_and_leave_a_stub() {
        let out = expand_str(
            Kind::Main,
            quote!(),
            quote!(
                async fn main(n: u32) -> u32 {
                    n
                }
            ),
        );
        assert!(out.contains("cannot take parameters"), "{out}");
        assert!(
            out.contains("fn main () -> u32 { :: core :: unimplemented ! () }"),
            "{out}"
        );
    }

    #[test]
    fn bad_arguments_still_expand_with_the_defaults() {
        let out = expand_str(
            Kind::Test,
            quote!(flavor = "fast"),
            quote!(
                async fn t() {}
            ),
        );
        assert!(out.contains("unknown flavor \\\"fast\\\""), "{out}");
        assert!(out.contains("new_current_thread"), "{out}");
    }

    #[test]
    fn a_second_test_attribute_is_an_error() {
        let out = expand_str(
            Kind::Test,
            quote!(),
            quote!(
                #[test]
                async fn t() {}
            ),
        );
        assert!(out.contains("remove this second test attribute"), "{out}");
        assert_eq!(out.matches("# [").count(), 1, "{out}");
    }

    #[test]
    fn items_that_are_not_functions_are_an_error() {
        let out = expand_str(
            Kind::Main,
            quote!(),
            quote!(
                struct S;
            ),
        );
        assert!(
            out.contains("can only be applied to an `async fn`"),
            "{out}"
        );
        assert!(out.ends_with("struct S ;"), "{out}");
    }
}
