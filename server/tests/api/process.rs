//! The real `smartai serve` binary in a child process, on SQLite in a temp folder, its log lines
//! kept in a file for the test to read.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

pub struct Served {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
    pub database: PathBuf,
    _data_dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `smartai serve` with these settings (on top of a database, a data folder and a port)
/// and waits until it is ready. No `OTEL_*` variable of the test's own environment leaks in.
pub async fn serve(settings: &[(&str, String)]) -> Served {
    let data_dir = tempfile::tempdir().unwrap();
    let database = data_dir.path().join("app.db");
    let log = data_dir.path().join("stdout.log");
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_smartai"));
    command
        .arg("serve")
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", database.display()))
        .env("DATA_DIR", data_dir.path())
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
        .stderr(Stdio::inherit());
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("OTEL_")) {
        command.env_remove(name);
    }
    for (name, value) in settings {
        command.env(name, value);
    }
    let served = Served {
        child: command.spawn().expect("the binary runs"),
        base: format!("http://127.0.0.1:{port}"),
        log,
        database,
        _data_dir: data_dir,
    };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if reqwest::get(format!("{}/health/ready", served.base)).await.is_ok_and(|r| r.status() == 200) {
            return served;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("smartai serve on port {port} did not become ready");
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn log_lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log).unwrap_or_default().lines().map(str::to_owned).collect()
    }

    /// What `docker stop` and Kubernetes send.
    pub fn terminate(&self) {
        let status = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap();
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits for the process to end, up to `limit`.
    pub async fn exit_within(&mut self, limit: Duration) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < limit, "the server did not exit within {limit:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Polls the log until a line satisfies `found`, up to `limit`.
    pub async fn wait_for_log(&self, limit: Duration, found: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            if let Some(line) = self.log_lines().into_iter().find(|line| found(line)) {
                return line;
            }
            assert!(started.elapsed() < limit, "no such log line within {limit:?}:\n{}", self.log_lines().join("\n"));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
