//! The adapters whose closures are plain functions, as in tokio-stream (futures-util's versions
//! take closures that return futures): `Filter`, `FilterMap`, `TakeWhile`, `SkipWhile`, and the
//! `Fold` future.
//!
//! Like an iterator's adapters, `Filter`, `FilterMap` and `SkipWhile` keep polling the inner
//! stream, within one `poll_next`, while its items are ready and rejected.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::stream::{FusedStream, Stream};
use pin_project_lite::pin_project;

pin_project! {
    /// The stream of [`StreamExt::filter`](super::StreamExt::filter).
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let odd = stream::iter(1..=5).filter(|n| n % 2 == 1);
    ///     assert_eq!(odd.collect::<Vec<_>>().await, [1, 3, 5]);
    /// }
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Filter<S, F> {
        #[pin]
        stream: S,
        predicate: F,
    }
}

impl<S, F> Filter<S, F> {
    pub(crate) fn new(stream: S, predicate: F) -> Filter<S, F> {
        Filter { stream, predicate }
    }
}

impl<S, F> Stream for Filter<S, F>
where
    S: Stream,
    F: FnMut(&S::Item) -> bool,
{
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let mut this = self.project();
        loop {
            match ready!(this.stream.as_mut().poll_next(cx)) {
                Some(item) if (this.predicate)(&item) => return Poll::Ready(Some(item)),
                Some(_) => {}
                None => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.stream.size_hint().1)
    }
}

impl<S, F> FusedStream for Filter<S, F>
where
    S: FusedStream,
    F: FnMut(&S::Item) -> bool,
{
    fn is_terminated(&self) -> bool {
        self.stream.is_terminated()
    }
}

impl<S: fmt::Debug, F> fmt::Debug for Filter<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

pin_project! {
    /// The stream of [`StreamExt::filter_map`](super::StreamExt::filter_map).
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let numbers = stream::iter(["1", "two", "3"]).filter_map(|s| s.parse::<i32>().ok());
    ///     assert_eq!(numbers.collect::<Vec<_>>().await, [1, 3]);
    /// }
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct FilterMap<S, F> {
        #[pin]
        stream: S,
        f: F,
    }
}

impl<S, F> FilterMap<S, F> {
    pub(crate) fn new(stream: S, f: F) -> FilterMap<S, F> {
        FilterMap { stream, f }
    }
}

impl<S, F, T> Stream for FilterMap<S, F>
where
    S: Stream,
    F: FnMut(S::Item) -> Option<T>,
{
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut this = self.project();
        loop {
            match ready!(this.stream.as_mut().poll_next(cx)) {
                Some(item) => {
                    if let Some(mapped) = (this.f)(item) {
                        return Poll::Ready(Some(mapped));
                    }
                }
                None => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.stream.size_hint().1)
    }
}

impl<S, F, T> FusedStream for FilterMap<S, F>
where
    S: FusedStream,
    F: FnMut(S::Item) -> Option<T>,
{
    fn is_terminated(&self) -> bool {
        self.stream.is_terminated()
    }
}

impl<S: fmt::Debug, F> fmt::Debug for FilterMap<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilterMap")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

pin_project! {
    /// The stream of [`StreamExt::take_while`](super::StreamExt::take_while).
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let small = stream::iter([1, 2, 5, 1]).take_while(|n| *n < 3);
    ///     assert_eq!(small.collect::<Vec<_>>().await, [1, 2]);
    /// }
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct TakeWhile<S, F> {
        #[pin]
        stream: S,
        predicate: F,
        done: bool,
    }
}

impl<S, F> TakeWhile<S, F> {
    pub(crate) fn new(stream: S, predicate: F) -> TakeWhile<S, F> {
        TakeWhile {
            stream,
            predicate,
            done: false,
        }
    }
}

impl<S, F> Stream for TakeWhile<S, F>
where
    S: Stream,
    F: FnMut(&S::Item) -> bool,
{
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        match ready!(this.stream.poll_next(cx)) {
            Some(item) if (this.predicate)(&item) => Poll::Ready(Some(item)),
            _ => {
                *this.done = true;
                Poll::Ready(None)
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            (0, Some(0))
        } else {
            (0, self.stream.size_hint().1)
        }
    }
}

