//! Restatements of a published period (docs/as-known-at.md §3): whether the snapshot is
//! reproduced from the records as known at its publication, which records changed since (by
//! which batches, sent by whom), and how each org figure moved.

use std::collections::BTreeMap;

pub use app::api::{BatchRef, FigureMove, RecordChange, RestatementsView as Restatements};
use app::domain::kpi::{Period, Scope, SeverityFilter, compute_kpis};
use app::domain::restatement::first_difference;
use app::domain::scorecard::Policy;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};

use super::known_at::{self, KnownAtError};
use super::tables;
use crate::report::snapshots::{FIGURE_PARTS, SnapshotError, recompute};

#[derive(Debug, thiserror::Error)]
pub enum RestatementError {
    /// 404.
    #[error("{0} is not published")]
    NotPublished(Period),
    /// 422: published before the record history is complete.
    #[error(
        "{period} was published at {published_at}, before Plumbline kept every version of the records (from {since}): what was known then cannot be told"
    )]
    BeforeHistory { period: Period, published_at: DateTime<Utc>, since: DateTime<Utc> },
    /// 422: this server's clock is behind the publication instant.
    #[error("{0} was published at {1}, later than this server's clock: try again shortly")]
    PublishedLater(Period, DateTime<Utc>),
    #[error(transparent)]
    KnownAt(#[from] KnownAtError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("the published snapshot of {0} cannot be read: {1}")]
    Corrupt(Period, String),
}

/// The condition (on the row `x`) under which a change of a table's record can reach a period
/// ending at `$2` (instant) / `$3` (its end day; `$4` is the end plus the longest on-call shift):
/// the dates the KPI loader selects on, read on
/// `x` and on the incidents of `incidents` (the live table for the current version, the view for
/// the version known at publication). Catalog and policy tables reach every period.
fn reaches(table: &str, x: &str, incidents: &str) -> String {
    let of_incident_started = format!("{x}.incident_id IN (SELECT i.id FROM {incidents} i WHERE i.started_at < $2)");
    match table {
        "slo_measurement" => format!("{x}.day < $3"),
        "incident" => format!("{x}.started_at < $2"),
        "postmortem" => of_incident_started,
        "postmortem_action" => format!("({x}.due_date < $3 OR {of_incident_started})"),
        "dr_test" => format!("{x}.performed_at < $2"),
        "deployment" => format!("{x}.deployed_at < $2"),
        // Pages are read up to the longest shift after the period (the shifts they fall in).
        "alert" => format!("{x}.fired_at < $4"),
        "oncall_shift" => format!("{x}.starts_at < $2"),
        // A week is counted in the period of its Thursday, so one may start up to 3 days before.
        "toil_report" => format!("{x}.period_start < $3"),
        "capacity_measurement" => format!("{x}.day < $3"),
        "cost" => format!("{x}.month < $3"),
        "survey_response" => format!("{x}.answered_at < $2"),
        _ => "1 = 1".to_owned(),
    }
}

