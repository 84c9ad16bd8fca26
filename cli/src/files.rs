//! Writing the user's files safely: only where told, never over an existing file unless
//! `--force`, never half-written, and never onto a file the same command reads.
//!
//! - A name chosen by the server (`Content-Disposition`) is reduced to a plain file name
//!   ([`plain_file_name`]): no directory part, no `..`, no absolute path; what cannot be
//!   reduced is refused and `--output` must name the file.
//! - New files are created with `create_new` (an existing file or symlink is refused at
//!   the moment of creation, not checked beforehand); with `--force`, or for `batch run`
//!   outputs, bytes go to a temporary file in the same directory that is renamed over the
//!   target only when complete ([`PendingFile`]); a failed run leaves the old file as it was.
//! - [`same_file`] compares canonical paths (and device + inode where the files exist), so
//!   `out.csv`, `./out.csv` and a symlink or hard link to it are the same file, also before
//!   the output exists.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{CliError, CliResult, io_err};

/// Reduces a server-supplied file name to a plain name in the current directory, or refuses.
pub fn plain_file_name(server_name: &str) -> CliResult<String> {
    let last = server_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim();
    let refused = last.is_empty()
        || last == "."
        || last == ".."
        || last.contains(':')
        || last.chars().any(char::is_control);
    if refused {
        return Err(CliError::failed(format!(
            "the server named the file {server_name:?}, which is not a plain file name; pass --output FILE"
        )));
    }
    Ok(last.to_owned())
}

/// Writes `bytes` to `path`: a new file, or, with `force`, a replacement put in place
/// atomically. Without `force` an existing file is never touched.
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> CliResult {
    if force {
        let mut pending = PendingFile::create(path)?;
        pending.write_all(bytes).map_err(io_err(path))?;
        return pending.commit();
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| exists_or_io(path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io_err(path))
}

fn exists_or_io(path: &Path, e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::AlreadyExists {
        CliError::failed(format!(
            "{}: the file exists; pass --force to replace it",
            path.display()
        ))
    } else {
        io_err(path)(e)
    }
}

/// A file being written next to its final path, renamed over it by
/// [`commit`](Self::commit); dropped without commit, it is removed and the target is
/// left as it was.
#[derive(Debug)]
pub struct PendingFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<File>,
}

impl PendingFile {
    /// Creates the temporary file (in the target's directory, so the rename stays on one
    /// file system).
    pub fn create(target: &Path) -> CliResult<Self> {
        let name = target
            .file_name()
            .ok_or_else(|| CliError::usage(format!("{}: not a file path", target.display())))?;
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        for attempt in 0..100u32 {
            let mut temp_name = std::ffi::OsString::from(".");
            temp_name.push(name);
            temp_name.push(format!(".cspark-{}-{attempt}.tmp", std::process::id()));
            let temp = dir.join(temp_name);
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => {
                    return Ok(Self {
                        target: target.to_path_buf(),
                        temp,
                        file: Some(file),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_err(&temp)(e)),
            }
        }
        Err(CliError::failed(format!(
            "{}: cannot create a temporary file next to it",
            target.display()
        )))
    }

    /// Syncs the bytes and renames the temporary file over the target.
    pub fn commit(mut self) -> CliResult {
        if let Some(file) = self.file.take() {
            file.sync_all().map_err(io_err(&self.temp))?;
        }
        std::fs::rename(&self.temp, &self.target).map_err(io_err(&self.target))
    }
}

impl Write for PendingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("file already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// The path with its directory resolved (symlinks, `.`, `..`), also for a file that does
/// not exist yet (its parent must).
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(full) = path.canonicalize() {
        return Some(full);
    }
    let name = path.file_name()?;
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(parent.canonicalize().ok()?.join(name))
}

/// Whether `a` and `b` name the same file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b))
            && x.dev() == y.dev()
            && x.ino() == y.ino()
        {
            return true;
        }
    }
    match (resolved(a), resolved(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_are_reduced_to_a_plain_name_or_refused() {
        let ok = |s: &str| plain_file_name(s).ok();
        assert_eq!(ok("book.xlsx").as_deref(), Some("book.xlsx"));
        assert_eq!(ok("../../evil.xlsx").as_deref(), Some("evil.xlsx"));
        assert_eq!(ok("/etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(ok("..\\..\\win.ini").as_deref(), Some("win.ini"));
        assert_eq!(ok("a/b/../c.xlsx").as_deref(), Some("c.xlsx"));
        for bad in [
            "",
            "..",
            ".",
            "../",
            "/",
            "x/..",
            "C:evil",
            "bad\nname",
            "a\0b",
        ] {
            assert!(ok(bad).is_none(), "{bad:?} accepted");
        }
    }
}
