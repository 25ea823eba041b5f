//! `select!`: wait on several futures at once, run the handler of the first to complete whose
//! output matches its pattern, and drop the others (Tokio's `select!`).
//!
//! Input: an optional `biased;`, then branches `pattern = future [, if condition] => handler`
//! separated by commas (optional after a block handler), and at most one `else => handler`.
//!
//! For two branches, the expansion is
//!
//! ```text
//! {
//!     enum __Out<T0, T1> { _0(T0), _1(T1), Disabled }
//!     let mut __disabled = [false; 2];
//!     if !(condition_0) { __disabled[0] = true; }          // the preconditions, in order
//!     let __output = {
//!         let mut __future_0 = ::core::pin::pin!(IntoFuture::into_future(future_0));
//!         let mut __future_1 = ...;                          // evaluated once, in order
//!         let __output = ::core::future::poll_fn(|__cx| {
//!             ready!(::runtime::__private::poll_budget(__cx)); // Pending once the budget is spent
//!             let __start = ::runtime::__private::select_start(2); // 0 with `biased;`
//!             let mut __pending = false;
//!             for __i in 0..2 {
//!                 match (__start + __i) % 2 {
//!                     0 => {
//!                         if __disabled[0] { continue; }
//!                         let __out = match __future_0.as_mut().poll(__cx) {
//!                             Ready(out) => out,
//!                             Pending => { __pending = true; continue; }
//!                         };
//!                         __disabled[0] = true;           // complete: never polled again
//!                         match &__out {
//!                             pattern_0_without_ref_mut_and_& => {}
//!                             _ => continue,              // no match: the branch stays disabled
//!                         }
//!                         return Ready(__Out::_0(__out));
//!                     }
//!                     1 => ...,
//!                     _ => unreachable!(),
//!                 }
//!             }
//!             if __pending { Pending } else { Ready(__Out::Disabled) }
//!         }).await;
//!         __output
//!     };                                                  // the futures are dropped here
//!     match __output {
//!         __Out::_0(pattern_0) => handler_0,
//!         __Out::_1(pattern_1) => handler_1,
//!         __Out::Disabled => else_handler,                // or a panic without `else`
//!         _ => unreachable!(),
//!     }
//! }
//! ```
//!
//! The handlers run after every future has been dropped, outside the polling closure, so
//! `break`, `continue`, `return`, `?` and `.await` in a handler act on the caller's code. The
//! expansion's own names are `mixed_site` (invisible to the caller's code); it names only
//! `::core` and `::runtime::__private`. A `[bool; N]` holds the disabled flags, so the number
//! of branches has no fixed limit.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote_spanned};
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Expr, Ident, Pat, Token};

/// One branch: `pattern = future [, if condition] => handler`.
struct Branch {
    pattern: Pat,
    future: Expr,
    condition: Option<Expr>,
    handler: Expr,
}

/// The whole input.
struct Input {
    biased: bool,
    branches: Vec<Branch>,
    otherwise: Option<Expr>,
}