impl<S, F> FusedStream for TakeWhile<S, F>
where
    S: FusedStream,
    F: FnMut(&S::Item) -> bool,
{
    fn is_terminated(&self) -> bool {
        self.done || self.stream.is_terminated()
    }
}

impl<S: fmt::Debug, F> fmt::Debug for TakeWhile<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TakeWhile")
            .field("stream", &self.stream)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

pin_project! {
    /// The stream of [`StreamExt::skip_while`](super::StreamExt::skip_while).
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let rest = stream::iter([1, 2, 5, 1]).skip_while(|n| *n < 3);
    ///     assert_eq!(rest.collect::<Vec<_>>().await, [5, 1]);
    /// }
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct SkipWhile<S, F> {
        #[pin]
        stream: S,
        predicate: F,
        skipping: bool,
    }
}

impl<S, F> SkipWhile<S, F> {
    pub(crate) fn new(stream: S, predicate: F) -> SkipWhile<S, F> {
        SkipWhile {
            stream,
            predicate,
            skipping: true,
        }
    }
}

impl<S, F> Stream for SkipWhile<S, F>
where
    S: Stream,
    F: FnMut(&S::Item) -> bool,
{
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let mut this = self.project();
        if !*this.skipping {
            return this.stream.poll_next(cx);
        }
        loop {
            match ready!(this.stream.as_mut().poll_next(cx)) {
                Some(item) if (this.predicate)(&item) => {}
                item => {
                    *this.skipping = false;
                    return Poll::Ready(item);
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (lower, upper) = self.stream.size_hint();
        if self.skipping {
            (0, upper)
        } else {
            (lower, upper)
        }
    }
}

impl<S, F> FusedStream for SkipWhile<S, F>
where
    S: FusedStream,
    F: FnMut(&S::Item) -> bool,
{
    fn is_terminated(&self) -> bool {
        self.stream.is_terminated()
    }
}

impl<S: fmt::Debug, F> fmt::Debug for SkipWhile<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SkipWhile")
            .field("stream", &self.stream)
            .field("skipping", &self.skipping)
            .finish_non_exhaustive()
    }
}

pin_project! {
    /// The future of [`StreamExt::fold`](super::StreamExt::fold): the accumulated value once the
    /// stream has ended.
    ///
    /// Not cancel-safe: dropping it drops the value accumulated so far (the items it took are
    /// gone from the stream).
    ///
    /// # Panics
    /// When polled again after it completed.
    ///
    /// ```
    /// use runtime::stream::{self, StreamExt};
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let product = stream::iter(1..=5).fold(1, |acc, n| acc * n).await;
    ///     assert_eq!(product, 120);
    /// }
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Fold<S, B, F> {
        #[pin]
        stream: S,
        accumulator: Option<B>,
        f: F,
    }
}

impl<S, B, F> Fold<S, B, F> {
    pub(crate) fn new(stream: S, init: B, f: F) -> Fold<S, B, F> {
        Fold {
            stream,
            accumulator: Some(init),
            f,
        }
    }
}

impl<S, B, F> Future for Fold<S, B, F>
where
    S: Stream,
    F: FnMut(B, S::Item) -> B,
{
    type Output = B;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<B> {
        let mut this = self.project();
        assert!(
            this.accumulator.is_some(),
            "`Fold` polled after it completed"
        );
        loop {
            let item = ready!(this.stream.as_mut().poll_next(cx));
            let accumulator = this
                .accumulator
                .take()
                .expect("the accumulator is put back after each item");
            match item {
                Some(item) => *this.accumulator = Some((this.f)(accumulator, item)),
                None => return Poll::Ready(accumulator),
            }
        }
    }
}

impl<S: fmt::Debug, B: fmt::Debug, F> fmt::Debug for Fold<S, B, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fold")
            .field("stream", &self.stream)
            .field("accumulator", &self.accumulator)
            .finish_non_exhaustive()
    }
}
