//! `CancellationToken`: a cancellation signal shared by clones and passed down a tree of child
//! tokens (`tokio_util`'s `CancellationToken`).
//!
//! # How it works
//!
//! Every token is a handle to a node; clones share the node (the node counts its handles).
//! A node has an atomic `cancelled` flag, read by `is_cancelled` and by the fast paths, and a
//! mutex over the rest: the same flag (the one writers go by), the parent link (the parent node
//! and this node's slot in it), the children (a slab of child nodes, so a child finds and
//! leaves its slot in O(1)), and the `WaitList` of tasks waiting in `cancelled()`.
//!
//! While a node is linked, its parent holds it in its slab and it holds the parent: a reference
//! cycle on purpose, which is always broken. When the last handle of a node is dropped, the
//! node leaves its parent's slab and hands its own children over to that parent (so cancelling
//! the grandparent still reaches them), or, if it has no parent, leaves them as roots. When a
//! node is cancelled it empties its slab. So a long-lived parent holds exactly its live
//! children, whatever number of children came and went.
//!
//! # Locking
//!
//! Locks are only ever taken from ancestor to descendant, so two threads cannot wait on each
//! other. A node only moves up the tree (to its grandparent, or out of it), and new nodes only
//! appear below existing ones, so a node's ancestors never become its descendants and the
//! order holds at every moment.
//!
//! - `child_token` locks the parent, and links the new child (or, if the parent is cancelled,
//!   returns a child born cancelled and unlinked).
//! - `cancel` locks the node and keeps it locked to the end: it takes the children out of its
//!   slab into a worklist, then, one at a time, locks each node of the worklist (a descendant),
//!   unlinks it, moves its children to the worklist, marks it cancelled and takes its waiters.
//!   The node itself is marked last, so once `is_cancelled` is true for the node that was
//!   cancelled, it is true for all its descendants, and a concurrent `child_token` or `cancel`
//!   on that node waits until the whole subtree is cancelled. The walk is iterative, so a deep
//!   tree does not overflow the stack.
//! - The last handle's drop needs the parent's lock before the node's: it reads the parent
//!   under the node's lock, releases it, locks the parent, locks the node again and checks the
//!   parent is still the same (it may have moved up or been cancelled meanwhile; if so it
//!   tries again). If the parent is marked cancelled, a `cancel` is walking the subtree and
//!   holds this node in its worklist: the drop leaves the node and its children to that walk.
//!
//! Wakers are collected under the locks and woken after the last one is released.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use runtime_core::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use runtime_core::loom::sync::{Arc, Mutex};

use crate::wait_list::{WaitList, WaiterId, WakeBatch};

/// A token that signals cancellation to every task holding a clone of it, or a clone of one
/// of its descendants (`tokio_util`'s `CancellationToken`).
///
/// Clones share the same token. `child_token` makes a child: cancelling a token cancels all
/// its descendants, never its ancestors, and a child of a cancelled token is born cancelled.
///
/// ```
/// use runtime::sync::CancellationToken;
///
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let token = CancellationToken::new();
///     let worker = {
///         let token = token.child_token();
///         runtime::spawn(async move {
///             token.cancelled().await;
///             "stopped"
///         })
///     };
///     token.cancel();
///     assert_eq!(worker.await.unwrap(), "stopped");
/// }
/// ```
pub struct CancellationToken {
    node: Arc<Node>,
}

struct Node {
    /// Mirrors `Inner::cancelled`, for `is_cancelled` and the fast paths.
    cancelled: AtomicBool,
    /// The number of `CancellationToken`s sharing this node.
    handles: AtomicUsize,
    inner: Mutex<Inner>,
}

struct Inner {
    /// Set (together with `Node::cancelled`) under the lock; never reset.
    cancelled: bool,
    /// The parent and the slot this node has in its `children`.
    parent: Option<(Arc<Node>, usize)>,
    children: Children,
    /// Tasks waiting in `cancelled()`; taken off (and woken) when the node is cancelled.
    waiters: WaitList<()>,
}

