//! Writing: the only stage that touches the output directory.
//!
//! The generator owns exactly the three crate directories. They are written
//! to a staging directory first and then swapped in, so a failure never leaves
//! a half-written crate, and nothing else under the output directory (a
//! hand-written app beside the crates) is touched.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::emit::Output;

/// A difference between the generated files and those on disk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Drift {
    /// On disk with other contents.
    Changed(String),
    /// Generated but not on disk.
    Missing(String),
    /// On disk inside a generated crate but no longer generated.
    Extra(String),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Changed(path) => write!(f, "changed: {path}"),
            Drift::Missing(path) => write!(f, "missing: {path}"),
            Drift::Extra(path) => write!(f, "not generated: {path}"),
        }
    }
}

/// Writes `output` under `out_dir`, replacing each directory in `owned` whole.
pub fn write(output: &Output, out_dir: &Path, owned: &[String]) -> io::Result<()> {
    fs::create_dir_all(out_dir)?;
    let staging = out_dir.join(format!(".specforge-staging-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    let result = write_files(output, &staging).and_then(|()| swap_in(&staging, out_dir, owned));
    // The staging directory is empty after a successful swap; after a failure
    // it holds the new files, which are of no use.
    let _ = fs::remove_dir_all(&staging);
    result
}

fn write_files(output: &Output, root: &Path) -> io::Result<()> {
    for (relative, contents) in &output.files {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, contents)?;
    }
    Ok(())
}

/// Moves each staged crate into place; the old one is kept until the new one is in.
fn swap_in(staging: &Path, out_dir: &Path, owned: &[String]) -> io::Result<()> {
    for name in owned {
        let staged = staging.join(name);
        let target = out_dir.join(name);
        let backup = out_dir.join(format!(".specforge-old-{}-{name}", std::process::id()));
        let had_old = target.exists();
        if had_old {
            fs::rename(&target, &backup)?;
        }
        let placed = if staged.exists() {
            fs::rename(&staged, &target)
        } else {
            Ok(())
        };
        match placed {
            Ok(()) => {
                if had_old {
                    fs::remove_dir_all(&backup)?;
                }
            }
            Err(error) => {
                if had_old {
                    let _ = fs::rename(&backup, &target);
                }
                return Err(error);
            }
        }
    }
    Ok(())
}

/// Writes a new crate, `output`'s files under `out_dir/dir`, all or
/// nothing: staged beside it, then renamed into place. An existing `dir` is
/// never touched: the error is [`io::ErrorKind::AlreadyExists`].
pub fn create(output: &Output, out_dir: &Path, dir: &str) -> io::Result<()> {
    let target = out_dir.join(dir);
    if target.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("`{}` already exists", target.display()),
        ));
    }
    fs::create_dir_all(out_dir)?;
    let staging = out_dir.join(format!(".specforge-staging-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    let result =
        write_files(output, &staging).and_then(|()| fs::rename(staging.join(dir), &target));
    let _ = fs::remove_dir_all(&staging);
    result
}

/// The `Cargo.toml` with a `[workspace]` table in `dir` or above it, if any.
pub fn enclosing_workspace(dir: &Path) -> Option<PathBuf> {
    let start = fs::canonicalize(dir).ok()?;
    start
        .ancestors()
        .map(|ancestor| ancestor.join("Cargo.toml"))
        .find(|manifest| {
            fs::read_to_string(manifest)
                .is_ok_and(|text| text.lines().any(|line| line.trim() == "[workspace]"))
        })
}

/// Compares `output` with what is on disk under `out_dir`, within the `owned` directories.
pub fn check(output: &Output, out_dir: &Path, owned: &[String]) -> io::Result<Vec<Drift>> {
    let mut drift = Vec::new();
    let mut on_disk = BTreeSet::new();
    for name in owned {
        collect_files(&out_dir.join(name), name, &mut on_disk)?;
    }
    for (relative, contents) in &output.files {
        match fs::read(out_dir.join(relative)) {
            Ok(bytes) if bytes == contents.as_bytes() => {}
            Ok(_) => drift.push(Drift::Changed(relative.clone())),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                drift.push(Drift::Missing(relative.clone()))
            }
            Err(error) => return Err(error),
        }
    }
    for relative in on_disk {
        if !output.files.contains_key(&relative) {
            drift.push(Drift::Extra(relative));
        }
    }
    drift.sort();
    Ok(drift)
}

/// Every file under `dir`, as `/`-separated paths starting with `prefix`.
/// A `target` directory (a standalone build of the crate) is not generated output.
fn collect_files(dir: &Path, prefix: &str, files: &mut BTreeSet<String>) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = format!("{prefix}/{name}");
        let path: PathBuf = entry.path();
        if entry.file_type()?.is_dir() {
            if name != "target" {
                collect_files(&path, &relative, files)?;
            }
        } else {
            files.insert(relative);
        }
    }
    Ok(())
}
