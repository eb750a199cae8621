//! What the hub's test files share: the `liaison-hub` binary started as an operator starts it.
#![allow(clippy::unwrap_used, dead_code)]

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Starts the hub binary on the book at `db` on a free port, with `extra` arguments; answers
/// the process and the address it printed.
pub fn spawn_hub<S: AsRef<OsStr>>(db: &Path, extra: &[S]) -> (Child, SocketAddr) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_liaison-hub"))
        .arg("--db")
        .arg(db)
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .split("://")
        .nth(1)
        .unwrap()
        .trim()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    (child, address)
}
