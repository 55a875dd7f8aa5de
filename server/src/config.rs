//! Settings: defaults first, then environment variables (`COPLAN_*`, and `DATABASE_URL`).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the server listens, what it serves and where it keeps data.
#[derive(Clone)]
pub struct Config {
    /// `COPLAN_ADDR`, default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// `COPLAN_DIST`, the built app, default `dist`.
    pub dist: PathBuf,
    /// `DATABASE_URL`: `sqlite://path` or `postgres://…`; default `sqlite://data/coplan.db`.
    pub database_url: String,
    /// `COPLAN_MAX_BODY_BYTES`, the largest request body accepted, default 64 KiB.
    pub max_body_bytes: usize,
    /// `COPLAN_MAX_IN_FLIGHT`, the most API requests handled at once (parked long-polls
    /// aside); one more is answered 503 with `Retry-After` at once. Default 256.
    pub max_in_flight: usize,
    /// `COPLAN_LOG_FORMAT=json` for one JSON object per log line; plain text otherwise.
    pub json_logs: bool,
    /// `COPLAN_HSTS=on` where the deployment is reached only over https (usually through a
    /// reverse proxy that ends TLS): every answer then tells browsers to use https for two
    /// years. Off by default.
    pub hsts: bool,
    /// `COPLAN_TRUSTED_PROXY`: the address of the reverse proxy in front of the server, if
    /// any. Requests from it are counted, for the limits on guessing, against the last
    /// address it added to `X-Forwarded-For`; nobody else's forwarded header is believed.
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// How many tries at redeeming invites are let through, per address and per invite
    /// id ([`crate::auth::INVITE_PER_ADDRESS`], [`crate::auth::INVITE_PER_ID`]). Not read
    /// from the environment: only tests raise them, to race many redemptions of one code.
    pub invite_limits: crate::auth::InviteLimits,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            dist: PathBuf::from("dist"),
            database_url: "sqlite://data/coplan.db".to_string(),
            max_body_bytes: 64 * 1024,
            max_in_flight: 256,
            json_logs: false,
            hsts: false,
            trusted_proxy: None,
            invite_limits: crate::auth::InviteLimits::default(),
        }
    }
}

/// A setting that could not be read, naming the variable and what it should hold.
#[derive(Debug, thiserror::Error)]
#[error("{name} should be {expected}, not {value:?}")]
pub struct ConfigError {
    name: &'static str,
    expected: &'static str,
    value: String,
}

impl Config {
    /// Reads the settings from `lookup` (the process environment in `main`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        if let Some(value) = lookup("COPLAN_ADDR") {
            config.addr = value.parse().map_err(|_| ConfigError {
                name: "COPLAN_ADDR",
                expected: "an address and port, like 127.0.0.1:8080",
                value,
            })?;
        }
        if let Some(value) = lookup("COPLAN_DIST") {
            config.dist = PathBuf::from(value);
        }
        if let Some(value) = lookup("DATABASE_URL") {
            config.database_url = value;
        }
        if let Some(value) = lookup("COPLAN_MAX_BODY_BYTES") {
            config.max_body_bytes = value.parse().map_err(|_| ConfigError {
                name: "COPLAN_MAX_BODY_BYTES",
                expected: "a number of bytes",
                value,
            })?;
        }
        if let Some(value) = lookup("COPLAN_MAX_IN_FLIGHT") {
            config.max_in_flight = value.parse().ok().filter(|n| *n > 0).ok_or(ConfigError {
                name: "COPLAN_MAX_IN_FLIGHT",
                expected: "a number of requests, at least 1",
                value,
            })?;
        }
        config.json_logs = lookup("COPLAN_LOG_FORMAT").is_some_and(|v| v == "json");
        if let Some(value) = lookup("COPLAN_HSTS") {
            config.hsts = match value.as_str() {
                "on" => true,
                "off" => false,
                _ => {
                    return Err(ConfigError {
                        name: "COPLAN_HSTS",
                        expected: "on or off",
                        value,
                    });
                }
            };
        }
        if let Some(value) = lookup("COPLAN_TRUSTED_PROXY") {
            config.trusted_proxy = Some(value.parse().map_err(|_| ConfigError {
                name: "COPLAN_TRUSTED_PROXY",
                expected: "an IP address, like 10.0.0.2",
                value,
            })?);
        }
        Ok(config)
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("dist", &self.dist)
            .field("database_url", &redact_password(&self.database_url))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_in_flight", &self.max_in_flight)
            .field("json_logs", &self.json_logs)
            .field("hsts", &self.hsts)
            .field("trusted_proxy", &self.trusted_proxy)
            .finish()
    }
}

/// Hides the password in a database URL (`postgres://user:secret@host` → `user:***@host`).
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((credentials, host)) if credentials.contains(':') => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_environment() {
        let config = Config::from_lookup(|name| match name {
            "COPLAN_ADDR" => Some("0.0.0.0:9000".into()),
            "COPLAN_MAX_BODY_BYTES" => Some("1024".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.addr.port(), 9000);
        assert_eq!(config.max_body_bytes, 1024);
        assert_eq!(config.database_url, "sqlite://data/coplan.db");
        assert!(!config.hsts);
        let https = Config::from_lookup(|n| (n == "COPLAN_HSTS").then(|| "on".into())).unwrap();
        assert!(https.hsts);
        assert!(Config::from_lookup(|n| (n == "COPLAN_HSTS").then(|| "yes".into())).is_err());
        assert_eq!(config.max_in_flight, 256);
        let few = |v: &str| {
            let v = v.to_string();
            Config::from_lookup(move |n| (n == "COPLAN_MAX_IN_FLIGHT").then(|| v.clone()))
        };
        assert_eq!(few("8").unwrap().max_in_flight, 8);
        assert!(few("0").is_err());
        assert!(few("many").is_err());
    }

    #[test]
    fn a_bad_setting_names_the_variable() {
        let err =
            Config::from_lookup(|n| (n == "COPLAN_ADDR").then(|| "nowhere".into())).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("COPLAN_ADDR should be an address and port")
        );
    }

    #[test]
    fn passwords_never_reach_debug_output() {
        let config = Config::from_lookup(|n| {
            (n == "DATABASE_URL").then(|| "postgres://coplan:hunter2@db/coplan".into())
        })
        .unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres://coplan:***@db/coplan"));
    }
}
