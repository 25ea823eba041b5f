//! Parsing of the attribute arguments: `flavor = "..."`, `worker_threads = N`, `start_paused = bool`.
//!
//! [`parse`] takes the tokens between the attribute's parentheses as a `proc_macro2::TokenStream`
//! (so it can be unit-tested outside a macro) and returns a [`Config`] that is valid as a whole,
//! or a `syn::Error` that holds one spanned error per mistake: an unknown or duplicate argument, a
//! value that is not a literal of the right type, an unknown flavor, `worker_threads = 0`,
//! `worker_threads` on the current-thread flavor, or `start_paused = true` on the multi-thread
//! flavor.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, Lit, Meta, Token};

/// The argument names, in the order error messages list them.
const ARGUMENTS: &str = "`flavor`, `worker_threads`, `start_paused`";

/// Which attribute is being expanded: it decides the default flavor and the wording of errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[runtime::main]`: multi-thread by default.
    Main,
    /// `#[runtime::test]`: current-thread by default.
    Test,
}

impl Kind {
    /// The attribute's path as a user writes it, for error messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Main => "runtime::main",
            Kind::Test => "runtime::test",
        }
    }

    /// The flavor used when no `flavor` argument is given.
    fn default_flavor(self) -> Flavor {
        match self {
            Kind::Main => Flavor::MultiThread,
            Kind::Test => Flavor::CurrentThread,
        }
    }
}

/// The scheduler flavor of the generated runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `Builder::new_multi_thread()`.
    MultiThread,
    /// `Builder::new_current_thread()`.
    CurrentThread,
}

impl Flavor {
    /// The spelling of the flavor in `flavor = "..."`.
    fn name(self) -> &'static str {
        match self {
            Flavor::MultiThread => "multi_thread",
            Flavor::CurrentThread => "current_thread",
        }
    }
}

/// The checked arguments of one attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Config {
    /// The flavor, given or defaulted.
    pub(crate) flavor: Flavor,
    /// `worker_threads = N`, if given (then `N >= 1` and the flavor is multi-thread).
    pub(crate) worker_threads: Option<usize>,
    /// `start_paused = b`, if given (`true` only with the current-thread flavor).
    pub(crate) start_paused: Option<bool>,
}

impl Config {
    /// The configuration used when no arguments are given.
    pub(crate) fn default_for(kind: Kind) -> Self {
        Config {
            flavor: kind.default_flavor(),
            worker_threads: None,
            start_paused: None,
        }
    }
}

/// One argument that was given, with the tokens `key = value` for spanning later errors.
struct Given<T> {
    value: T,
    tokens: TokenStream,
}

/// The arguments seen so far, before the checks that involve more than one of them.
#[derive(Default)]
struct Seen {
    flavor: Option<Given<Flavor>>,
    worker_threads: Option<Given<usize>>,
    start_paused: Option<Given<bool>>,
}

/// Collects errors so that one expansion reports every mistake at once.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }
}

/// Parses and checks the arguments of `kind`'s attribute.
pub(crate) fn parse(kind: Kind, args: TokenStream) -> syn::Result<Config> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated
        .parse2(args)
        .map_err(|error| {
            syn::Error::new(
                error.span(),
                format!(
                    "{error}; arguments are written `key = value`, separated by commas, \
                     e.g. `#[{}(flavor = \"multi_thread\", worker_threads = 4)]`",
                    kind.name(),
                ),
            )
        })?;

    let mut errors = Errors::default();
    let mut seen = Seen::default();
    for meta in &metas {
        if let Err(error) = parse_one(meta, &mut seen) {
            errors.push(error);
        }
    }
    let config = check(kind, seen, &mut errors);
    errors.finish(config)
}

