//! The Python reference for the live interop tests: a venv built once from PyPI with
//! `tests/python/requirements.txt` (beaker-session-jwt 1.0.4 and its pinned dependencies).
//!
//! The venv lives in `<target>/interop-venv/<hash>/`, where `<target>` is `CARGO_TARGET_DIR` or
//! `<crate>/target`, and `<hash>` covers the requirements file and the interpreter version, so
//! a change to either builds a fresh venv. Building is safe under parallel test threads (one
//! `OnceLock` per test binary) and parallel processes (each builds in its own temporary folder,
//! marks it complete, then renames it into place; the first rename wins, later ones are
//! discarded).
//!
//! Environment:
//! - `BEAKER_SKIP_PYTHON=1`: the interop tests print that they skipped and pass.
//! - `BEAKER_INTEROP_PYTHON=/path/to/python`: use that interpreter (it must already have the
//!   requirements) instead of building the venv.
//!
//! Without either, a missing `python3` or a failed install FAILS the tests with the reason.
//!
//! Building takes a minute or two (pip downloads and installs the pins), so each step is
//! reported on stderr as it starts and ends: `interop venv: building at PATH`, `pip installing
//! N requirements`, `done in X s`. These lines are written to the `std::io::stderr()` handle,
//! which libtest does not capture (it captures only `print!`/`eprint!`), so they show during
//! a plain `cargo test`, not only with `-- --nocapture`. A venv already built says nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use std::{env, fs};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// `tests/python/` of this crate.
pub fn python_dir() -> PathBuf {
    Path::new(MANIFEST_DIR).join("tests").join("python")
}

/// The interpreter to run `tests/python/*.py` with, or `None` when `BEAKER_SKIP_PYTHON=1`.
///
/// # Panics
/// When `python3` is missing or the venv cannot be built: the message says why and how to skip.
pub fn python(test: &str) -> Option<PathBuf> {
    if env::var("BEAKER_SKIP_PYTHON").is_ok_and(|v| v == "1") {
        eprintln!("{test}: skipped (BEAKER_SKIP_PYTHON=1): not compared against Python");
        return None;
    }
    if let Some(python) = env::var_os("BEAKER_INTEROP_PYTHON") {
        return Some(PathBuf::from(python));
    }
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match VENV.get_or_init(build_venv) {
        Ok(python) => Some(python.clone()),
        Err(why) => panic!(
            "{test}: the Python reference is unavailable: {why}\n\
             (set BEAKER_SKIP_PYTHON=1 to skip the live interop tests)"
        ),
    }
}

fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(MANIFEST_DIR).join("target"),
    }
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// FNV-1a, 64 bits: a stable name for the venv (std's hasher may change between releases).
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in *part {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// One progress line on the real stderr, past libtest's capture (see the module docs).
fn progress(line: &str) {
    let _ = writeln!(std::io::stderr(), "interop venv: {line}");
}

fn run(what: &str, command: &mut Command) -> Result<Vec<u8>, String> {
    let output = command
        .output()
        .map_err(|e| format!("{what}: could not start {:?}: {e}", command.get_program()))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn build_venv() -> Result<PathBuf, String> {
    let requirements = python_dir().join("requirements.txt");
    let pins = fs::read(&requirements).map_err(|e| format!("{}: {e}", requirements.display()))?;
    let version = Command::new("python3")
        .args(["-c", "import sys; print(sys.version)"])
        .output()
        .map_err(|e| {
            format!(
                "python3 was not found on PATH ({e}): the interop tests need Python 3.8+ with the \
                 venv module (Debian: apt-get install python3 python3-venv)"
            )
        })?;
    if !version.status.success() {
        return Err(format!(
            "python3 -c 'import sys' failed: {}",
            String::from_utf8_lossy(&version.stderr)
        ));
    }
    let root = target_dir().join("interop-venv");
    let venv = root.join(format!("{:016x}", fnv1a(&[&pins, &version.stdout])));
    let complete = venv.join(".complete");
    if complete.is_file() {
        return Ok(venv_python(&venv));
    }
    fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = root.join(format!("tmp-{}-{nanos}", std::process::id()));
    let started = Instant::now();
    let count = String::from_utf8_lossy(&pins)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('-'))
        .count();
    progress(&format!(
        "building the Python reference at {} (once per requirements file and Python; \
         about 2 minutes) with Python {}",
        venv.display(),
        String::from_utf8_lossy(&version.stdout)
            .split_whitespace()
            .next()
            .unwrap_or("3")
    ));
    let built = install(&tmp, &requirements, count).and_then(|()| {
        fs::write(tmp.join(".complete"), &pins).map_err(|e| format!("writing the marker: {e}"))
    });
    if let Err(why) = built {
        progress(&format!(
            "FAILED after {:.0} s (the test says why)",
            started.elapsed().as_secs_f64()
        ));
        let _ = fs::remove_dir_all(&tmp);
        return Err(why);
    }
    progress(&format!("done in {:.0} s", started.elapsed().as_secs_f64()));
    match fs::rename(&tmp, &venv) {
        Ok(()) => Ok(venv_python(&venv)),
        // Another process finished first: use its venv, drop ours.
        Err(_) if complete.is_file() => {
            let _ = fs::remove_dir_all(&tmp);
            Ok(venv_python(&venv))
        }
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            Err(format!(
                "moving the venv into {}: {e} (delete that folder if it is left over)",
                venv.display()
            ))
        }
    }
}

fn install(tmp: &Path, requirements: &Path, count: usize) -> Result<(), String> {
    let step = Instant::now();
    progress(&format!("python3 -m venv {}", tmp.display()));
    run(
        "python3 -m venv",
        Command::new("python3").arg("-m").arg("venv").arg(tmp),
    )?;
    let python = venv_python(tmp);
    progress(&format!(
        "venv made in {:.0} s; pip installing {count} requirements from {} (from PyPI)",
        step.elapsed().as_secs_f64(),
        requirements.display()
    ));
    run(
        "pip install -r tests/python/requirements.txt",
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--quiet",
                "-r",
            ])
            .arg(requirements),
    )?;
    run(
        "importing the installed packages",
        Command::new(&python).args(["-c", "import beaker_session_jwt, bson, joserfc, beaker"]),
    )?;
    Ok(())
}
