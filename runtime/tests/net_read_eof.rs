//! A short stream read clears read readiness (no extra `recv` that would only say "would
//! block"); these tests pin down that nothing is lost by it: an end of file queued right behind
//! the data, data that arrives after the short read, and both on TCP and Unix streams. A lost
//! wake-up would leave a read pending forever, so each read runs under a generous real-time
//! guard that turns a hang into a failure. Also: `shutdown` after the peer reset the connection
//! is `Ok`, not the kernel's `NotConnected`.

use std::time::Duration;

use runtime::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream, UnixStream};
use runtime::time::timeout;

/// Far longer than any of these reads takes; only a lost wake-up reaches it.
const HANG: Duration = Duration::from_secs(20);

async fn read_some<R: AsyncRead + Unpin>(reader: &mut R, buf: &mut [u8]) -> usize {
    timeout(HANG, reader.read(buf))
        .await
        .expect("the read never woke up")
        .unwrap()
}

async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

#[runtime::test]
async fn tcp_end_of_file_queued_behind_a_short_read_is_seen() {
    let (mut writer, mut reader) = tcp_pair().await;
    // Wait until the reader is known readable, so data and FIN are both queued when it reads.
    writer.write_all(b"hello").await.unwrap();
    writer.shutdown(std::net::Shutdown::Write).unwrap();
    reader.readable().await.unwrap();

    let mut buf = [0u8; 1024];
    let mut got = Vec::new();
    loop {
        let n = read_some(&mut reader, &mut buf).await;
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, b"hello");
}

#[runtime::test]
async fn tcp_data_after_a_short_read_wakes_the_reader() {
    let (mut writer, mut reader) = tcp_pair().await;
    let mut buf = [0u8; 1024];
    for round in 0..50u32 {
        let message = format!("round {round}");
        writer.write_all(message.as_bytes()).await.unwrap();
        let mut got = Vec::new();
        while got.len() < message.len() {
            let n = read_some(&mut reader, &mut buf).await;
            assert!(n > 0, "unexpected end of file");
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, message.as_bytes());
    }
    drop(writer);
    assert_eq!(read_some(&mut reader, &mut buf).await, 0);
}

#[runtime::test]
async fn tcp_close_after_a_short_read_is_seen() {
    let (mut writer, mut reader) = tcp_pair().await;
    writer.write_all(b"last words").await.unwrap();
    let mut buf = [0u8; 1024];
    let n = read_some(&mut reader, &mut buf).await;
    assert_eq!(&buf[..n], &b"last words"[..n]);
    // The short read above cleared read readiness; the close comes after it.
    drop(writer);
    let mut rest = Vec::new();
    timeout(HANG, reader.read_to_end(&mut rest))
        .await
        .expect("the end of file never woke the reader")
        .unwrap();
    assert_eq!([&buf[..n], &rest[..]].concat(), b"last words");
}

#[runtime::test]
async fn unix_end_of_file_queued_behind_a_short_read_is_seen() {
    let (mut writer, mut reader) = UnixStream::pair().unwrap();
    writer.write_all(b"bye").await.unwrap();
    writer.shutdown(std::net::Shutdown::Write).unwrap();
    reader.readable().await.unwrap();

    let mut buf = [0u8; 1024];
    assert_eq!(read_some(&mut reader, &mut buf).await, 3);
    assert_eq!(&buf[..3], b"bye");
    assert_eq!(read_some(&mut reader, &mut buf).await, 0);
}

#[test]
fn tcp_short_reads_on_a_multi_thread_runtime_lose_nothing() {
    let rt = runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let (writer, mut reader) = tcp_pair().await;
        // A writer task sends many small pieces with yields in between, so the reader keeps
        // meeting short reads, then closes; the reader must get every byte and the end.
        let sender = runtime::spawn(async move {
            let mut writer = writer;
            let mut sent = 0usize;
            for i in 0..2_000u32 {
                let piece = i.to_le_bytes();
                writer.write_all(&piece).await.unwrap();
                sent += piece.len();
                if i % 7 == 0 {
                    runtime::task::yield_now().await;
                }
            }
            sent
        });
        let mut got = Vec::new();
        timeout(HANG, reader.read_to_end(&mut got))
            .await
            .expect("a wake-up was lost")
            .unwrap();
        let sent = sender.await.unwrap();
        assert_eq!(got.len(), sent);
        let expected: Vec<u8> = (0..2_000u32).flat_map(u32::to_le_bytes).collect();
        assert_eq!(got, expected);
    });
}

#[runtime::test]
async fn tcp_shutdown_after_the_peer_reset_is_ok() {
    let (writer, mut reader) = tcp_pair().await;
    // Closing with a zero linger sends a reset instead of a FIN.
    writer.set_linger(Some(Duration::ZERO)).unwrap();
    drop(writer);
    let mut buf = [0u8; 16];
    let read = timeout(HANG, reader.read(&mut buf))
        .await
        .expect("the reset never woke the reader");
    assert!(
        matches!(&read, Ok(0))
            || read
                .as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "{read:?}"
    );
    // The kernel answers `NotConnected` now; there is nothing left to shut, so it is `Ok`
    // (hyper's HTTP/2 server fails a finished connection on that error otherwise).
    reader.shutdown(std::net::Shutdown::Write).unwrap();
    reader.close().await.unwrap();
}