impl Node {
    fn new(cancelled: bool, parent: Option<(Arc<Node>, usize)>) -> Node {
        Node {
            cancelled: AtomicBool::new(cancelled),
            handles: AtomicUsize::new(1),
            inner: Mutex::new(Inner {
                cancelled,
                parent,
                children: Children::default(),
                waiters: WaitList::new(),
            }),
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    /// The child of `parent` (whose lock is `inner`).
    fn child(parent: &Arc<Node>, inner: &mut Inner) -> Arc<Node> {
        if inner.cancelled {
            return Arc::new(Node::new(true, None));
        }
        let index = inner.children.next_index();
        let child = Arc::new(Node::new(false, Some((parent.clone(), index))));
        let inserted = inner.children.insert(child.clone());
        debug_assert_eq!(inserted, index);
        child
    }

    /// Cancels `node` and its whole subtree.
    fn cancel(node: &Arc<Node>) {
        if node.is_cancelled() {
            return;
        }
        let mut wakers = WakeBatch::new();
        let mut inner = node.inner.lock();
        if inner.cancelled {
            return;
        }
        let mut work = Vec::new();
        inner.children.drain_into(&mut work);
        while let Some(descendant) = work.pop() {
            let mut locked = descendant.inner.lock();
            locked.parent = None;
            if locked.cancelled {
                // Cancelled on its own before: its subtree went with it.
                continue;
            }
            locked.children.drain_into(&mut work);
            Node::mark_cancelled(&descendant, &mut locked, &mut wakers);
        }
        Node::mark_cancelled(node, &mut inner, &mut wakers);
    }

    fn mark_cancelled(node: &Node, inner: &mut Inner, wakers: &mut WakeBatch) {
        inner.cancelled = true;
        node.cancelled.store(true, Ordering::Release);
        inner.waiters.unlink_where(wakers, |()| true);
    }

    /// Takes `node`, whose last handle is gone, out of the tree: its children go to its
    /// parent, or become roots if it has none.
    fn release(node: &Arc<Node>) {
        loop {
            let parent = match &node.inner.lock().parent {
                Some((parent, _)) => parent.clone(),
                None => break,
            };
            let mut parent_inner = parent.inner.lock();
            let mut inner = node.inner.lock();
            let index = match &inner.parent {
                Some((current, index)) if Arc::ptr_eq(current, &parent) => *index,
                // Moved up (its parent was released) or out (cancelled): look again.
                _ => continue,
            };
            if parent_inner.cancelled {
                // A `cancel` walking the parent's subtree holds this node in its worklist and
                // will unlink it and cancel its children.
                return;
            }
            let removed = parent_inner.children.remove(index);
            debug_assert!(removed.is_some_and(|removed| Arc::ptr_eq(&removed, node)));
            inner.parent = None;
            let mut orphans = Vec::new();
            inner.children.drain_into(&mut orphans);
            for child in orphans {
                let mut child_inner = child.inner.lock();
                let index = parent_inner.children.insert(child.clone());
                child_inner.parent = Some((parent.clone(), index));
            }
            return;
        }
        // No parent (a root, or cut loose by a cancel): the children become roots.
        let mut orphans = Vec::new();
        node.inner.lock().children.drain_into(&mut orphans);
        for child in orphans {
            child.inner.lock().parent = None;
        }
    }
}

/// The child nodes of a node: a slab, so that a child leaves its slot without a search.
struct Children {
    slots: Vec<Slot>,
    /// The first vacant slot, or `NONE`.
    free: usize,
    len: usize,
}

enum Slot {
    Occupied(Arc<Node>),
    Vacant { next_free: usize },
}

const NONE: usize = usize::MAX;

impl Default for Children {
    fn default() -> Children {
        Children {
            slots: Vec::new(),
            free: NONE,
            len: 0,
        }
    }
}

impl Children {
    /// The slot the next `insert` takes.
    fn next_index(&self) -> usize {
        if self.free == NONE {
            self.slots.len()
        } else {
            self.free
        }
    }

    fn insert(&mut self, child: Arc<Node>) -> usize {
        self.len += 1;
        if self.free == NONE {
            self.slots.push(Slot::Occupied(child));
            return self.slots.len() - 1;
        }
        let index = self.free;
        match mem::replace(&mut self.slots[index], Slot::Occupied(child)) {
            Slot::Vacant { next_free } => self.free = next_free,
            Slot::Occupied(_) => unreachable!("the free list points at an occupied slot"),
        }
        index
    }

    fn remove(&mut self, index: usize) -> Option<Arc<Node>> {
        let slot = self.slots.get_mut(index)?;
        if matches!(slot, Slot::Vacant { .. }) {
            return None;
        }
        let Slot::Occupied(child) = mem::replace(
            slot,
            Slot::Vacant {
                next_free: self.free,
            },
        ) else {
            unreachable!()
        };
        self.free = index;
        self.len -= 1;
        if self.len == 0 {
            // Start afresh, so the free list does not keep a high-water mark of slots.
            self.slots.clear();
            self.free = NONE;
        }
        Some(child)
    }

    /// Moves every child into `out`, leaving the slab empty.
    fn drain_into(&mut self, out: &mut Vec<Arc<Node>>) {
        out.extend(
            mem::take(self)
                .slots
                .into_iter()
                .filter_map(|slot| match slot {
                    Slot::Occupied(child) => Some(child),
                    Slot::Vacant { .. } => None,
                }),
        );
    }
}

impl CancellationToken {
    /// A new token, not cancelled, with no parent.
    ///
    /// ```
    /// let token = runtime::sync::CancellationToken::new();
    /// assert!(!token.is_cancelled());
    /// ```
    pub fn new() -> CancellationToken {
        CancellationToken {
            node: Arc::new(Node::new(false, None)),
        }
    }

    /// A child token: cancelled when this token (or any of its ancestors) is cancelled, while
    /// cancelling the child leaves this token alone. The child of a cancelled token is born
    /// cancelled. Dropping every clone of the child unlinks it from this token.
    ///
    /// ```
    /// use runtime::sync::CancellationToken;
    ///
    /// let parent = CancellationToken::new();
    /// let child = parent.child_token();
    /// child.cancel();
    /// assert!(!parent.is_cancelled());
    /// let other = parent.child_token();
    /// parent.cancel();
    /// assert!(other.is_cancelled());
    /// assert!(parent.child_token().is_cancelled());
    /// ```
    pub fn child_token(&self) -> CancellationToken {
        let node = if self.node.is_cancelled() {
            Arc::new(Node::new(true, None))
        } else {
            let mut inner = self.node.inner.lock();
            Node::child(&self.node, &mut inner)
        };
        CancellationToken { node }
    }

    /// Cancels this token and all its descendants, and wakes every task waiting in
    /// `cancelled()` on any of them. Cancelling a cancelled token does nothing. Once this
    /// returns, `is_cancelled` is true for this token and every descendant.
    ///
    /// ```
    /// let token = runtime::sync::CancellationToken::new();
    /// token.cancel();
    /// assert!(token.is_cancelled());
    /// ```
    pub fn cancel(&self) {
        Node::cancel(&self.node);
    }

    /// Whether this token is cancelled (one atomic load).
    ///
    /// ```
    /// let token = runtime::sync::CancellationToken::new();
    /// let clone = token.clone();
    /// clone.cancel();
    /// assert!(token.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.node.is_cancelled()
    }

    /// A future that completes once this token is cancelled (at once if it is).
    ///
    /// Cancel-safe: dropping the future only takes it off the token's queue.
    ///
    /// ```
    /// use runtime::sync::CancellationToken;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let token = CancellationToken::new();
    ///     let waiter = {
    ///         let token = token.clone();
    ///         runtime::spawn(async move { token.cancelled().await })
    ///     };
    ///     token.cancel();
    ///     waiter.await.unwrap();
    /// }
    /// ```
    pub fn cancelled(&self) -> WaitForCancellationFuture<'_> {
        WaitForCancellationFuture {
            token: self,
            wait: Wait::Init,
        }
    }

