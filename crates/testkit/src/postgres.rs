//! A throwaway PostgreSQL cluster for tests and benchmarks: Debian's own server (package
//! `postgresql`), a data folder in a temporary folder, listening on 127.0.0.1 at a free port,
//! stopped and removed when dropped.
//!
//! The server refuses to run as root, and CI runs as root: then the cluster is made and run as
//! the unprivileged `postgres` user that the package creates, in a folder it can reach.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A running cluster; its superuser `postgres` signs in without a password from this machine.
#[derive(Debug)]
pub struct TempPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    run_as: Option<&'static str>,
}

/// The user the cluster runs as when the tests run as root.
const SERVER_USER: &str = "postgres";

impl TempPostgres {
    /// Makes and starts a cluster. `fsync` off is for tests (a crash of the machine, not of a
    /// hub, is not what they check); benchmarks keep it on.
    ///
    /// # Panics
    /// When the server is not installed or does not start: the message says which.
    pub fn start(fsync: bool) -> TempPostgres {
        let bin = server_bin();
        let run_as = is_root().then_some(SERVER_USER);
        let dir = tempfile::Builder::new()
            .prefix("liaison-pg-")
            .tempdir()
            .expect("a temporary folder");
        let cluster = TempPostgres {
            port: free_port(),
            dir,
            bin,
            run_as,
        };
        if let Some(user) = run_as {
            // mktemp's folder is 0700: the server's user must reach its data folder in it.
            run(Command::new("chmod").arg("0755").arg(cluster.dir.path()));
            run(Command::new("chown")
                .arg(format!("{user}:"))
                .arg(cluster.dir.path()));
        }
        cluster.server_command("initdb", |command| {
            command
                .arg("--pgdata")
                .arg(cluster.data())
                .args(["--username=postgres", "--auth=trust", "--encoding=UTF8"])
                .args(["--locale=C.UTF-8", "--no-sync", "--no-instructions"]);
        });
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync={} -c max_connections=200",
            cluster.port,
            cluster.dir.path().display(),
            if fsync { "on" } else { "off" },
        );
        cluster.server_command("pg_ctl", |command| {
            command
                .arg("--pgdata")
                .arg(cluster.data())
                .arg("--log")
                .arg(cluster.dir.path().join("server.log"))
                .args(["--wait", "--options", &options, "start"]);
        });
        cluster
    }

    /// One cluster for the whole test process, made on first use and stopped (and its folder
    /// removed) by a watcher process once this process has ended, however it ends: for suites
    /// whose tests each need a database, not a server of their own.
    ///
    /// # Panics
    /// As [`TempPostgres::start`].
    pub fn shared() -> &'static TempPostgres {
        static SHARED: std::sync::OnceLock<TempPostgres> = std::sync::OnceLock::new();
        SHARED.get_or_init(|| {
            let cluster = TempPostgres::start(false);
            cluster.stop_when_gone(std::process::id());
            cluster
        })
    }

    /// Database `name`, made if it is not there yet; answers its URL.
    pub fn database(&self, name: &str) -> String {
        let exists = self.psql(
            "postgres",
            &format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'"),
        );
        if exists == "1" {
            self.database_url(name)
        } else {
            self.create_database(name)
        }
    }

    /// Starts a watcher that stops the cluster and removes its folder once process `pid` is
    /// gone (a static is never dropped).
    fn stop_when_gone(&self, pid: u32) {
        let stop = format!(
            "{} {} --pgdata '{}' --mode=immediate --wait stop",
            self.run_as
                .map(|user| format!("runuser -u {user} --"))
                .unwrap_or_default(),
            self.bin.join("pg_ctl").display(),
            self.data().display(),
        );
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{}'",
            self.dir.path().display()
        );
        // Started in the background by a shell that ends at once: the watcher is nobody's child
        // here, so it outlives this process.
        let started = Command::new("sh")
            .args(["-c", &format!("( {script} ) </dev/null >/dev/null 2>&1 &")])
            .status()
            .expect("the cluster's watcher");
        assert!(started.success(), "the cluster's watcher: {started}");
    }

    /// The URL of database `postgres` as its superuser.
    pub fn url(&self) -> String {
        self.database_url("postgres")
    }

    /// The URL of database `name` (made by [`TempPostgres::create_database`]).
    pub fn database_url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Makes an empty database `name` and answers its URL.
    pub fn create_database(&self, name: &str) -> String {
        self.server_command("createdb", |command| {
            command.args(["--host=127.0.0.1", "--username=postgres"]);
            command.arg(format!("--port={}", self.port)).arg(name);
        });
        self.database_url(name)
    }

    /// Runs SQL with `psql` in database `name` and answers what it printed (unaligned, tuples
    /// only): for tests that look inside the store.
    pub fn psql(&self, name: &str, sql: &str) -> String {
        let output = self.server_command("psql", |command| {
            command.args(["--host=127.0.0.1", "--username=postgres", "-XAtq"]);
            command.arg(format!("--port={}", self.port)).args([
                "--dbname",
                name,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ]);
        });
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs one of the server's programs and checks it succeeded.
    fn server_command(&self, program: &str, args: impl FnOnce(&mut Command)) -> Output {
        let mut command = self.program(program);
        args(&mut command);
        run(&mut command)
    }

    /// One of the server's programs, as the server's user when that is not us, in a folder
    /// that user may be in (its own home may not be ours).
    fn program(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        let mut command = match self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(path);
                command
            }
            None => Command::new(path),
        };
        command.current_dir(self.dir.path());
        command
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = self
            .program("pg_ctl")
            .arg("--pgdata")
            .arg(self.data())
            .args(["--mode=immediate", "--wait", "stop"])
            .output();
    }
}

/// The newest installed server's programs.
fn server_bin() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let newest = std::fs::read_dir(root)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .max()
        .expect("PostgreSQL is not installed: apt-get install postgresql (scripts/lib.sh)");
    root.join(newest.to_string()).join("bin")
}

fn is_root() -> bool {
    let output = run(Command::new("id").arg("-u"));
    String::from_utf8_lossy(&output.stdout).trim() == "0"
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run {command:?}: {err}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
