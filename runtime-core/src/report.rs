//! Where the default diagnostic reports (slow polls, unobserved panics) go: a `tracing` event
//! when the `tracing` feature is on and a subscriber listens, one line on stderr otherwise (so
//! that turning the feature on without installing a subscriber does not silence them).

/// True when a default report should be printed on stderr rather than emitted as an event.
pub(crate) fn to_stderr() -> bool {
    #[cfg(feature = "tracing")]
    {
        tracing::dispatcher::get_default(|dispatch| {
            dispatch.is::<tracing::subscriber::NoSubscriber>()
        })
    }
    #[cfg(not(feature = "tracing"))]
    {
        true
    }
}