    /// As `cancelled`, owning the token, so the future can be `'static`.
    ///
    /// Cancel-safe, as `cancelled`.
    ///
    /// ```
    /// use runtime::sync::CancellationToken;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let token = CancellationToken::new();
    ///     let waiter = runtime::spawn(token.clone().cancelled_owned());
    ///     token.cancel();
    ///     waiter.await.unwrap();
    /// }
    /// ```
    pub fn cancelled_owned(self) -> WaitForCancellationFutureOwned {
        WaitForCancellationFutureOwned {
            token: self,
            wait: Wait::Init,
        }
    }

    /// A guard that cancels this token when it is dropped, unless it is `disarm`ed first.
    ///
    /// ```
    /// use runtime::sync::CancellationToken;
    ///
    /// let token = CancellationToken::new();
    /// {
    ///     let _guard = token.clone().drop_guard();
    /// }
    /// assert!(token.is_cancelled());
    /// ```
    pub fn drop_guard(self) -> DropGuard {
        DropGuard { token: Some(self) }
    }

    /// As `drop_guard`, borrowing the token.
    ///
    /// ```
    /// use runtime::sync::CancellationToken;
    ///
    /// let token = CancellationToken::new();
    /// token.drop_guard_ref().disarm();
    /// assert!(!token.is_cancelled());
    /// drop(token.drop_guard_ref());
    /// assert!(token.is_cancelled());
    /// ```
    pub fn drop_guard_ref(&self) -> DropGuardRef<'_> {
        DropGuardRef { token: Some(self) }
    }

    /// Runs `future` until it completes (`Some(output)`) or this token is cancelled (`None`,
    /// and the future is dropped). Cancellation is checked first at each poll, so a token
    /// cancelled before the first poll wins even over a future that is ready.
    ///
    /// Cancel-safe exactly when `future` is: dropping this drops `future`.
    ///
    /// ```
    /// use std::future::pending;
    /// use runtime::sync::CancellationToken;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let token = CancellationToken::new();
    ///     assert_eq!(token.run_until_cancelled(async { 7 }).await, Some(7));
    ///     token.cancel();
    ///     assert_eq!(token.run_until_cancelled(pending::<()>()).await, None);
    /// }
    /// ```
    pub fn run_until_cancelled<F: IntoFuture>(
        &self,
        future: F,
    ) -> RunUntilCancelledFuture<'_, F::IntoFuture> {
        RunUntilCancelledFuture {
            cancelled: self.cancelled(),
            future: future.into_future(),
        }
    }

    /// As `run_until_cancelled`, owning the token.
    ///
    /// Cancel-safe exactly when `future` is.
    ///
    /// ```
    /// use std::future::pending;
    /// use runtime::sync::CancellationToken;
    ///
    /// #[runtime::main(flavor = "current_thread")]
    /// async fn main() {
    ///     let token = CancellationToken::new();
    ///     let task = runtime::spawn(token.clone().run_until_cancelled_owned(pending::<()>()));
    ///     token.cancel();
    ///     assert_eq!(task.await.unwrap(), None);
    /// }
    /// ```
    pub fn run_until_cancelled_owned<F: IntoFuture>(
        self,
        future: F,
    ) -> RunUntilCancelledFutureOwned<F::IntoFuture> {
        RunUntilCancelledFutureOwned {
            cancelled: self.cancelled_owned(),
            future: future.into_future(),
        }
    }

    /// How many children are linked under this token (children whose handles are all gone
    /// are unlinked). For leak tests only.
    #[doc(hidden)]
    pub fn linked_children(&self) -> usize {
        self.node.inner.lock().children.len
    }
}

