//! `join!` and `try_join!`: await a fixed list of futures concurrently, in the caller's task.
//!
//! `join!(a, b)` (with `try_join!` differences in comments) expands to
//!
//! ```text
//! {
//!     let mut __f0 = ::core::pin::pin!(::runtime::__private::maybe_done(     // try_maybe_done
//!         ::core::future::IntoFuture::into_future(a)));
//!     let mut __f1 = ...;
//!     let mut __next = 0;                                   // not with `biased;`
//!     let __output = ::core::future::poll_fn(|__cx| {
//!         let __start = __next;                             // 0 with `biased;`
//!         __next = (__next + 1) % 2;                        // the next poll starts further on
//!         let mut __pending = false;
//!         for __i in 0..2 {
//!             match (__start + __i) % 2 {
//!                 0 => if __f0.as_mut().poll(__cx).is_pending() { __pending = true },
//!                 // try_join!: a `Ready(Err(e))` returns `Ready(Err(e))` at once
//!                 1 => ...,
//!                 _ => {}
//!             }
//!         }
//!         if __pending { Pending } else {
//!             Ready((__f0.take_output().unwrap(), __f1.take_output().unwrap()))  // Ok((..))
//!         }
//!     }).await;
//!     __output
//! }
//! ```
//!
//! The futures are evaluated once, in order, and pinned on the stack (no allocation); each is
//! polled until it completes, never after. The expansion's own names are `mixed_site`
//! (invisible to, and unable to shadow, the caller's code) and it names only `::core` and
//! `::runtime::__private`. The futures live in the block, so on `try_join!`'s early return the
//! others are dropped as soon as it returns.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote_spanned};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token};

/// Which macro is expanded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// `join!`: a tuple of every output.
    Join,
    /// `try_join!`: `Ok` of a tuple of the `Ok` values, or the first `Err`.
    TryJoin,
}

/// The parsed input: an optional `biased;`, then the future expressions.
struct Input {
    biased: bool,
    futures: Vec<Expr>,
}

/// Parses `[biased;] expr, expr, ...` (a trailing comma is allowed).
fn parse(input: ParseStream<'_>) -> syn::Result<Input> {
    let biased = crate::select::parse_biased(input)?;
    let futures = Punctuated::<Expr, Token![,]>::parse_terminated(input)?;
    Ok(Input {
        biased,
        futures: futures.into_iter().collect(),
    })
}

/// Expands `join!(input)` or `try_join!(input)`.
pub(crate) fn expand(kind: Kind, input: TokenStream) -> TokenStream {
    match parse.parse2(input) {
        Ok(input) => expand_input(kind, input),
        Err(error) => error.to_compile_error(),
    }
}

fn expand_input(kind: Kind, input: Input) -> TokenStream {
    let span = Span::mixed_site();
    let count = input.futures.len();
    if count == 0 {
        return match kind {
            Kind::Join => quote_spanned! {span=> () },
            Kind::TryJoin => quote_spanned! {span=> ::core::result::Result::Ok(()) },
        };
    }

    let names: Vec<Ident> = (0..count)
        .map(|index| format_ident!("__future_{}", index, span = span))
        .collect();
    let wrap = match kind {
        Kind::Join => quote_spanned! {span=> ::runtime::__private::maybe_done },
        Kind::TryJoin => quote_spanned! {span=> ::runtime::__private::try_maybe_done },
    };
    let futures = &input.futures;
    let cx = Ident::new("__cx", span);
    let pending = Ident::new("__pending", span);

    let polls = names.iter().enumerate().map(|(index, name)| {
        let poll = quote_spanned! {span=> ::core::future::Future::poll(#name.as_mut(), #cx) };
        match kind {
            Kind::Join => quote_spanned! {span=>
                #index => {
                    if ::core::task::Poll::is_pending(&#poll) {
                        #pending = true;
                    }
                }
            },
            Kind::TryJoin => quote_spanned! {span=>
                #index => match #poll {
                    ::core::task::Poll::Pending => #pending = true,
                    ::core::task::Poll::Ready(::core::result::Result::Ok(())) => {}
                    ::core::task::Poll::Ready(::core::result::Result::Err(__error)) => {
                        return ::core::task::Poll::Ready(::core::result::Result::Err(__error));
                    }
                },
            },
        }
    });

    let outputs = names.iter().map(|name| {
        quote_spanned! {span=>
            match #name.as_mut().take_output() {
                ::core::option::Option::Some(__output) => __output,
                ::core::option::Option::None => ::core::unreachable!(),
            }
        }
    });
    let outputs = quote_spanned! {span=> ( #(#outputs,)* ) };
    let ready = match kind {
        Kind::Join => quote_spanned! {span=> ::core::task::Poll::Ready(#outputs) },
        Kind::TryJoin => {
            quote_spanned! {span=> ::core::task::Poll::Ready(::core::result::Result::Ok(#outputs)) }
        }
    };

    // Unbiased: each poll starts one future further on, so that no future is always last.
    let (rotation, start) = if input.biased {
        (TokenStream::new(), quote_spanned! {span=> 0usize })
    } else {
        (
            quote_spanned! {span=> let mut __next: usize = 0; },
            quote_spanned! {span=> {
                let __start = __next;
                __next = if __next + 1 == #count { 0 } else { __next + 1 };
                __start
            }},
        )
    };

    quote_spanned! {span=>
        {
            #(
                let mut #names = ::core::pin::pin!(#wrap(
                    ::core::future::IntoFuture::into_future(#futures)
                ));
            )*
            #rotation
            let __output = ::core::future::poll_fn(|#cx: &mut ::core::task::Context<'_>| {
                let __start: usize = #start;
                let mut #pending = false;
                for __i in 0..#count {
                    let mut __index = __start + __i;
                    if __index >= #count {
                        __index -= #count;
                    }
                    match __index {
                        #(#polls)*
                        _ => {}
                    }
                }
                if #pending {
                    ::core::task::Poll::Pending
                } else {
                    #ready
                }
            })
            .await;
            __output
        }
    }
}
