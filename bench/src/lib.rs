//! What the benchmark binaries share: the emulator they measure, started as a separate
//! process so that the client's CPU and memory figures are the client's alone.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Any error a benchmark reports before giving up.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The API key the spawned emulator accepts (and the only one).
pub const KEY: &str = "bench-key";
/// The tenant the spawned emulator serves.
pub const TENANT: &str = "my-tenant";

/// The emulator binary: `$CSPARK_BENCH_EMULATOR`, else the workspace's
/// `target/release/cspark-emulator`. It may not exist yet.
pub fn default_emulator_binary() -> PathBuf {
    std::env::var_os("CSPARK_BENCH_EMULATOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../target/release/cspark-emulator"
            ))
        })
}

/// An emulator child process serving the demo workbooks; killed (by its handle, never by
/// pid) when dropped.
pub struct SpawnedEmulator {
    child: Child,
    /// `http://127.0.0.1:PORT`, read from its `listening on` banner.
    pub url: String,
    /// Its process id, for reading its CPU time and peak memory from `/proc`.
    pub pid: u32,
}

impl SpawnedEmulator {
    /// Starts `bin` on a free port of 127.0.0.1 with the demo workbooks, [`TENANT`] and
    /// [`KEY`], and waits for its banner. `stderr` says where the emulator's own log goes.
    pub fn start(bin: &Path, stderr: Stdio) -> Result<Self, BoxError> {
        Self::start_with(bin, stderr, &[])
    }

    /// [`start`](Self::start) with more emulator arguments (e.g.
    /// `["--engine-ms-per-record", "1"]`).
    pub fn start_with(bin: &Path, stderr: Stdio, extra: &[&str]) -> Result<Self, BoxError> {
        if !bin.is_file() {
            return Err(format!(
                "no emulator binary at {} (build it with `cargo build --release -p \
                 cspark-emulator`, or set CSPARK_BENCH_EMULATOR)",
                bin.display()
            )
            .into());
        }
        let mut child = Command::new(bin)
            .args([
                "--addr",
                "127.0.0.1:0",
                "--tenant",
                TENANT,
                "--api-key",
                KEY,
            ])
            .arg("--demo-workbooks")
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()?;
        let pid = child.id();
        let stdout = child.stdout.take().ok_or("emulator stdout not captured")?;
        // From here on the child is killed on every early return.
        let mut spawned = SpawnedEmulator {
            child,
            url: String::new(),
            pid,
        };
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        spawned.url = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("unexpected emulator banner {line:?}"))?
            .to_owned();
        Ok(spawned)
    }
}

impl Drop for SpawnedEmulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