impl Clone for CancellationToken {
    /// Another handle to the same token.
    fn clone(&self) -> CancellationToken {
        self.node.handles.fetch_add(1, Ordering::Relaxed);
        CancellationToken {
            node: self.node.clone(),
        }
    }
}

impl Drop for CancellationToken {
    fn drop(&mut self) {
        if self.node.handles.fetch_sub(1, Ordering::AcqRel) == 1 {
            Node::release(&self.node);
        }
    }
}

impl Default for CancellationToken {
    fn default() -> CancellationToken {
        CancellationToken::new()
    }
}

impl fmt::Debug for CancellationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancellationToken")
            .field("is_cancelled", &self.is_cancelled())
            .finish()
    }
}

/// Where a `cancelled()` future is: the part shared by the borrowed and owned futures.
#[derive(Debug)]
enum Wait {
    Init,
    Waiting(WaiterId),
    Done,
}

impl Wait {
    fn poll(&mut self, node: &Node, cx: &mut Context<'_>) -> Poll<()> {
        match *self {
            Wait::Done => Poll::Ready(()),
            Wait::Init => {
                if node.is_cancelled() {
                    *self = Wait::Done;
                    return Poll::Ready(());
                }
                let mut inner = node.inner.lock();
                if inner.cancelled {
                    *self = Wait::Done;
                    return Poll::Ready(());
                }
                *self = Wait::Waiting(inner.waiters.push_back((), cx.waker()));
                Poll::Pending
            }
            Wait::Waiting(id) => {
                let mut inner = node.inner.lock();
                if inner.waiters.is_linked(id) {
                    inner.waiters.set_waker(id, cx.waker());
                    return Poll::Pending;
                }
                inner.waiters.remove(id);
                *self = Wait::Done;
                Poll::Ready(())
            }
        }
    }

    fn cancel(&mut self, node: &Node) {
        if let Wait::Waiting(id) = *self {
            *self = Wait::Done;
            node.inner.lock().waiters.remove(id);
        }
    }
}

