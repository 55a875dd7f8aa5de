//! A throwaway PostgreSQL server for the tests: a fresh cluster in a temporary folder, on a
//! free port on 127.0.0.1, run as a non-root user when we are root, stopped and removed
//! when the tests end.

use anyhow::{Context as _, bail};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

/// The folder holding `initdb` and `pg_ctl`: Debian's newest, or whatever is on PATH.
pub fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop().or_else(|| {
        let out = Command::new("pg_config").arg("--bindir").output().ok()?;
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        dir.join("initdb").exists().then_some(dir)
    })
}

/// A running throwaway cluster; stopped and deleted on drop.
pub struct Cluster {
    pg_ctl: PathBuf,
    data: PathBuf,
    user: Option<String>,
    pub url: String,
}

impl Cluster {
    /// For tests: under the system's temp folder, with `fsync=off` (nothing in it needs
    /// to survive a power cut, and tests run faster).
    pub fn start() -> anyhow::Result<Self> {
        Self::start_in(&std::env::temp_dir(), false)
    }

    /// In `parent`, committing durably when `durable` (for benchmarks that measure what a
    /// deployment would do).
    pub fn start_in(parent: &Path, durable: bool) -> anyhow::Result<Self> {
        let bin = bin_dir().context("PostgreSQL is not installed (Debian package: postgresql)")?;
        let user = if cmd::is_root() {
            Some(service_user()?)
        } else {
            None
        };
        let port = free_port()?;
        let data = parent.join(format!("coplan-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&data)?;
        if let Some(user) = &user {
            cmd::run(Command::new("chown").args([user.as_str(), &data.to_string_lossy()]))?;
        }
        let cluster = Self {
            pg_ctl: bin.join("pg_ctl"),
            data: data.clone(),
            user,
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        };
        let pgdata = data.join("pgdata");
        cluster.as_user(
            &bin.join("initdb"),
            &[
                "-D",
                &pgdata.to_string_lossy(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )?;
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync={} -c max_connections=200",
            data.display(),
            if durable { "on" } else { "off" }
        );
        cluster.as_user(
            &cluster.pg_ctl,
            &[
                "-D",
                &pgdata.to_string_lossy(),
                "-o",
                &options,
                "-l",
                &data.join("log").to_string_lossy(),
                "-w",
                "start",
            ],
        )?;
        println!("PostgreSQL is running at {}", cluster.url);
        Ok(cluster)
    }

    /// The cluster's data directory, for tests that read what it holds on disk.
    pub fn data_dir(&self) -> PathBuf {
        self.data.join("pgdata")
    }

    /// A script that runs this cluster's `pg_ctl` as its owner, with `-D` and `-l` given
    /// and the script's arguments after them, for a test that stops and restarts it.
    pub fn ctl_script(&self) -> anyhow::Result<PathBuf> {
        let path = self.data.join("pg_ctl.sh");
        let as_owner = match &self.user {
            Some(user) => format!("runuser -u {user} -- "),
            None => String::new(),
        };
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\nexec {as_owner}'{}' -D '{}' -l '{}' \"$@\"\n",
                self.pg_ctl.display(),
                self.data_dir().display(),
                self.data.join("log").display()
            ),
        )?;
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        Ok(path)
    }

    fn as_user(&self, program: &Path, args: &[&str]) -> anyhow::Result<()> {
        let mut command = match &self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        };
        command.args(args).current_dir(&self.data);
        let out = cmd::output(&mut command)?;
        if !out.status.success() {
            let log = std::fs::read_to_string(self.data.join("log")).unwrap_or_default();
            bail!(
                "PostgreSQL could not be started: {} {}\n{}\n{}\n{log}",
                program.display(),
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
            );
        }
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let pgdata = self.data.join("pgdata");
        let _ = self.as_user(
            &self.pg_ctl.clone(),
            &["-D", &pgdata.to_string_lossy(), "-m", "immediate", "stop"],
        );
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// A non-root user to own the cluster: Debian's `postgres`, or one we create.
fn service_user() -> anyhow::Result<String> {
    for user in ["postgres", "coplan-pg"] {
        if Command::new("id")
            .arg(user)
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Ok(user.to_string());
        }
    }
    cmd::run(Command::new("useradd").args([
        "--system",
        "--no-create-home",
        "--shell",
        "/usr/sbin/nologin",
        "coplan-pg",
    ]))?;
    Ok("coplan-pg".to_string())
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
