//! RESP2 request parsing and reply encoding for mini_redis.
//!
//! Requests come in two shapes, as redis accepts them: multibulk arrays (`*2\r\n$3\r\nGET\r\n...`,
//! what redis-cli and redis-benchmark send) and inline commands (`GET key\r\n`, what a person
//! types in telnet). [`parse_request`] parses one request from the front of a byte buffer without
//! copying: a multibulk request's arguments are ranges into that buffer; an inline request's
//! (which may contain quotes and escapes) are copied into a reusable scratch buffer. A buffer that
//! ends inside a request gives `Ok(None)`, so the caller reads more and parses again; a request
//! that redis would reject as a protocol error gives the same error text (the caller replies it
//! and closes the connection, as redis does).
//!
//! The reply encoders append to an output buffer, so one `write_all` sends all the replies to
//! the requests that arrived in one read.

use std::ops::Range;

/// The longest inline request, and the longest `*<n>`/`$<n>` line, redis accepts (64 KiB).
pub const MAX_INLINE: usize = 64 * 1024;

/// Limits on the size of a multibulk request (redis: `proto-max-bulk-len`, and the largest
/// multibulk length it accepts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest bulk string, in bytes.
    pub max_bulk: usize,
    /// The largest number of arguments in one request.
    pub max_array: usize,
}

/// Where a parsed request's argument ranges point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Into the input buffer given to [`parse_request`] (multibulk requests).
    Input,
    /// Into the scratch buffer given to [`parse_request`] (inline requests).
    Scratch,
}

/// A request parsed from the front of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    /// How many input bytes the request took.
    pub consumed: usize,
    /// Where the argument ranges point (no arguments: an empty request, to be skipped).
    pub source: Source,
}

/// A protocol error: the text after `-ERR ` of redis's reply (for example
/// `Protocol error: invalid bulk length`). The connection is closed after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProtocolError {}

fn protocol_error(what: &str) -> ProtocolError {
    ProtocolError(format!("Protocol error: {what}"))
}

/// Parses one request from the front of `input`.
///
/// On `Ok(Some(parsed))`, `args` holds the request's arguments as ranges into `input` or
/// `scratch` (see [`Parsed::source`]); it is empty for requests redis ignores (`*0`, `*-1`, a
/// blank inline line). `Ok(None)`: `input` ends before the request does.
pub fn parse_request(
    input: &[u8],
    limits: &Limits,
    args: &mut Vec<Range<usize>>,
    scratch: &mut Vec<u8>,
) -> Result<Option<Parsed>, ProtocolError> {
    args.clear();
    match input.first() {
        None => Ok(None),
        Some(b'*') => parse_multibulk(input, limits, args),
        Some(_) => parse_inline(input, args, scratch),
    }
}

/// The line that starts at `from` (without its `\r\n`) and where the next one starts; `None` if
/// the input has no `\r` after `from` yet. Like redis, only the `\r` is searched for and the byte
/// after it is assumed to be `\n`.
fn line(input: &[u8], from: usize) -> Option<(Range<usize>, usize)> {
    let rest = input.get(from..)?;
    let cr = rest.iter().position(|&b| b == b'\r')?;
    if from + cr + 1 >= input.len() {
        return None; // the `\n` has not arrived yet
    }
    Some((from..from + cr, from + cr + 2))
}

fn parse_multibulk(
    input: &[u8],
    limits: &Limits,
    args: &mut Vec<Range<usize>>,
) -> Result<Option<Parsed>, ProtocolError> {
    let Some((count_line, mut pos)) = line(input, 1) else {
        if input.len() > MAX_INLINE {
            return Err(protocol_error("too big mbulk count string"));
        }
        return Ok(None);
    };
    let count = match parse_i64(&input[count_line]) {
        Some(n) if n <= i32::MAX as i64 && (n <= 0 || n as u64 <= limits.max_array as u64) => n,
        _ => return Err(protocol_error("invalid multibulk length")),
    };
    if count <= 0 {
        return Ok(Some(Parsed {
            consumed: pos,
            source: Source::Input,
        }));
    }
    args.reserve((count as usize).min(1024));
    for _ in 0..count {
        let Some((len_line, data)) = line(input, pos) else {
            if input.len() - pos > MAX_INLINE {
                return Err(protocol_error("too big bulk count string"));
            }
            return Ok(None);
        };
        if input[pos] != b'$' {
            let got = input[pos] as char;
            return Err(ProtocolError(format!(
                "Protocol error: expected '$', got '{got}'"
            )));
        }
        let len = match parse_i64(&input[len_line.start + 1..len_line.end]) {
            Some(n) if n >= 0 && n as u64 <= limits.max_bulk as u64 => n as usize,
            _ => return Err(protocol_error("invalid bulk length")),
        };
        // Like redis, the two bytes after the data are skipped without being looked at.
        let end = data + len;
        if input.len() < end + 2 {
            return Ok(None);
        }
        args.push(data..end);
        pos = end + 2;
    }
    Ok(Some(Parsed {
        consumed: pos,
        source: Source::Input,
    }))
}

