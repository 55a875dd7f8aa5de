//! Running other programs: echo the command, fail with its name if it fails.

use anyhow::{Context as _, bail};
use std::process::{Command, Output};

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs a command with its output on the terminal; an error if it fails.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    let shown = describe(command);
    println!("$ {shown}");
    let status = command
        .status()
        .with_context(|| format!("could not start: {shown}"))?;
    if !status.success() {
        bail!("failed ({status}): {shown}");
    }
    Ok(())
}

/// Runs a command quietly and returns its output, whether or not it succeeded.
pub fn output(command: &mut Command) -> anyhow::Result<Output> {
    let shown = describe(command);
    command
        .output()
        .with_context(|| format!("could not start: {shown}"))
}

/// The first line a program prints for `--version`, or None if it is not installed.
pub fn version_of(program: &str) -> Option<String> {
    let out = Command::new(program).arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().next().map(|l| l.trim().to_string())
}

/// Whether this process runs as root (so apt-get and initdb need different handling).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
