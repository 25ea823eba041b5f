//! Readiness vocabulary: which directions a source is registered for (`Interest`), which it is
//! ready for (`Ready`), and a readiness snapshot tagged with the event that produced it
//! (`ReadyEvent`), so clearing it cannot erase a newer event.

use std::fmt;
use std::ops;

/// The directions a source is watched for.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interest(u8);

impl Interest {
    /// Wake readers when the source can be read (or the peer closed, or an error is pending).
    pub const READABLE: Interest = Interest(0b01);
    /// Wake writers when the source can be written.
    pub const WRITABLE: Interest = Interest(0b10);

    /// Both sets of directions.
    #[must_use]
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// True if readers are woken.
    pub const fn is_readable(self) -> bool {
        self.0 & Interest::READABLE.0 != 0
    }

    /// True if writers are woken.
    pub const fn is_writable(self) -> bool {
        self.0 & Interest::WRITABLE.0 != 0
    }

    /// The readiness bits that satisfy this interest.
    pub(crate) fn mask(self) -> Ready {
        let mut ready = Ready::ERROR;
        if self.is_readable() {
            ready = ready | Ready::READABLE | Ready::READ_CLOSED;
        }
        if self.is_writable() {
            ready = ready | Ready::WRITABLE | Ready::WRITE_CLOSED;
        }
        ready
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;
    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.is_readable(), self.is_writable()) {
            (true, true) => f.write_str("READABLE | WRITABLE"),
            (true, false) => f.write_str("READABLE"),
            (false, true) => f.write_str("WRITABLE"),
            (false, false) => f.write_str("(none)"),
        }
    }
}

/// What a source is ready for, as last reported by the reactor.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ready(u8);

impl Ready {
    /// Nothing.
    pub const EMPTY: Ready = Ready(0);
    /// Readable.
    pub const READABLE: Ready = Ready(0b0001);
    /// Writable.
    pub const WRITABLE: Ready = Ready(0b0010);
    /// The peer closed its writing half (reads will return 0 once drained).
    pub const READ_CLOSED: Ready = Ready(0b0100);
    /// Writing is closed (the peer hung up).
    pub const WRITE_CLOSED: Ready = Ready(0b1000);
    /// An error is pending on the source.
    pub const ERROR: Ready = Ready(0b1_0000);
    pub(crate) const ALL: Ready = Ready(0b1_1111);

    pub(crate) const fn from_bits(bits: usize) -> Ready {
        Ready((bits & Ready::ALL.0 as usize) as u8)
    }

    pub(crate) const fn bits(self) -> usize {
        self.0 as usize
    }

    /// True if no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True if readable.
    pub const fn is_readable(self) -> bool {
        self.0 & (Ready::READABLE.0 | Ready::READ_CLOSED.0) != 0
    }

    /// True if writable.
    pub const fn is_writable(self) -> bool {
        self.0 & (Ready::WRITABLE.0 | Ready::WRITE_CLOSED.0) != 0
    }

    /// True if the read side is closed.
    pub const fn is_read_closed(self) -> bool {
        self.0 & Ready::READ_CLOSED.0 != 0
    }

    /// True if the write side is closed.
    pub const fn is_write_closed(self) -> bool {
        self.0 & Ready::WRITE_CLOSED.0 != 0
    }

    /// True if an error is pending.
    pub const fn is_error(self) -> bool {
        self.0 & Ready::ERROR.0 != 0
    }

    /// The bits a "would block" result clears: all but the closed bits, which are final (an
    /// error is reported once by the operation that hits it).
    pub(crate) const fn clearable(self) -> Ready {
        Ready(self.0 & (Ready::READABLE.0 | Ready::WRITABLE.0 | Ready::ERROR.0))
    }

    pub(crate) const fn intersection(self, other: Ready) -> Ready {
        Ready(self.0 & other.0)
    }
}

impl ops::BitOr for Ready {
    type Output = Ready;
    fn bitor(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Ready::READABLE, "READABLE"),
            (Ready::WRITABLE, "WRITABLE"),
            (Ready::READ_CLOSED, "READ_CLOSED"),
            (Ready::WRITE_CLOSED, "WRITE_CLOSED"),
            (Ready::ERROR, "ERROR"),
        ];
        let mut list = f.debug_set();
        for (bit, name) in names {
            if self.0 & bit.0 != 0 {
                list.entry(&format_args!("{name}"));
            }
        }
        list.finish()
    }
}

/// A readiness snapshot and the event count it was read at. Pass it back to
/// `Registration::clear_readiness` after an operation would block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadyEvent {
    pub(crate) ready: Ready,
    pub(crate) tick: u8,
}

impl ReadyEvent {
    /// The readiness seen.
    pub fn ready(&self) -> Ready {
        self.ready
    }
}
