//! `stream!` and `try_stream!`: async generators, by rewriting the block's `yield`s into sends on
//! a one-item slot.
//!
//! For `stream! { stmts }` (with `yield v` somewhere in `stmts`), [`expand`] emits
//!
//! ```text
//! {
//!     let (yielder, receiver) = ::runtime::stream::__private::channel();
//!     ::runtime::stream::__private::Generator::new(receiver, async move {
//!         stmts                                    // `yield v` became `yielder.send(v).await`
//!     })
//! }
//! ```
//!
//! and for `try_stream! { stmts }`, where `yield v` becomes `yielder.send(Ok(v)).await`,
//!
//! ```text
//!     ::runtime::stream::__private::Generator::new(receiver, async move {
//!         let result: Result<(), _> = async { { stmts } Ok(()) }.await;   // `?` ends it early
//!         if let Err(error) = result {
//!             yielder.send(Err(error)).await;
//!         }
//!     })
//! ```
//!
//! with `return;` in `stmts` becoming `return Ok(())` (so it ends the stream, as in `stream!`).
//! The `?`s are left alone: they return from the inner block, wherever they are (also inside
//! other macros' arguments).
//!
//! The rewriting (a `syn` visitor):
//! - `yield` is rewritten in the block itself and inside the arguments of the macros it calls
//!   (scanned token by token, since they are not parsed), but not inside nested closures,
//!   `async` blocks or items, where it would not suspend the generator: there it becomes a
//!   `compile_error!` saying so. Nested `stream!`/`try_stream!` calls are left to themselves.
//! - `for await pat in stream { body }` (marked by a token pass before parsing, since syn cannot
//!   parse it) becomes, anywhere in the block, a `while let Some(pat) = next(&mut stream).await`
//!   loop over the pinned stream.
//! - A block with no `yield` gets an `if false { yielder.send(()).await }` so that its item
//!   type is `()` (or `Result<(), E>`) rather than unknown.
//!
//! The locals the expansion introduces have `Span::mixed_site()` hygiene, so the user's code
//! cannot see or shadow them; the support items are named by absolute `::runtime::...` paths,
//! as in the `#[main]` expansion.

use proc_macro2::{Group, Ident, Spacing, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::{ParseStream, Parser};
use syn::visit_mut::{self, VisitMut};
use syn::{Attribute, Block, Expr, ExprForLoop, ExprYield, Item, Macro};

/// Which macro: `stream!` or `try_stream!`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    Stream,
    TryStream,
}

/// The attribute that marks a `for await` loop between the token pass and the visitor.
const FOR_AWAIT_MARKER: &str = "__runtime_for_await";

/// The name of the yielder (with mixed-site hygiene, so the user's code cannot name it).
const YIELDER: &str = "__yielder";

/// The keywords that can come before a `!` that is a negation, not a macro call (`if !(..)`).
const KEYWORDS_BEFORE_NOT: &[&str] = &[
    "if", "while", "match", "return", "break", "in", "else", "yield", "let", "move", "as",
];

