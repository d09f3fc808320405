//! `cargo xtask run`: install what is missing, build, then serve from the repository root.

use std::process::Command;

use crate::build;
use crate::tools::{self, Needs};
use crate::util::{self, Paths, Result};

pub fn run(paths: &Paths, empty: bool, release: bool) -> Result {
    let needs = Needs {
        browser: false,
        // The default database is embedded SQLite; only a local Postgres is ours to start.
        postgres: std::env::var("DATABASE_URL").is_ok_and(|url| is_local_postgres(&url)),
        test_programs: false,
    };
    tools::ensure(paths, needs)?;
    build::build(paths, release)?;

    let mut cmd = Command::new(paths.server_bin(release));
    cmd.arg("serve").current_dir(&paths.root).env("LEPTOS_SITE_ROOT", &paths.site);
    if empty {
        cmd.env("PLUMBLINE_DEMO", "off");
    }
    exec(cmd)
}

/// Replaces this process with the server, so Ctrl-C and exit codes go straight to it.
#[cfg(unix)]
fn exec(mut cmd: Command) -> Result {
    use std::os::unix::process::CommandExt;
    util::announce(&cmd);
    let error = cmd.exec();
    Err(util::not_started(&cmd, &error))
}

#[cfg(not(unix))]
fn exec(mut cmd: Command) -> Result {
    util::run(&mut cmd)
}

/// `postgres://user@127.0.0.1:5432/db` and the like (localhost, default port).
fn is_local_postgres(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://")) else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "5432"));
    matches!(host, "127.0.0.1" | "localhost") && port == "5432"
}

#[cfg(test)]
mod tests {
    use super::is_local_postgres;

    #[test]
    fn recognises_local_postgres() {
        assert!(is_local_postgres("postgres://postgres@127.0.0.1:5432/postgres"));
        assert!(is_local_postgres("postgresql://u:p@localhost/db"));
        assert!(!is_local_postgres("postgres://db.example.com:5432/x"));
        assert!(!is_local_postgres("sqlite://data/x.sqlite3"));
    }
}