/// The future of `CancellationToken::cancelled`.
///
/// Cancel-safe: dropping it only takes it off the token's queue.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WaitForCancellationFuture<'a> {
    token: &'a CancellationToken,
    wait: Wait,
}

impl Future for WaitForCancellationFuture<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.wait.poll(&this.token.node, cx)
    }
}

impl Drop for WaitForCancellationFuture<'_> {
    fn drop(&mut self) {
        self.wait.cancel(&self.token.node);
    }
}

impl fmt::Debug for WaitForCancellationFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForCancellationFuture")
            .field("token", self.token)
            .finish()
    }
}

/// The future of `CancellationToken::cancelled_owned`.
///
/// Cancel-safe: dropping it only takes it off the token's queue (and drops its token).
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WaitForCancellationFutureOwned {
    token: CancellationToken,
    wait: Wait,
}

impl Future for WaitForCancellationFutureOwned {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.wait.poll(&this.token.node, cx)
    }
}

impl Drop for WaitForCancellationFutureOwned {
    fn drop(&mut self) {
        self.wait.cancel(&self.token.node);
    }
}

impl fmt::Debug for WaitForCancellationFutureOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitForCancellationFutureOwned")
            .field("token", &self.token)
            .finish()
    }
}

/// Cancels its token when dropped, unless `disarm`ed (`CancellationToken::drop_guard`).
pub struct DropGuard {
    token: Option<CancellationToken>,
}

impl DropGuard {
    /// Gives the token back without cancelling it.
    ///
    /// ```
    /// use runtime::sync::CancellationToken;
    ///
    /// let guard = CancellationToken::new().drop_guard();
    /// let token = guard.disarm();
    /// assert!(!token.is_cancelled());
    /// ```
    pub fn disarm(mut self) -> CancellationToken {
        self.token
            .take()
            .expect("the token is only taken here or in drop")
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if let Some(token) = &self.token {
            token.cancel();
        }
    }
}

impl fmt::Debug for DropGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DropGuard")
            .field("token", &self.token)
            .finish()
    }
}

/// Cancels the token it borrows when dropped, unless `disarm`ed
/// (`CancellationToken::drop_guard_ref`).
pub struct DropGuardRef<'a> {
    token: Option<&'a CancellationToken>,
}

impl<'a> DropGuardRef<'a> {
    /// Gives the token back without cancelling it.
    ///
    /// ```
    /// use runtime::sync::CancellationToken;
    ///
    /// let token = CancellationToken::new();
    /// let again = token.drop_guard_ref().disarm();
    /// assert!(!again.is_cancelled());
    /// ```
    pub fn disarm(mut self) -> &'a CancellationToken {
        self.token
            .take()
            .expect("the token is only taken here or in drop")
    }
}

impl Drop for DropGuardRef<'_> {
    fn drop(&mut self) {
        if let Some(token) = self.token {
            token.cancel();
        }
    }
}

impl fmt::Debug for DropGuardRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DropGuardRef")
            .field("token", &self.token)
            .finish()
    }
}

pin_project! {
    /// The future of `CancellationToken::run_until_cancelled`.
    ///
    /// Cancel-safe exactly when the inner future is.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct RunUntilCancelledFuture<'a, F> {
        cancelled: WaitForCancellationFuture<'a>,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for RunUntilCancelledFuture<'_, F> {
    type Output = Option<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<F::Output>> {
        let this = self.project();
        if Pin::new(this.cancelled).poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        this.future.poll(cx).map(Some)
    }
}

impl<F> fmt::Debug for RunUntilCancelledFuture<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunUntilCancelledFuture")
            .field("token", self.cancelled.token)
            .finish_non_exhaustive()
    }
}