/// Expands `stream! { input }` or `try_stream! { input }`.
pub(crate) fn expand(mode: Mode, input: TokenStream) -> TokenStream {
    let mut stmts = match Block::parse_within.parse2(mark_for_await(input)) {
        Ok(stmts) => stmts,
        Err(error) => return error.to_compile_error(),
    };
    let yielder = Ident::new(YIELDER, Span::mixed_site());
    let receiver = Ident::new("__receiver", Span::mixed_site());
    let mut rewriter = Rewriter {
        mode,
        nested: false,
        has_yield: false,
    };
    for stmt in &mut stmts {
        rewriter.visit_stmt_mut(stmt);
    }

    let ok = quote!(::core::result::Result::Ok);
    let err = quote!(::core::result::Result::Err);
    // Gives the item type a value when nothing is yielded.
    let dummy_yield = (!rewriter.has_yield).then(|| {
        let unit = match mode {
            Mode::Stream => quote!(()),
            Mode::TryStream => quote!(#ok(())),
        };
        quote!(if false {
            #yielder.send(#unit).await;
        })
    });
    let body = match mode {
        Mode::Stream => quote! {
            #dummy_yield
            #(#stmts)*
        },
        Mode::TryStream => {
            let result = Ident::new("__result", Span::mixed_site());
            let error = Ident::new("__error", Span::mixed_site());
            quote! {
                #dummy_yield
                let #result: ::core::result::Result<(), _> = async {
                    { #(#stmts)* }
                    // A block that always returns or loops forever makes what follows
                    // unreachable: this statement takes the (one) warning, allowed.
                    #[allow(unreachable_code)]
                    let () = ();
                    #ok(())
                }
                .await;
                if let #err(#error) = #result {
                    #yielder.send(#err(#error)).await;
                }
            }
        }
    };
    quote! {
        {
            let (#yielder, #receiver) = ::runtime::stream::__private::channel();
            ::runtime::stream::__private::Generator::new(#receiver, async move { #body })
        }
    }
}

/// Rewrites `for await` into `#[__runtime_for_await] for`, in every group except the input of
/// macro calls (`name!(..)`, which is not parsed, so the marker would not be seen there).
fn mark_for_await(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    // The last two tokens were a name and a lone `!`: a group now is a macro's input.
    let mut after_macro_bang = false;
    let mut after_name = false;
    while let Some(token) = tokens.next() {
        let (is_name, is_macro_bang) = match token {
            TokenTree::Ident(ident) => {
                let is_for_await = ident == "for"
                    && matches!(tokens.peek(), Some(TokenTree::Ident(next)) if next == "await");
                if is_for_await {
                    let await_span = tokens.next().map_or_else(Span::call_site, |t| t.span());
                    let marker = Ident::new(FOR_AWAIT_MARKER, await_span);
                    // Before the loop's label, if any (`'label: for await`).
                    let at = out.len() - label_len(&out);
                    out.splice(at..at, quote_spanned!(await_span=> #[#marker]));
                }
                let is_name = !KEYWORDS_BEFORE_NOT.iter().any(|keyword| ident == keyword);
                out.push(TokenTree::Ident(ident));
                (is_name, false)
            }
            TokenTree::Punct(punct) => {
                let is_bang =
                    after_name && punct.as_char() == '!' && punct.spacing() == Spacing::Alone;
                out.push(TokenTree::Punct(punct));
                (false, is_bang)
            }
            TokenTree::Group(group) if after_macro_bang => {
                out.push(TokenTree::Group(group));
                (false, false)
            }
            TokenTree::Group(group) => {
                let mut marked = Group::new(group.delimiter(), mark_for_await(group.stream()));
                marked.set_span(group.span());
                out.push(TokenTree::Group(marked));
                (false, false)
            }
            TokenTree::Literal(literal) => {
                out.push(TokenTree::Literal(literal));
                (false, false)
            }
        };
        after_name = is_name;
        after_macro_bang = is_macro_bang;
    }
    out.into_iter().collect()
}

/// The length of the loop label (`'label:`, three tokens) that `tokens` ends with, or 0.
fn label_len(tokens: &[TokenTree]) -> usize {
    match tokens {
        [.., TokenTree::Punct(quote), TokenTree::Ident(_), TokenTree::Punct(colon)]
            if quote.as_char() == '\'' && colon.as_char() == ':' =>
        {
            3
        }
        _ => 0,
    }
}

/// The visitor that rewrites `yield`, `return` (in `try_stream!`) and `for await`.
struct Rewriter {
    mode: Mode,
    /// Inside a closure, `async` block or item nested in the generator's block.
    nested: bool,
    /// A `yield` was rewritten.
    has_yield: bool,
}

impl Rewriter {
    /// Runs `f` with `nested` set.
    fn nested(&mut self, f: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.nested, true);
        f(self);
        self.nested = outer;
    }

    /// The replacement of `yield value`: a send on the slot, or an error in a nested closure.
    fn rewrite_yield(&mut self, expr: &mut ExprYield) -> Expr {
        let span = expr.yield_token.span;
        if self.nested {
            return syn::parse_quote_spanned! {span=>
                ::core::compile_error!(
                    "`yield` inside a closure, `async` block or function nested in `stream!` \
                     or `try_stream!` does not yield from the generator: yield from the \
                     generator's own block (use a loop, or `for await` over a stream)"
                )
            };
        }
        visit_mut::visit_expr_yield_mut(self, expr);
        self.has_yield = true;
        let value = match expr.expr.take() {
            Some(value) => value.into_token_stream(),
            None => quote_spanned!(span=> ()),
        };
        let value = match self.mode {
            Mode::Stream => value,
            Mode::TryStream => quote_spanned!(span=> ::core::result::Result::Ok(#value)),
        };
        // The yielder's name resolves at the macro's definition (mixed-site hygiene); the
        // call is located at the `yield`, for error messages.
        let yielder = Ident::new(YIELDER, Span::mixed_site().located_at(span));
        syn::parse_quote_spanned! {span=> #yielder.send(#value).await }
    }

    /// The `while let` loop of a `for await` loop (its marker already removed).
    fn rewrite_for_await(&mut self, expr: &ExprForLoop) -> Expr {
        let ExprForLoop {
            attrs,
            label,
            pat,
            expr: stream,
            body,
            ..
        } = expr;
        let span = expr.for_token.span;
        let pinned = Ident::new("__stream", Span::mixed_site().located_at(span));
        syn::parse_quote_spanned! {span=>
            #(#attrs)*
            {
                let mut #pinned = ::core::pin::pin!(#stream);
                #label while let ::core::option::Option::Some(#pat) =
                    ::runtime::stream::StreamExt::next(&mut #pinned).await
                #body
            }
        }
    }

    /// Rewrites the `yield`s in the unparsed arguments of a macro call: each `yield` is parsed
    /// with the expression after it (up to a `,`, `;` or the end of the group) and rewritten.
    fn rewrite_tokens(&mut self, tokens: TokenStream) -> TokenStream {
        let mut out = TokenStream::new();
        let mut tokens = tokens.into_iter().peekable();
        while let Some(token) = tokens.next() {
            match token {
                TokenTree::Ident(ident) if ident == "yield" => {
                    let remaining: TokenStream = tokens.collect();
                    let parsed = (|input: ParseStream<'_>| {
                        let expr: ExprYield = input.parse()?;
                        let rest: TokenStream = input.parse()?;
                        Ok((expr, rest))
                    })
                    .parse2(quote!(#ident #remaining));
                    match parsed {
                        Ok((mut expr, rest)) => {
                            self.rewrite_yield(&mut expr).to_tokens(&mut out);
                            tokens = rest.into_iter().peekable();
                        }
                        Err(_) => {
                            // Not an expression there: leave it to the macro.
                            out.extend([TokenTree::Ident(ident)]);
                            tokens = remaining.into_iter().peekable();
                        }
                    }
                }
                TokenTree::Ident(ident) if ident == "stream" || ident == "try_stream" => {
                    out.extend([TokenTree::Ident(ident)]);
                    // A nested generator rewrites its own block.
                    if matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '!') {
                        out.extend(tokens.next());
                        if matches!(tokens.peek(), Some(TokenTree::Group(_))) {
                            out.extend(tokens.next());
                        }
                    }
                }
                TokenTree::Group(group) => {
                    let mut rewritten =
                        Group::new(group.delimiter(), self.rewrite_tokens(group.stream()));
                    rewritten.set_span(group.span());
                    out.extend([TokenTree::Group(rewritten)]);
                }
                other => out.extend([other]),
            }
        }
        out
    }
}

/// Whether `attrs` holds the `for await` marker; removes it.
fn take_for_await_marker(attrs: &mut Vec<Attribute>) -> bool {
    let before = attrs.len();
    attrs.retain(|attr| !attr.path().is_ident(FOR_AWAIT_MARKER));
    attrs.len() != before
}

/// Whether `mac` is a call of `stream!` or `try_stream!` (under any path).
fn is_generator_macro(mac: &Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "stream" || segment.ident == "try_stream")
}

impl VisitMut for Rewriter {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Yield(yield_expr) => {
                let rewritten = self.rewrite_yield(yield_expr);
                *expr = rewritten;
            }
            Expr::Return(ret) if self.mode == Mode::TryStream && !self.nested => {
                visit_mut::visit_expr_return_mut(self, ret);
                if ret.expr.is_none() {
                    // `return;` ends the stream: the inner block's `Ok(())`.
                    let span = ret.return_token.span;
                    ret.expr = Some(syn::parse_quote_spanned! {span=>
                        ::core::result::Result::Ok(())
                    });
                }
            }
            Expr::Closure(_) | Expr::Async(_) => {
                self.nested(|this| visit_mut::visit_expr_mut(this, expr));
            }
            Expr::ForLoop(for_loop) => {
                let is_for_await = take_for_await_marker(&mut for_loop.attrs);
                visit_mut::visit_expr_for_loop_mut(self, for_loop);
                if is_for_await {
                    let rewritten = self.rewrite_for_await(for_loop);
                    *expr = rewritten;
                }
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_item_mut(&mut self, item: &mut Item) {
        if let Item::Macro(item_macro) = item {
            if item_macro.mac.path.is_ident("macro_rules") {
                // A macro definition: its body is a template, not code to rewrite.
                return;
            }
        }
        self.nested(|this| visit_mut::visit_item_mut(this, item));
    }

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        if is_generator_macro(mac) {
            return;
        }
        let tokens = std::mem::take(&mut mac.tokens);
        mac.tokens = self.rewrite_tokens(tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Delimiter;

    /// The expansion as a string with single spaces, for `contains` checks.
    fn expand_str(mode: Mode, input: TokenStream) -> String {
        expand(mode, input).to_string()
    }

    #[test]
    fn yield_becomes_a_send_on_the_slot() {
        let out = expand_str(Mode::Stream, quote!(yield 1; let x = 2; yield x;));
        assert!(!out.split(' ').any(|token| token == "yield"), "{out}");
        assert_eq!(
            out.matches("__yielder . send (1) . await").count(),
            1,
            "{out}"
        );
        assert!(out.contains("__yielder . send (x) . await"), "{out}");
        assert!(
            out.contains(":: runtime :: stream :: __private :: channel ()"),
            "{out}"
        );
        assert!(!out.contains("if false"), "{out}");
    }

    #[test]
    fn try_stream_yields_ok_and_sends_the_error_last() {
        let out = expand_str(Mode::TryStream, quote!(let v = f()?; yield v; return;));
        assert!(
            out.contains("__yielder . send (:: core :: result :: Result :: Ok (v)) . await"),
            "{out}"
        );
        assert!(out.contains("f () ?"), "the `?` is left alone: {out}");
        assert!(
            out.contains("return :: core :: result :: Result :: Ok (())"),
            "{out}"
        );
        assert!(
            out.contains("__yielder . send (:: core :: result :: Result :: Err (__error))"),
            "{out}"
        );
    }

    #[test]
    fn yields_in_macro_arguments_are_rewritten_but_not_in_nested_generators() {
        let out = expand_str(
            Mode::Stream,
            quote!(
                my_macro!(a, yield 1 + 2, b);
                let s = stream! { yield 3; };
            ),
        );
        assert!(
            out.contains("my_macro ! (a , __yielder . send (1 + 2) . await , b)"),
            "{out}"
        );
        assert!(out.contains("stream ! { yield 3 ; }"), "{out}");
    }

    #[test]
    fn yield_in_a_closure_is_an_error() {
        let out = expand_str(Mode::Stream, quote!(let f = || { yield 1; };));
        assert!(out.contains("compile_error"), "{out}");
        assert!(!out.contains("send (1)"), "{out}");
        // Nothing was yielded from the block: the dummy gives the item type.
        assert!(out.contains("if false"), "{out}");
    }

    #[test]
    fn for_await_becomes_a_next_loop() {
        let out = expand_str(
            Mode::Stream,
            quote!('outer: for await x in source() {
                yield x;
            }),
        );
        assert!(!out.contains(FOR_AWAIT_MARKER), "{out}");
        assert!(out.contains(":: core :: pin :: pin ! (source ())"), "{out}");
        assert!(
            out.contains(
                "'outer : while let :: core :: option :: Option :: Some (x) = \
                 :: runtime :: stream :: StreamExt :: next (& mut __stream) . await"
            ),
            "{out}"
        );
    }

    #[test]
    fn for_await_in_macro_arguments_is_left_alone() {
        let out = mark_for_await(quote!(
            'a: for await w in v {}
            m!(for await x in s {});
            for await y in t {}
            if !(a) { for await z in u {} }
        ));
        let out = out.to_string();
        assert!(
            out.contains("# [__runtime_for_await] 'a : for w in v"),
            "{out}"
        );
        assert!(out.contains("m ! (for await x in s { })"), "{out}");
        assert!(out.contains("# [__runtime_for_await] for y in t"), "{out}");
        assert!(out.contains("# [__runtime_for_await] for z in u"), "{out}");
    }

    #[test]
    fn parse_errors_are_reported() {
        let out = expand_str(Mode::Stream, quote!(let = ;));
        assert!(out.contains("compile_error"), "{out}");
    }

    #[test]
    fn delimiters_are_kept() {
        let group = Group::new(Delimiter::Bracket, quote!(yield 1));
        let out = Rewriter {
            mode: Mode::Stream,
            nested: false,
            has_yield: false,
        }
        .rewrite_tokens(quote!(v! #group));
        assert_eq!(out.to_string(), "v ! [__yielder . send (1) . await]");
    }
}