pub async fn restatements(
    db: &DatabaseConnection,
    policy: &Policy,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<Restatements, RestatementError> {
    let snapshot = crate::report::snapshots::find(db, period).await?.ok_or(RestatementError::NotPublished(*period))?;
    let published: serde_json::Value =
        serde_json::from_str(&snapshot.content).map_err(|e| RestatementError::Corrupt(*period, e.to_string()))?;
    let at = snapshot.published_at;

    let known = match known_at::begin(db, at, now).await {
        Ok(known) => known,
        Err(KnownAtError::BeforeHistory { since, .. }) => {
            return Err(RestatementError::BeforeHistory { period: *period, published_at: at, since });
        }
        // A replica whose clock is behind the one that published.
        Err(KnownAtError::InFuture { .. }) => return Err(RestatementError::PublishedLater(*period, at)),
        Err(other) => return Err(other.into()),
    };
    let outcome = async {
        let recomputed = recompute(&known, policy, period, at).await?;
        let changes = changes(&known, period, at).await?;
        Ok::<_, RestatementError>((recomputed, changes))
    }
    .await;
    known.rollback().await?;
    let (recomputed, changes) = outcome?;
    let null = serde_json::Value::Null;
    let differences: Vec<String> = FIGURE_PARTS
        .into_iter()
        .filter_map(|part| {
            let (then, again) = (published.get(part).unwrap_or(&null), recomputed.get(part).unwrap_or(&null));
            first_difference(then, again)
                .map(|path| if path.is_empty() { part.to_owned() } else { format!("{part}.{path}") })
        })
        .collect();

    let read = crate::db::begin_consistent_read(db).await?;
    let data = crate::kpis::load(&read, period, now, &Scope::Org, &policy.kpi).await;
    read.rollback().await?;
    let current =
        compute_kpis(period, now, &data.map_err(SnapshotError::from)?.scoped(&Scope::Org), SeverityFilter::HIGH);
    let current = serde_json::to_value(&current).unwrap_or_default();
    let figures = figure_moves(published.get("org"), &current);

    Ok(Restatements {
        period: period.to_string(),
        published_at: at,
        published_by: snapshot.published_by.clone(),
        content_sha256: snapshot.content_sha256.clone(),
        published_policy_version: snapshot.policy_version.clone(),
        policy_version: policy.version.clone(),
        published_definitions_version: snapshot.definitions_version.clone(),
        definitions_version: app::domain::kpi::KPI_DEFINITIONS_VERSION.to_owned(),
        reproduced: differences.is_empty(),
        differences,
        changes,
        figures,
    })
}

fn figure_moves(published: Option<&serde_json::Value>, current: &serde_json::Value) -> Vec<FigureMove> {
    let empty = serde_json::Map::new();
    let published = published.and_then(|v| v.as_object()).unwrap_or(&empty);
    let current = current.as_object().unwrap_or(&empty);
    let names: std::collections::BTreeSet<&String> = published.keys().chain(current.keys()).collect();
    names
        .into_iter()
        .map(|name| {
            let (before, after) = (published.get(name).cloned(), current.get(name).cloned());
            let (before, after) = (before.unwrap_or_default(), after.unwrap_or_default());
            FigureMove {
                kpi: name.clone(),
                changed: first_difference(&before, &after).is_some(),
                published: before,
                now: after,
            }
        })
        .collect()
}

/// Records with a version recorded after `at` that can reach the period, read inside a
/// transaction whose unqualified table names are the records as known at `at`.
async fn changes<C: ConnectionTrait>(
    known: &C,
    period: &Period,
    at: DateTime<Utc>,
) -> Result<Vec<RecordChange>, DbErr> {
    let backend = known.get_database_backend();
    let schema = known_at::live_schema(known).await?;
    let end = period.end();
    let end_day: NaiveDate = period.end_day();
    let longest_shift = chrono::TimeDelta::days(app::domain::kpi::oncall::MAX_SHIFT_DAYS);
    let pages_until = end.checked_add_signed(longest_shift).unwrap_or(end);
    let mut found: Vec<(RecordChange, i64)> = Vec::new();
    for table in tables() {
        let name = table.table;
        let key = ["external_id", "slug"].into_iter().find(|c| table.columns.contains(c));
        let key_expr = key.map_or("NULL".to_owned(), |c| format!("c.\"{c}\""));
        let current = reaches(name, "c", &format!("{schema}.incident"));
        let then = reaches(name, "k", "incident");
        let sql = format!(
            "SELECT c.id AS id, c.import_batch_id AS batch, c.updated_at AS updated_at, c.created_at AS created_at, \
             {key_expr} AS record_key FROM {schema}.{name} c WHERE c.updated_at > $1 AND ({current} OR \
             (c.created_at <= $1 AND EXISTS (SELECT 1 FROM {name} k WHERE k.id = c.id AND {then}))) \
             ORDER BY c.updated_at, c.id"
        );
        let rows = known
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [at.into(), end.into(), end_day.into(), pages_until.into()],
            ))
            .await?;
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let created_at: DateTime<Utc> = row.try_get("", "created_at")?;
            let change = RecordChange {
                table: name.to_owned(),
                record_id: id,
                key: row.try_get("", "record_key")?,
                change: if created_at > at { "created" } else { "corrected" }.to_owned(),
                last_changed_at: row.try_get("", "updated_at")?,
                batches: Vec::new(),
                changed_on_a_page: false,
            };
            found.push((change, row.try_get("", "batch")?));
        }
    }
    let batches = batch_refs(known, &schema, &found, at).await?;
    let mut changes: Vec<RecordChange> = found
        .into_iter()
        .map(|(mut change, current_batch)| {
            let mut ids: Vec<i64> =
                batches.versions.get(&(change.table.clone(), change.record_id)).cloned().unwrap_or_default();
            ids.push(current_batch);
            ids.sort_unstable();
            ids.dedup();
            // A version written after publication under a batch that finished before it was
            // written on a page (alert triage keeps the record's batch): the audit trail says who.
            let after = |batch: &&BatchRef| batch.finished_at.is_some_and(|finished| finished > at);
            let written: Vec<Option<&BatchRef>> = ids.iter().map(|id| batches.refs.get(id)).collect();
            change.changed_on_a_page = written.iter().any(|batch| !batch.is_some_and(|b| after(&b)));
            change.batches = written.into_iter().flatten().filter(after).cloned().collect();
            change
        })
        .collect();
    changes.sort_by(|a, b| (a.last_changed_at, &a.table, a.record_id).cmp(&(b.last_changed_at, &b.table, b.record_id)));
    Ok(changes)
}