/// Parses one `key = value` into `seen`.
fn parse_one(meta: &Meta, seen: &mut Seen) -> syn::Result<()> {
    let path = meta.path();
    let Some(name) = path.get_ident().map(ToString::to_string) else {
        return Err(syn::Error::new_spanned(
            path,
            format!(
                "unknown argument `{}`; valid arguments are {ARGUMENTS}",
                path.to_token_stream().to_string().replace(' ', ""),
            ),
        ));
    };
    let value = match name.as_str() {
        "flavor" | "worker_threads" | "start_paused" => value_of(meta, &name)?,
        _ => {
            return Err(syn::Error::new_spanned(
                path,
                format!("unknown argument `{name}`; valid arguments are {ARGUMENTS}"),
            ))
        }
    };
    let tokens = meta.to_token_stream();
    let duplicate = || syn::Error::new_spanned(path, format!("duplicate argument `{name}`"));
    match name.as_str() {
        "flavor" => {
            if seen.flavor.is_some() {
                return Err(duplicate());
            }
            let value = parse_flavor(value)?;
            seen.flavor = Some(Given { value, tokens });
        }
        "worker_threads" => {
            if seen.worker_threads.is_some() {
                return Err(duplicate());
            }
            let value = parse_worker_threads(value)?;
            seen.worker_threads = Some(Given { value, tokens });
        }
        _ => {
            if seen.start_paused.is_some() {
                return Err(duplicate());
            }
            let value = parse_start_paused(value)?;
            seen.start_paused = Some(Given { value, tokens });
        }
    }
    Ok(())
}

/// An example of each argument, for error messages.
fn example(name: &str) -> &'static str {
    match name {
        "flavor" => "flavor = \"current_thread\"",
        "worker_threads" => "worker_threads = 4",
        _ => "start_paused = true",
    }
}

/// The value of `name = value`, or an error if the argument is written without `= value`.
fn value_of<'a>(meta: &'a Meta, name: &str) -> syn::Result<&'a Expr> {
    match meta {
        Meta::NameValue(name_value) => Ok(&name_value.value),
        Meta::Path(_) | Meta::List(_) => Err(syn::Error::new_spanned(
            meta,
            format!("`{name}` needs a value, e.g. `{}`", example(name)),
        )),
    }
}

/// The literal behind `value` (seeing through the invisible groups of `macro_rules!` fragments).
fn literal(value: &Expr) -> Option<&Lit> {
    match value {
        Expr::Lit(expr) => Some(&expr.lit),
        Expr::Group(group) => literal(&group.expr),
        _ => None,
    }
}

/// The error for a value that is not a literal of the expected type.
fn wrong_value(value: &Expr, name: &str, expected: &str) -> syn::Error {
    let note = if literal(value).is_some() {
        ""
    } else {
        " (constants and expressions are not accepted here)"
    };
    syn::Error::new_spanned(
        value,
        format!(
            "`{name}` expects {expected}, e.g. `{}`{note}",
            example(name)
        ),
    )
}

fn parse_flavor(value: &Expr) -> syn::Result<Flavor> {
    let Some(Lit::Str(text)) = literal(value) else {
        return Err(wrong_value(
            value,
            "flavor",
            "a string literal, \"multi_thread\" or \"current_thread\"",
        ));
    };
    match text.value().as_str() {
        "multi_thread" => Ok(Flavor::MultiThread),
        "current_thread" => Ok(Flavor::CurrentThread),
        other => Err(syn::Error::new_spanned(
            text,
            format!(
                "unknown flavor \"{other}\"; valid flavors are \"multi_thread\" and \"current_thread\""
            ),
        )),
    }
}

fn parse_worker_threads(value: &Expr) -> syn::Result<usize> {
    let Some(Lit::Int(int)) = literal(value) else {
        return Err(wrong_value(value, "worker_threads", "an integer literal"));
    };
    if !matches!(int.suffix(), "" | "usize") {
        return Err(syn::Error::new_spanned(
            int,
            format!(
                "`worker_threads` is a `usize`: write `{}` without the `{}` suffix",
                int.base10_digits(),
                int.suffix()
            ),
        ));
    }
    let n: usize = int.base10_parse()?;
    if n == 0 {
        return Err(syn::Error::new_spanned(
            int,
            "`worker_threads` must be at least 1: it is the number of worker threads",
        ));
    }
    Ok(n)
}