fn parse_inline(
    input: &[u8],
    args: &mut Vec<Range<usize>>,
    scratch: &mut Vec<u8>,
) -> Result<Option<Parsed>, ProtocolError> {
    let Some(newline) = input.iter().position(|&b| b == b'\n') else {
        if input.len() > MAX_INLINE {
            return Err(protocol_error("too big inline request"));
        }
        return Ok(None);
    };
    let mut text = &input[..newline];
    if let [head @ .., b'\r'] = text {
        text = head;
    }
    // Like redis (which splits it as a C string), a NUL byte ends the request's text.
    if let Some(nul) = text.iter().position(|&b| b == 0) {
        text = &text[..nul];
    }
    scratch.clear();
    if split_args(text, args, scratch).is_none() {
        args.clear();
        return Err(protocol_error("unbalanced quotes in request"));
    }
    Ok(Some(Parsed {
        consumed: newline + 1,
        source: Source::Scratch,
    }))
}

/// C's `isspace`: space, `\t`, `\n`, `\v`, `\f`, `\r`.
fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0b
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Splits an inline request into arguments the way redis does (`sdssplitargs`): separated by
/// whitespace, `"..."` with backslash escapes (`\n`, `\r`, `\t`, `\b`, `\a`, `\xHH`), `'...'`
/// with `\'` only; a closing quote must be followed by whitespace or the end. `None`: unbalanced.
fn split_args(text: &[u8], args: &mut Vec<Range<usize>>, out: &mut Vec<u8>) -> Option<()> {
    let mut i = 0;
    loop {
        while text.get(i).is_some_and(|&b| is_space(b)) {
            i += 1;
        }
        if i >= text.len() {
            return Some(());
        }
        let start = out.len();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            let Some(&c) = text.get(i) else {
                if in_double || in_single {
                    return None;
                }
                break;
            };
            if in_double {
                if c == b'\\' && text.get(i + 1) == Some(&b'x') {
                    let hex = text
                        .get(i + 2)
                        .and_then(|&h| hex_value(h))
                        .zip(text.get(i + 3).and_then(|&l| hex_value(l)));
                    if let Some((h, l)) = hex {
                        out.push(h * 16 + l);
                        i += 4;
                        continue;
                    }
                }
                if c == b'\\' && i + 1 < text.len() {
                    out.push(match text[i + 1] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                    i += 2;
                    continue;
                }
                if c == b'"' {
                    if text.get(i + 1).is_some_and(|&n| !is_space(n)) {
                        return None;
                    }
                    i += 1;
                    break;
                }
                out.push(c);
                i += 1;
            } else if in_single {
                if c == b'\\' && text.get(i + 1) == Some(&b'\'') {
                    out.push(b'\'');
                    i += 2;
                    continue;
                }
                if c == b'\'' {
                    if text.get(i + 1).is_some_and(|&n| !is_space(n)) {
                        return None;
                    }
                    i += 1;
                    break;
                }
                out.push(c);
                i += 1;
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        i += 1;
                        break;
                    }
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    _ => out.push(c),
                }
                i += 1;
            }
        }
        args.push(start..out.len());
    }
}

/// Parses a decimal `i64` the way redis's `string2ll` does: optional `-`, no `+`, no spaces, no
/// leading zeros (and no `-0`), no overflow.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s {
        [b'0'] => return Some(0),
        [b'-', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut value: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        if value > i64::MAX as u64 + 1 {
            return None;
        }
        Some((value as i64).wrapping_neg())
    } else {
        i64::try_from(value).ok()
    }
}

/// Appends `+<text>\r\n`.
pub fn simple(out: &mut Vec<u8>, text: &str) {
    out.push(b'+');
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends `-<text>\r\n`, with any `\r` or `\n` in `text` replaced by a space (as redis does).
pub fn error(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b'-');
    out.extend(
        text.iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
    );
    out.extend_from_slice(b"\r\n");
}

fn decimal(out: &mut Vec<u8>, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[at..]);
}

/// Appends `:<n>\r\n`.
pub fn integer(out: &mut Vec<u8>, n: i64) {
    out.push(b':');
    decimal(out, n);
    out.extend_from_slice(b"\r\n");
}

/// Appends `$<len>\r\n<data>\r\n`.
pub fn bulk(out: &mut Vec<u8>, data: &[u8]) {
    out.push(b'$');
    decimal(out, data.len() as i64);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// Appends the null bulk string `$-1\r\n`.
pub fn null(out: &mut Vec<u8>) {
    out.extend_from_slice(b"$-1\r\n");
}

/// Appends an array header `*<len>\r\n`; the caller appends the `len` elements.
pub fn array(out: &mut Vec<u8>, len: usize) {
    out.push(b'*');
    decimal(out, len as i64);
    out.extend_from_slice(b"\r\n");
}
