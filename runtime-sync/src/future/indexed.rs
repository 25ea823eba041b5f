//! Adapters for the futures kept in a `FuturesUnordered`: `Indexed` tags an output with the
//! future's position in the caller's iterator, `TryPoll` turns a `TryFuture` into a plain
//! future of a `Result`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::TryFuture;
use pin_project_lite::pin_project;

pin_project! {
    /// A future and its position among the combinator's futures.
    #[derive(Debug)]
    pub(crate) struct Indexed<F> {
        pub(crate) index: usize,
        #[pin]
        pub(crate) future: F,
    }
}

impl<F: Future> Future for Indexed<F> {
    type Output = (usize, F::Output);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let index = *this.index;
        this.future.poll(cx).map(|output| (index, output))
    }
}

pin_project! {
    /// `F` seen as a future of `Result<F::Ok, F::Error>` (what `F` is, but generic code cannot
    /// see that through the `TryFuture` bound).
    #[derive(Debug)]
    pub(crate) struct TryPoll<F> {
        #[pin]
        pub(crate) future: F,
    }
}

impl<F: TryFuture> Future for TryPoll<F> {
    type Output = Result<F::Ok, F::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().future.try_poll(cx)
    }
}