/// Parses a leading `biased;`, if present. Shared with `join!`.
pub(crate) fn parse_biased(input: ParseStream<'_>) -> syn::Result<bool> {
    if input.peek(Ident) && input.peek2(Token![;]) {
        let fork = input.fork();
        let ident: Ident = fork.parse()?;
        if ident == "biased" {
            input.parse::<Ident>()?;
            input.parse::<Token![;]>()?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether `expr` ends in a block, so that the comma after it may be left out (as in `match`).
fn is_block_like(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Block(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::Loop(_)
            | Expr::While(_)
            | Expr::ForLoop(_)
            | Expr::Unsafe(_)
            | Expr::Const(_)
            | Expr::TryBlock(_)
    )
}

/// After a handler: a comma, or nothing before the end or after a block.
fn parse_separator(input: ParseStream<'_>, handler: &Expr) -> syn::Result<()> {
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
        Ok(())
    } else if input.is_empty() || is_block_like(handler) {
        Ok(())
    } else {
        Err(input.error("expected `,` after the branch's handler"))
    }
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Input> {
        let biased = parse_biased(input)?;
        let mut branches = Vec::new();
        let mut otherwise: Option<Expr> = None;
        while !input.is_empty() {
            if input.peek(Token![else]) {
                let token: Token![else] = input.parse()?;
                input.parse::<Token![=>]>()?;
                let handler = Expr::parse_with_earlier_boundary_rule(input)?;
                parse_separator(input, &handler)?;
                if otherwise.is_some() {
                    return Err(syn::Error::new_spanned(
                        token,
                        "`select!` takes at most one `else` branch",
                    ));
                }
                otherwise = Some(handler);
                continue;
            }
            let pattern = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let future: Expr = input.parse()?;
            let condition = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            input.parse::<Token![=>]>()?;
            let handler = Expr::parse_with_earlier_boundary_rule(input)?;
            parse_separator(input, &handler)?;
            branches.push(Branch {
                pattern,
                future,
                condition,
                handler,
            });
        }
        if branches.is_empty() && otherwise.is_none() {
            return Err(
                input.error("`select!` needs at least one branch: `pattern = future => handler`")
            );
        }
        Ok(Input {
            biased,
            branches,
            otherwise,
        })
    }
}

/// `pattern` made fit for `match &output { pattern => {} }`, which only checks whether the
/// output matches: binding modes (`ref`, `mut`) and reference patterns are removed, since the
/// default binding mode under `&` is already by reference.
fn clean_pattern(pattern: &mut Pat) {
    match pattern {
        Pat::Ident(ident) => {
            ident.by_ref = None;
            ident.mutability = None;
            if let Some((_, subpattern)) = &mut ident.subpat {
                clean_pattern(subpattern);
            }
        }
        Pat::Reference(reference) => {
            let mut inner = (*reference.pat).clone();
            clean_pattern(&mut inner);
            *pattern = inner;
        }
        Pat::Or(or) => or.cases.iter_mut().for_each(clean_pattern),
        Pat::Paren(paren) => clean_pattern(&mut paren.pat),
        Pat::Slice(slice) => slice.elems.iter_mut().for_each(clean_pattern),
        Pat::Tuple(tuple) => tuple.elems.iter_mut().for_each(clean_pattern),
        Pat::TupleStruct(tuple) => tuple.elems.iter_mut().for_each(clean_pattern),
        Pat::Struct(strukt) => strukt
            .fields
            .iter_mut()
            .for_each(|field| clean_pattern(&mut field.pat)),
        Pat::Type(typed) => clean_pattern(&mut typed.pat),
        _ => {}
    }
}

/// Expands `select!(input)`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match Input::parse.parse2(input) {
        Ok(input) => expand_input(input),
        Err(error) => error.to_compile_error(),
    }
}

