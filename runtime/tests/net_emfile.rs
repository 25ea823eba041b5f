//! Running out of file descriptors: `accept` reports `EMFILE`, keeps the listener's readiness
//! (the next call retries at once instead of waiting for an edge that will not come), and the
//! same accept loop serves the pending connection as soon as descriptors are freed.
//!
//! Lowering `RLIMIT_NOFILE` and filling the descriptor table would disturb every other test
//! running in this process, so the parent test re-runs this test binary with only
//! `emfile_child` selected and `RUNTIME_EMFILE_CHILD=1` set; without that variable the child
//! test returns at once. The child prints a marker line when everything held.

use std::fs::File;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::TcpListener;

mod common;

const CHILD_ENV: &str = "RUNTIME_EMFILE_CHILD";
const MARKER: &str = "EMFILE-CHILD-OK: accept failed with EMFILE, then recovered and echoed";
/// Only guards against a hung child; the test never waits this long when it passes.
const CHILD_DEADLINE: Duration = Duration::from_secs(120);

#[test]
fn accept_recovers_from_emfile() {
    let exe = std::env::current_exe().unwrap();
    let child = Command::new(exe)
        .args(["--exact", "emfile_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("re-run the test binary");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = match rx.recv_timeout(CHILD_DEADLINE) {
        Ok(output) => output.expect("wait for the child"),
        Err(_) => {
            // SAFETY: plain kill(2) of the child we started and have not reaped.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            panic!("the EMFILE child did not finish within {CHILD_DEADLINE:?}; it was killed");
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the EMFILE child failed ({}).\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        output.status
    );
    assert!(
        stdout.lines().any(|line| line.trim() == MARKER),
        "the child passed but did not print its marker (was the child test run at all?)\n\
         --- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
    );
}

/// The child: does nothing unless the parent asked for it.
#[test]
fn emfile_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    run_child();
    // On its own line: the harness has already printed "test emfile_child ... ".
    println!("\n{MARKER}");
}

fn rlimit_nofile() -> libc::rlimit {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(rc, 0, "getrlimit: {}", std::io::Error::last_os_error());
    limit
}

fn set_rlimit_nofile(limit: libc::rlimit) {
    // SAFETY: `limit` is a valid rlimit.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(rc, 0, "setrlimit: {}", std::io::Error::last_os_error());
}

/// The highest descriptor number open in this process.
fn highest_open_fd() -> u64 {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .unwrap_or(2)
}

enum ToClient {
    Connect,
}

enum FromClient {
    Connected(std::io::Result<SocketAddr>),
    Echo(std::io::Result<Vec<u8>>),
}

/// A blocking client on its own OS thread: connects when told, sends "ping", and reports the
/// reply.
fn spawn_client(addr: SocketAddr) -> (mpsc::Sender<ToClient>, mpsc::Receiver<FromClient>) {
    let (to_client, commands) = mpsc::channel();
    let (reports, from_client) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok(ToClient::Connect) = commands.recv() else {
            return;
        };
        let mut stream = match std::net::TcpStream::connect(addr) {
            Ok(stream) => stream,
            Err(error) => {
                let _ = reports.send(FromClient::Connected(Err(error)));
                return;
            }
        };
        let sent = stream.write_all(b"ping").and_then(|()| stream.local_addr());
        let failed = sent.is_err();
        let _ = reports.send(FromClient::Connected(sent));
        if failed {
            return;
        }
        // Guards against a hang only; the reply comes as soon as the server accepts.
        let _ = stream.set_read_timeout(Some(CHILD_DEADLINE));
        let mut reply = vec![0u8; 4];
        let result = stream.read_exact(&mut reply).map(|()| reply);
        let _ = reports.send(FromClient::Echo(result));
    });
    (to_client, from_client)
}

fn run_child() {
    let rt = common::current_thread();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let (to_client, from_client) = spawn_client(addr);

    let original = rlimit_nofile();
    let low = highest_open_fd() + 1 + 20;
    assert!(
        original.rlim_cur == libc::RLIM_INFINITY || low <= original.rlim_cur,
        "the soft limit is already below {low}"
    );
    set_rlimit_nofile(libc::rlimit {
        rlim_cur: low,
        rlim_max: original.rlim_max,
    });

    // Fill every descriptor slot below the limit.
    let mut held = Vec::new();
    loop {
        match File::open("/dev/null") {
            Ok(file) => held.push(file),
            Err(error) if error.raw_os_error() == Some(libc::EMFILE) => break,
            Err(error) => panic!("open /dev/null: {error}"),
        }
        assert!(held.len() < 10_000, "RLIMIT_NOFILE {low} is not enforced");
    }
    assert!(held.len() >= 5, "only {} descriptors filled", held.len());

    // Exactly one slot free: the client's socket takes it; its connection completes in the
    // kernel (backlog) and waits to be accepted, with "ping" already sent.
    drop(held.pop());
    to_client.send(ToClient::Connect).unwrap();
    let client_addr = match from_client.recv().unwrap() {
        FromClient::Connected(result) => result.expect("client connect"),
        FromClient::Echo(_) => unreachable!(),
    };
    assert!(
        File::open("/dev/null").err().and_then(|e| e.raw_os_error()) == Some(libc::EMFILE),
        "the descriptor table should be full again"
    );

    let (peer, emfile_errors) = rt.block_on(async move {
        let mut emfile_errors = 0;
        // An ordinary accept loop: on an error it carries on with the next accept.
        let (mut stream, peer) = loop {
            match listener.accept().await {
                Ok(accepted) => break accepted,
                Err(error) => {
                    assert_eq!(
                        error.raw_os_error(),
                        Some(libc::EMFILE),
                        "accept failed, but not with EMFILE: {error:?}"
                    );
                    emfile_errors += 1;
                    assert!(emfile_errors <= 2, "still EMFILE after freeing descriptors");
                    if emfile_errors == 1 {
                        // The error kept the readiness: polling again retries the system call
                        // at once (and fails the same way) instead of waiting for a new edge.
                        let poll = listener.poll_accept(&mut Context::from_waker(Waker::noop()));
                        match poll {
                            Poll::Ready(Err(e)) if e.raw_os_error() == Some(libc::EMFILE) => {}
                            Poll::Ready(other) => {
                                panic!("a second accept while full: {:?}", other.map(|_| ()))
                            }
                            Poll::Pending => panic!(
                                "after EMFILE the listener waits for a new readiness edge: \
                                 the pending connection would never be accepted"
                            ),
                        }
                        emfile_errors += 1;
                        // Free some descriptors; the loop's next accept takes the connection.
                        held.truncate(held.len() - 5);
                    }
                }
            }
        };
        let mut ping = [0u8; 4];
        stream.read_exact(&mut ping).await.unwrap();
        assert_eq!(&ping, b"ping");
        stream.write_all(b"pong").await.unwrap();
        drop(held);
        (peer, emfile_errors)
    });
    assert_eq!(emfile_errors, 2);
    assert_eq!(peer, client_addr);
    match from_client.recv().unwrap() {
        FromClient::Echo(result) => assert_eq!(result.expect("client read"), b"pong"),
        FromClient::Connected(_) => unreachable!(),
    }
    set_rlimit_nofile(original);
}
