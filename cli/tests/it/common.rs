//! Shared helpers: an in-process emulator and a way to run the `cspark` binary against it.

use std::path::Path;
use std::process::{Command, Output};

use cspark_emulator::{Emulator, EmulatorConfig, EmulatorHandle};

/// The emulator (kept alive by its runtime) plus a private config directory.
pub struct Env {
    pub handle: EmulatorHandle,
    pub config: tempfile::TempDir,
    pub work: tempfile::TempDir,
    _rt: tokio::runtime::Runtime,
}

impl Env {
    pub fn start() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        // The demo cylinder is a public service (Spark's `PublicAPI`), for `--public` calls.
        let mut config = EmulatorConfig::default()
            .with_demo_workbooks()
            .with_public_service("demo/volume-cylinder");
        config.addr = "127.0.0.1:0".parse().unwrap();
        let handle = rt.block_on(Emulator::start(config)).unwrap();
        Self {
            handle,
            config: tempfile::tempdir().unwrap(),
            work: tempfile::tempdir().unwrap(),
            _rt: rt,
        }
    }

    /// `cspark` with only this test's config directory (no inherited CSPARK_* variables).
    pub fn bare(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cspark"));
        for (k, _) in std::env::vars() {
            if k.starts_with("CSPARK_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("CSPARK_CONFIG_DIR", self.config.path())
            .current_dir(self.work.path());
        cmd
    }

    /// `cspark --base-url … --api-key k ARGS`.
    pub fn run(&self, args: &[&str]) -> Output {
        let base = self.handle.base_url();
        self.bare()
            .args(["--base-url", base.as_str(), "--api-key", "k"])
            .args(args)
            .output()
            .unwrap()
    }

    /// Like [`run`](Self::run) with a bearer token instead of an API key.
    pub fn run_bearer(&self, args: &[&str]) -> Output {
        let base = self.handle.base_url();
        self.bare()
            .args(["--base-url", base.as_str(), "--token", "t"])
            .args(args)
            .output()
            .unwrap()
    }

    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.work.path().join(name)
    }
}

/// Asserts success and returns stdout.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Asserts success and parses stdout as JSON.
pub fn json(out: &Output) -> serde_json::Value {
    let text = ok(out);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}