pin_project! {
    /// The future of `CancellationToken::run_until_cancelled_owned`.
    ///
    /// Cancel-safe exactly when the inner future is.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct RunUntilCancelledFutureOwned<F> {
        cancelled: WaitForCancellationFutureOwned,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for RunUntilCancelledFutureOwned<F> {
    type Output = Option<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<F::Output>> {
        let this = self.project();
        if Pin::new(this.cancelled).poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        this.future.poll(cx).map(Some)
    }
}

impl<F> fmt::Debug for RunUntilCancelledFutureOwned<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunUntilCancelledFutureOwned")
            .field("token", &self.cancelled.token)
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn parent_of(token: &CancellationToken) -> Option<Arc<Node>> {
        token
            .node
            .inner
            .lock()
            .parent
            .as_ref()
            .map(|(parent, _)| parent.clone())
    }

    #[test]
    fn dropped_children_leave_the_parent_and_are_freed() {
        let parent = CancellationToken::new();
        let mut weak = Vec::new();
        for round in 0..3 {
            let children: Vec<_> = (0..100).map(|_| parent.child_token()).collect();
            assert_eq!(parent.linked_children(), 100);
            weak.extend(children.iter().map(|child| Arc::downgrade(&child.node)));
            // Drop in an order that exercises the free list.
            let (even, odd): (Vec<_>, Vec<_>) = children
                .into_iter()
                .enumerate()
                .partition(|(i, _)| (i + round) % 2 == 0);
            drop(odd);
            assert_eq!(parent.linked_children(), 50);
            drop(even);
            assert_eq!(parent.linked_children(), 0);
        }
        assert!(weak.iter().all(|node| node.upgrade().is_none()));
        // Only `parent` holds its node: no child kept a reference.
        assert_eq!(Arc::strong_count(&parent.node), 1);
        assert!(parent.node.inner.lock().children.slots.is_empty());
    }

    #[test]
    fn clones_keep_the_child_linked_until_the_last_one_drops() {
        let parent = CancellationToken::new();
        let child = parent.child_token();
        let clone = child.clone();
        drop(child);
        assert_eq!(parent.linked_children(), 1);
        drop(clone);
        assert_eq!(parent.linked_children(), 0);
    }

    #[test]
    fn a_dropped_middle_node_hands_its_children_to_its_parent() {
        let root = CancellationToken::new();
        let middle = root.child_token();
        let leaves: Vec<_> = (0..3).map(|_| middle.child_token()).collect();
        let weak_middle = Arc::downgrade(&middle.node);
        drop(middle);
        assert!(weak_middle.upgrade().is_none());
        assert_eq!(root.linked_children(), 3);
        for leaf in &leaves {
            assert!(Arc::ptr_eq(&parent_of(leaf).unwrap(), &root.node));
        }
        root.cancel();
        assert!(leaves.iter().all(CancellationToken::is_cancelled));
        assert_eq!(root.linked_children(), 0);
        assert!(leaves.iter().all(|leaf| parent_of(leaf).is_none()));
    }

    #[test]
    fn a_dropped_root_leaves_its_children_as_roots() {
        let root = CancellationToken::new();
        let child = root.child_token();
        let grandchild = child.child_token();
        let weak_root = Arc::downgrade(&root.node);
        drop(root);
        assert!(weak_root.upgrade().is_none());
        assert!(parent_of(&child).is_none());
        assert!(!child.is_cancelled());
        child.cancel();
        assert!(grandchild.is_cancelled());
    }

    #[test]
    fn a_cancelled_tree_holds_no_links() {
        let root = CancellationToken::new();
        let child = root.child_token();
        let grandchild = child.child_token();
        let great = grandchild.child_token();
        root.cancel();
        for token in [&child, &grandchild, &great] {
            assert!(token.is_cancelled());
            assert!(parent_of(token).is_none());
            assert_eq!(token.linked_children(), 0);
        }
        assert_eq!(Arc::strong_count(&root.node), 1);
        assert_eq!(Arc::strong_count(&child.node), 1);
    }

    #[test]
    fn a_deep_chain_cancels_without_recursion() {
        let root = CancellationToken::new();
        let mut chain = vec![root.child_token()];
        for _ in 0..100_000 {
            let next = chain.last().unwrap().child_token();
            chain.push(next);
        }
        root.cancel();
        assert!(chain.last().unwrap().is_cancelled());
        // Dropping the chain from the root end does not recurse either.
        drop(chain);
    }

    #[test]
    fn a_deep_live_chain_drops_from_either_end() {
        for reversed in [false, true] {
            let root = CancellationToken::new();
            let mut chain = vec![root.child_token()];
            for _ in 0..100_000 {
                let next = chain.last().unwrap().child_token();
                chain.push(next);
            }
            if reversed {
                chain.reverse();
            }
            let weak: Vec<_> = chain
                .iter()
                .map(|token| Arc::downgrade(&token.node))
                .collect();
            drop(chain);
            assert_eq!(root.linked_children(), 0);
            assert!(weak.iter().all(|node| node.upgrade().is_none()));
        }
    }
}
