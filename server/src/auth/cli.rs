//! `plumbline token create|list|revoke`: API tokens from the command line (for bootstrapping a
//! pipeline before anyone has signed in). The command line has the database's own authority, so
//! it acts as the local admin; every change is audit-logged with actor `cli`.

use std::collections::BTreeSet;

use app::domain::access::{Principal, TokenScope};
use clap::Subcommand;
use sea_orm::{DatabaseConnection, TransactionTrait};

use super::tokens::{self, NewToken};
use crate::audit::{self, AuditEntry};

#[derive(Debug, Clone, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it (shown this once).
    Create {
        /// What the token is for, e.g. the pipeline's name.
        #[arg(long)]
        name: String,
        /// `ingest` and/or `read` (repeat the flag for both).
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Limit writes to these teams' services (repeatable); default: any team.
        #[arg(long = "team")]
        teams: Vec<String>,
        /// Expire after this many days (at most five years); default: a year.
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke { id: i64 },
}

pub async fn run(db: &DatabaseConnection, command: TokenCommand) -> anyhow::Result<()> {
    let now = crate::clock_now();
    let mut cli = Principal::local_admin();
    cli.name = "cli".to_owned();
    match command {
        TokenCommand::Create { name, scopes, teams, expires_days } => {
            let mut parsed = BTreeSet::new();
            for scope in &scopes {
                parsed.insert(
                    TokenScope::parse(scope)
                        .ok_or_else(|| anyhow::anyhow!("unknown scope {scope:?}; use ingest, read or metrics"))?,
                );
            }
            if expires_days == Some(0) {
                anyhow::bail!("--expires-days must be at least 1");
            }
            let new = NewToken {
                name,
                scopes: parsed,
                teams: (!teams.is_empty()).then(|| teams.into_iter().collect()),
                expires_in: expires_days.map(|d| chrono::TimeDelta::days(i64::from(d))),
            };
            let txn = db.begin().await?;
            let created =
                tokens::create(&txn, &cli, None, new, false, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let details = serde_json::json!({"name": created.info.name, "scopes": created.info.scopes,
                "teams": created.info.teams, "expires_at": created.info.expires_at, "prefix": created.info.prefix});
            audit::append(
                &txn,
                AuditEntry::new("cli", "token.created", &format!("api_token:{}", created.info.id), details),
                now,
            )
            .await?;
            txn.commit().await?;
            println!("token {} created ({}); it is shown only now:", created.info.id, created.info.scopes.join(", "));
            println!("{}", created.token);
        }
        TokenCommand::List => {
            for token in tokens::list(db, None).await? {
                let state = match (token.revoked_at, token.expires_at) {
                    (Some(at), _) => format!("revoked {at}"),
                    (None, Some(at)) if at <= now => format!("expired {at}"),
                    (None, Some(at)) => format!("expires {at}"),
                    (None, None) => "no expiry".to_owned(),
                };
                let last = token.last_used_at.map_or_else(|| "never used".to_owned(), |at| format!("last used {at}"));
                let teams = token.teams.map_or_else(|| "any team".to_owned(), |t| t.join(","));
                println!(
                    "{:>5}  {:<24} {:<12} {:<14} {:<20} {state}; {last}",
                    token.id,
                    token.name,
                    token.prefix,
                    token.scopes.join(","),
                    teams
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let txn = db.begin().await?;
            let row = tokens::find(&txn, id).await?.ok_or_else(|| anyhow::anyhow!("there is no token {id}"))?;
            if tokens::revoke(&txn, row, now).await? {
                audit::append(
                    &txn,
                    AuditEntry::new("cli", "token.revoked", &format!("api_token:{id}"), serde_json::json!({})),
                    now,
                )
                .await?;
                println!("token {id} revoked");
            } else {
                println!("token {id} was already revoked");
            }
            txn.commit().await?;
        }
    }
    Ok(())
}