fn parse_start_paused(value: &Expr) -> syn::Result<bool> {
    match literal(value) {
        Some(Lit::Bool(b)) => Ok(b.value),
        _ => Err(wrong_value(
            value,
            "start_paused",
            "a boolean literal, `true` or `false`",
        )),
    }
}

/// Checks the arguments against each other and fills in the defaults.
fn check(kind: Kind, seen: Seen, errors: &mut Errors) -> Config {
    let flavor = seen
        .flavor
        .as_ref()
        .map_or(kind.default_flavor(), |f| f.value);
    // How the flavor was chosen, for the messages below.
    let because = if seen.flavor.is_some() {
        format!("the flavor is \"{}\"", flavor.name())
    } else {
        format!(
            "the default flavor of `#[{}]` is \"{}\"",
            kind.name(),
            flavor.name()
        )
    };
    let mut config = Config {
        flavor,
        worker_threads: seen.worker_threads.as_ref().map(|w| w.value),
        start_paused: seen.start_paused.as_ref().map(|s| s.value),
    };

    if let Some(workers) = &seen.worker_threads {
        if flavor == Flavor::CurrentThread {
            errors.push(syn::Error::new_spanned(
                &workers.tokens,
                format!(
                    "`worker_threads` only applies to the \"multi_thread\" flavor, but {because}; \
                     remove `worker_threads` or set `flavor = \"multi_thread\"`"
                ),
            ));
            config.worker_threads = None;
        }
    }
    if let Some(paused) = &seen.start_paused {
        if paused.value && flavor == Flavor::MultiThread {
            errors.push(syn::Error::new_spanned(
                &paused.tokens,
                format!(
                    "`start_paused = true` needs the \"current_thread\" flavor (as in Tokio, the \
                     paused clock is only supported on a single thread), but {because}; \
                     set `flavor = \"current_thread\"` or remove `start_paused`"
                ),
            ));
            config.start_paused = None;
        }
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parse_ok(kind: Kind, args: TokenStream) -> Config {
        match parse(kind, args) {
            Ok(config) => config,
            Err(error) => panic!("unexpected error: {error}"),
        }
    }

    fn parse_err(kind: Kind, args: TokenStream) -> Vec<String> {
        match parse(kind, args) {
            Ok(config) => panic!("expected an error, got {config:?}"),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn defaults_depend_on_the_attribute() {
        assert_eq!(
            parse_ok(Kind::Main, quote!()),
            Config {
                flavor: Flavor::MultiThread,
                worker_threads: None,
                start_paused: None
            }
        );
        assert_eq!(
            parse_ok(Kind::Test, quote!()),
            Config {
                flavor: Flavor::CurrentThread,
                worker_threads: None,
                start_paused: None
            }
        );
    }

    #[test]
    fn parses_every_argument() {
        assert_eq!(
            parse_ok(
                Kind::Test,
                quote!(
                    flavor = "multi_thread",
                    worker_threads = 2,
                    start_paused = false,
                )
            ),
            Config {
                flavor: Flavor::MultiThread,
                worker_threads: Some(2),
                start_paused: Some(false)
            }
        );
        assert_eq!(
            parse_ok(
                Kind::Main,
                quote!(flavor = "current_thread", start_paused = true)
            ),
            Config {
                flavor: Flavor::CurrentThread,
                worker_threads: None,
                start_paused: Some(true)
            }
        );
        assert_eq!(
            parse_ok(Kind::Main, quote!(worker_threads = 4usize)).worker_threads,
            Some(4)
        );
        // Argument order does not matter for the checks between arguments.
        assert_eq!(
            parse_ok(
                Kind::Test,
                quote!(worker_threads = 3, flavor = "multi_thread")
            ),
            Config {
                flavor: Flavor::MultiThread,
                worker_threads: Some(3),
                start_paused: None
            }
        );
    }

    #[test]
    fn rejects_unknown_and_duplicate_arguments() {
        let errors = parse_err(Kind::Main, quote!(workers = 4));
        assert_eq!(
            errors,
            ["unknown argument `workers`; valid arguments are `flavor`, `worker_threads`, `start_paused`"]
        );
        let errors = parse_err(Kind::Main, quote!(runtime::flavor = "multi_thread"));
        assert!(errors[0].starts_with("unknown argument `runtime::flavor`"));
        let errors = parse_err(
            Kind::Main,
            quote!(flavor = "multi_thread", flavor = "current_thread"),
        );
        assert_eq!(errors, ["duplicate argument `flavor`"]);
    }

    #[test]
    fn rejects_bad_values() {
        let errors = parse_err(Kind::Main, quote!(worker_threads = 0));
        assert!(errors[0].starts_with("`worker_threads` must be at least 1"));
        let errors = parse_err(Kind::Main, quote!(worker_threads = "4"));
        assert!(errors[0].starts_with("`worker_threads` expects an integer literal"));
        let errors = parse_err(Kind::Main, quote!(worker_threads = N));
        assert!(errors[0].contains("constants and expressions are not accepted"));
        let errors = parse_err(Kind::Main, quote!(worker_threads = 4u8));
        assert!(errors[0].contains("without the `u8` suffix"));
        let errors = parse_err(Kind::Main, quote!(worker_threads));
        assert_eq!(
            errors,
            ["`worker_threads` needs a value, e.g. `worker_threads = 4`"]
        );
        let errors = parse_err(Kind::Main, quote!(flavor = "multi-thread"));
        assert_eq!(
            errors,
            ["unknown flavor \"multi-thread\"; valid flavors are \"multi_thread\" and \"current_thread\""]
        );
        let errors = parse_err(Kind::Main, quote!(flavor = current_thread));
        assert!(errors[0].starts_with("`flavor` expects a string literal"));
        let errors = parse_err(Kind::Test, quote!(start_paused = 1));
        assert!(errors[0].starts_with("`start_paused` expects a boolean literal"));
    }

    #[test]
    fn rejects_arguments_that_do_not_fit_the_flavor() {
        let errors = parse_err(
            Kind::Main,
            quote!(flavor = "current_thread", worker_threads = 2),
        );
        assert_eq!(errors.len(), 1);
        assert!(errors[0].starts_with(
            "`worker_threads` only applies to the \"multi_thread\" flavor, but the flavor is \"current_thread\""
        ));
        let errors = parse_err(Kind::Test, quote!(worker_threads = 2));
        assert!(
            errors[0].contains("the default flavor of `#[runtime::test]` is \"current_thread\"")
        );

        let errors = parse_err(Kind::Main, quote!(start_paused = true));
        assert!(errors[0].starts_with("`start_paused = true` needs the \"current_thread\" flavor"));
        assert!(errors[0].contains("the default flavor of `#[runtime::main]` is \"multi_thread\""));
        // A clock that is not paused is fine on either flavor.
        assert_eq!(
            parse_ok(Kind::Main, quote!(start_paused = false)).start_paused,
            Some(false)
        );
    }

    #[test]
    fn reports_every_mistake_at_once() {
        let errors = parse_err(
            Kind::Main,
            quote!(flavor = "fast", worker_threads = 0, paused = true),
        );
        assert_eq!(errors.len(), 3, "{errors:?}");
    }

    #[test]
    fn rejects_malformed_argument_lists() {
        let errors = parse_err(Kind::Main, quote!(4));
        assert!(
            errors[0].contains("arguments are written `key = value`"),
            "{errors:?}"
        );
        let errors = parse_err(
            Kind::Main,
            quote!(flavor = "multi_thread" worker_threads = 2),
        );
        assert!(
            errors[0].contains("arguments are written `key = value`"),
            "{errors:?}"
        );
    }
}