fn expand_input(input: Input) -> TokenStream {
    let span = Span::mixed_site();
    let count = input.branches.len();
    let otherwise = match &input.otherwise {
        Some(handler) => quote_spanned! {span=> #handler },
        None => quote_spanned! {span=> ::runtime::__private::all_branches_disabled() },
    };
    if count == 0 {
        return quote_spanned! {span=> { #otherwise } };
    }

    let cx = Ident::new("__cx", span);
    let disabled = Ident::new("__disabled", span);
    let pending = Ident::new("__pending", span);
    let out = Ident::new("__out", span);
    let out_enum = Ident::new("__Out", span);
    let types: Vec<Ident> = (0..count)
        .map(|index| format_ident!("T{}", index, span = span))
        .collect();
    let variants: Vec<Ident> = (0..count)
        .map(|index| format_ident!("_{}", index, span = span))
        .collect();
    let names: Vec<Ident> = (0..count)
        .map(|index| format_ident!("__future_{}", index, span = span))
        .collect();

    let preconditions = input
        .branches
        .iter()
        .enumerate()
        .filter_map(|(index, branch)| {
            branch.condition.as_ref().map(|condition| {
                quote_spanned! {span=>
                    if !(#condition) {
                        #disabled[#index] = true;
                    }
                }
            })
        });
    let futures = input.branches.iter().map(|branch| &branch.future);

    let polls = input.branches.iter().enumerate().map(|(index, branch)| {
        let name = &names[index];
        let variant = &variants[index];
        let mut check = branch.pattern.clone();
        clean_pattern(&mut check);
        quote_spanned! {span=>
            #index => {
                if #disabled[#index] {
                    continue;
                }
                let #out = match ::core::future::Future::poll(#name.as_mut(), #cx) {
                    ::core::task::Poll::Ready(#out) => #out,
                    ::core::task::Poll::Pending => {
                        #pending = true;
                        continue;
                    }
                };
                // Complete: it must not be polled again, whether or not it matches.
                #disabled[#index] = true;
                match &#out {
                    #[allow(unused_variables)]
                    #check => {}
                    #[allow(unreachable_patterns)]
                    _ => continue,
                }
                return ::core::task::Poll::Ready(#out_enum::#variant(#out));
            }
        }
    });

    let start = if input.biased || count == 1 {
        quote_spanned! {span=> 0usize }
    } else {
        quote_spanned! {span=> ::runtime::__private::select_start(#count) }
    };

    let arms = input.branches.iter().enumerate().map(|(index, branch)| {
        let variant = &variants[index];
        let pattern = &branch.pattern;
        let handler = &branch.handler;
        quote_spanned! {span=> #out_enum::#variant(#pattern) => #handler, }
    });

    quote_spanned! {span=>
        {
            #[allow(dead_code, non_camel_case_types)]
            enum #out_enum<#(#types),*> {
                #(#variants(#types),)*
                Disabled,
            }

            #[allow(unused_mut)]
            let mut #disabled = [false; #count];
            #(#preconditions)*
            let __output = {
                #(
                    let mut #names = ::core::pin::pin!(
                        ::core::future::IntoFuture::into_future(#futures)
                    );
                )*
                let __output = ::core::future::poll_fn(|#cx: &mut ::core::task::Context<'_>| {
                    if ::core::task::Poll::is_pending(&::runtime::__private::poll_budget(#cx)) {
                        return ::core::task::Poll::Pending;
                    }
                    let __start: usize = #start;
                    let mut #pending = false;
                    for __i in 0..#count {
                        let mut __index = __start + __i;
                        if __index >= #count {
                            __index -= #count;
                        }
                        match __index {
                            #(#polls)*
                            _ => ::core::unreachable!(),
                        }
                    }
                    if #pending {
                        ::core::task::Poll::Pending
                    } else {
                        ::core::task::Poll::Ready(#out_enum::Disabled)
                    }
                })
                .await;
                __output
            };
            match __output {
                #(#arms)*
                #out_enum::Disabled => #otherwise,
                #[allow(unreachable_patterns)]
                _ => ::core::unreachable!("`select!`: a branch's output no longer matches its pattern"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parse(tokens: TokenStream) -> syn::Result<Input> {
        Input::parse.parse2(tokens)
    }

    #[test]
    fn parses_branches_conditions_else_and_biased() {
        let input = parse(quote! {
            biased;
            Some(x) = rx.recv(), if open => { x }
            _ = sleep(d) => 0,
            mut y = async { 1 } => y + 1,
            else => 7
        })
        .unwrap();
        assert!(input.biased);
        assert_eq!(input.branches.len(), 3);
        assert!(input.branches[0].condition.is_some());
        assert!(input.branches[1].condition.is_none());
        assert!(input.otherwise.is_some());
    }

    #[test]
    fn biased_is_an_ordinary_pattern_without_the_semicolon() {
        let input = parse(quote! { biased = fut => biased }).unwrap();
        assert!(!input.biased);
        assert_eq!(input.branches.len(), 1);
    }

    #[test]
    fn rejects_a_missing_comma_two_else_branches_and_no_branch() {
        assert!(parse(quote! { a = f => 1 b = g => 2 }).is_err());
        assert!(parse(quote! { a = f => 1, else => 2, else => 3 }).is_err());
        assert!(parse(quote! {}).is_err());
        assert!(parse(quote! { biased; }).is_err());
        assert!(parse(quote! { else => 1 }).is_ok());
    }

    #[test]
    fn clean_pattern_drops_binding_modes_and_references() {
        let mut pattern = Pat::parse_multi_with_leading_vert
            .parse2(quote! { (ref mut a, &Some(mut b), Foo { mut c, d: ref e }, f @ 1..=2) })
            .unwrap();
        clean_pattern(&mut pattern);
        let text = quote!(#pattern).to_string().replace(' ', "");
        assert_eq!(text, "(a,Some(b),Foo{c,d:e},f@1..=2)");
    }
}