struct Batches {
    /// Batches of the intermediate versions (recorded after `at`, replaced since) per record.
    versions: BTreeMap<(String, i64), Vec<i64>>,
    refs: BTreeMap<i64, BatchRef>,
}

async fn batch_refs<C: ConnectionTrait>(
    known: &C,
    schema: &str,
    found: &[(RecordChange, i64)],
    at: DateTime<Utc>,
) -> Result<Batches, DbErr> {
    let backend = known.get_database_backend();
    let mut versions: BTreeMap<(String, i64), Vec<i64>> = BTreeMap::new();
    let mut by_table: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (change, _) in found {
        by_table.entry(change.table.as_str()).or_default().push(change.record_id);
    }
    for (table, ids) in by_table {
        for chunk in ids.chunks(crate::db::IN_LIST_CHUNK) {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let sql = format!(
                "SELECT record_id, import_batch_id FROM {schema}.record_history WHERE table_name = '{table}' \
                 AND valid_from > $1 AND record_id IN ({list})"
            );
            for row in known.query_all_raw(Statement::from_sql_and_values(backend, sql, [at.into()])).await? {
                versions
                    .entry((table.to_owned(), row.try_get("", "record_id")?))
                    .or_default()
                    .push(row.try_get("", "import_batch_id")?);
            }
        }
    }
    let mut ids: Vec<i64> = found.iter().map(|(_, batch)| *batch).chain(versions.values().flatten().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut refs = BTreeMap::new();
    for chunk in ids.chunks(crate::db::IN_LIST_CHUNK) {
        use crate::entities::import_batch;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let rows = import_batch::Entity::find()
            .filter(import_batch::Column::Id.is_in(chunk.iter().copied()))
            .all(known)
            .await?;
        for batch in rows {
            refs.insert(
                batch.id,
                BatchRef {
                    id: batch.id,
                    actor: batch.actor,
                    source: batch.source,
                    kind: batch.kind,
                    finished_at: batch.finished_at,
                },
            );
        }
    }
    Ok(Batches { versions, refs })
}
