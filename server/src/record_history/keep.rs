//! Keeping the version an import replaces, in the import's transaction and before the new
//! version overwrites it.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait, Statement};

use super::{INCIDENT_SERVICES, versioned};
use crate::db::IN_LIST_CHUNK;

/// The SQL expression of a row's payload (`t` is the row), as JSON both backends can read
/// back into the same column values.
fn payload(backend: DbBackend, table: &str, columns: &[&str]) -> String {
    let incident = table == "incident";
    match backend {
        DbBackend::Postgres => {
            let services = format!(
                " || jsonb_build_object('service_ids', COALESCE((SELECT jsonb_agg(s.service_id ORDER BY s.service_id) \
                 FROM {INCIDENT_SERVICES} s WHERE s.incident_id = t.id), '[]'::jsonb))"
            );
            format!("to_jsonb(t.*){}", if incident { services.as_str() } else { "" })
        }
        _ => {
            let mut pairs: Vec<String> = columns.iter().map(|c| format!("'{c}', t.\"{c}\"")).collect();
            if incident {
                pairs.push(format!(
                    "'service_ids', json(COALESCE((SELECT json_group_array(service_id) FROM (SELECT s.service_id \
                     FROM {INCIDENT_SERVICES} s WHERE s.incident_id = t.id ORDER BY s.service_id)), '[]'))"
                ));
            }
            format!("json_object({})", pairs.join(", "))
        }
    }
}

/// Copies the current version of each record `ids` names into `record_history`: valid from
/// its `updated_at` until `now`, replaced by the import `replaced_by` (`None`: a change made on
/// a page, such as alert triage, which the audit trail records). Call it just before the
/// records are overwritten.
pub async fn keep<E: EntityTrait, C: ConnectionTrait>(
    txn: &C,
    ids: &[i64],
    now: DateTime<Utc>,
    replaced_by: Option<i64>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let table = versioned::<E>();
    let backend = txn.get_database_backend();
    let payload = payload(backend, table.table, &table.columns);
    for chunk in ids.chunks(IN_LIST_CHUNK) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        if backend == DbBackend::Postgres {
            // Another import may be replacing the same rows: wait for it, so that the version
            // kept is the latest committed one (the next statement reads it), never one lost.
            let lock = format!("SELECT id FROM {} WHERE id IN ({list}) ORDER BY id FOR UPDATE", table.table);
            txn.execute_raw(Statement::from_string(backend, lock)).await?;
        }
        // The ids are integers formatted here and the table name is the entity's: nothing
        // from a request is spliced into this statement. A version is never replaced before
        // it began (see `monotonic_updated_at`).
        let sql = format!(
            "INSERT INTO record_history (table_name, record_id, import_batch_id, valid_from, valid_to, \
             replaced_by_batch, payload) SELECT '{name}', t.id, t.import_batch_id, t.updated_at, \
             CASE WHEN $1 > t.updated_at THEN $1 ELSE t.updated_at END, $2, {payload} \
             FROM {name} t WHERE t.id IN ({list})",
            name = table.table,
        );
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, [now.into(), replaced_by.into()])).await?;
    }
    Ok(())
}

/// The SQL that sets a replacing version's `updated_at` to `now` (the placeholder given), or
/// keeps the replaced version's when that is later. Imports are stamped with the instant they
/// began, and one that began earlier may commit later: without this a version could begin
/// before the one it replaced and both would show at the same instant.
pub fn monotonic_updated_at(table: &str, now: &str) -> String {
    format!("CASE WHEN {now} > {table}.updated_at THEN {now} ELSE {table}.updated_at END")
}
