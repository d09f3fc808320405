//! Team limits on writes (docs/access-and-audit.md): an editor, or an API token limited to teams, may only
//! write records of their teams' services. The check runs inside the import's transaction,
//! after the rows are written and before commit, over exactly what the batch wrote (created and
//! updated rows carry its `import_batch_id`; unchanged rows are not written), so every kind and
//! every reference path (an SLO's service, a measurement's SLO, an incident's services, a
//! postmortem's incident) is judged the same way. Rows being replaced are judged by their
//! previous owner too ([`note_foreign_owners`], called as the pipeline writes), so re-sending
//! another team's incident with one's own service cannot take it over. A failure rolls the whole
//! import back.
//!
//! Teams themselves, and changes to existing services (which could move a service between
//! teams), need an unlimited writer (an admin); new services must belong to an allowed team.
//!
//! References count too: an action's or deployment's `incident`, and an incident's `repeat_of`,
//! must name an incident that involves at least one of the writer's teams' services, so a team
//! cannot hang its records on another team's incident.

use std::collections::BTreeSet;

use app::domain::ingest::RecordKind;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, Statement};

use super::refs::Ctx;

/// The SQL listing the external ids of incidents that rows `kind` wrote in `batch_id` refer to
/// and that involve none of `allowed`'s services.
fn foreign_references_sql(kind: RecordKind, batch_id: i64, allowed: &BTreeSet<String>) -> Option<String> {
    let (table, column) = match kind {
        RecordKind::Actions => ("postmortem_action", "incident_id"),
        RecordKind::Deployments => ("deployment", "incident_id"),
        RecordKind::Alerts => ("alert", "incident_id"),
        RecordKind::Incidents => ("incident", "repeat_of_id"),
        _ => return None,
    };
    // Team slugs are validated slugs; quotes are doubled all the same.
    let teams = allowed.iter().map(|t| format!("'{}'", t.replace('\'', "''"))).collect::<Vec<_>>().join(",");
    let teams = if teams.is_empty() { "NULL".to_owned() } else { teams };
    Some(format!(
        "SELECT DISTINCT r.external_id FROM {table} x JOIN incident r ON r.id = x.{column} \
         WHERE x.import_batch_id = {batch_id} AND NOT EXISTS (SELECT 1 FROM incident_service l \
         JOIN service s ON s.id = l.service_id JOIN team t ON t.id = s.team_id \
         WHERE l.incident_id = r.id AND t.slug IN ({teams})) ORDER BY r.external_id"
    ))
}

/// Why a limited writer's import is refused (a 403).
fn refusal(kind: RecordKind, outside: &[String], updated_services: u64) -> Option<String> {
    if kind == RecordKind::Teams {
        return Some("teams can only be written by an admin (or a token not limited to teams)".to_owned());
    }
    if updated_services > 0 {
        return Some(format!(
            "{updated_services} existing service(s) would change; changing a service needs an admin, since it can \
             move the service between teams"
        ));
    }
    (!outside.is_empty()).then(|| format!("these records belong to teams outside yours: {}", outside.join(", ")))
}

/// Records in `ctx` the teams outside the writer's that own any of these services (the owners of
/// stored rows about to be replaced).
pub async fn note_foreign_owners(ctx: &mut Ctx, txn: &DatabaseTransaction, services: &[i64]) -> Result<(), DbErr> {
    let Some(allowed) = &ctx.allowed_teams else {
        return Ok(());
    };
    let mut ids: Vec<i64> = services.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let backend = txn.get_database_backend();
    for chunk in ids.chunks(5000) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let sql =
            format!("SELECT DISTINCT t.slug FROM service s JOIN team t ON t.id = s.team_id WHERE s.id IN ({list})");
        for row in txn.query_all_raw(Statement::from_string(backend, sql)).await? {
            let slug: String = row.try_get_by_index(0)?;
            if !allowed.contains(&slug) {
                ctx.foreign_teams.insert(slug);
            }
        }
    }
    Ok(())
}

/// What a row about no team belongs to: only an unlimited writer may write it.
pub const THE_ORGANISATION: &str = "(the organisation)";

/// Records in `ctx` the teams outside the writer's that stored rows about to be replaced are
/// about (`None`: the organisation, never the writer's).
pub async fn note_foreign_teams(ctx: &mut Ctx, txn: &DatabaseTransaction, teams: &[Option<i64>]) -> Result<(), DbErr> {
    let Some(allowed) = &ctx.allowed_teams else {
        return Ok(());
    };
    if teams.iter().any(Option::is_none) {
        ctx.foreign_teams.insert(THE_ORGANISATION.to_owned());
    }
    let mut ids: Vec<i64> = teams.iter().flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let backend = txn.get_database_backend();
    let mut foreign = Vec::new();
    for chunk in ids.chunks(5000) {
        let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let sql = format!("SELECT slug FROM team WHERE id IN ({list})");
        for row in txn.query_all_raw(Statement::from_string(backend, sql)).await? {
            let slug: String = row.try_get_by_index(0)?;
            if !allowed.contains(&slug) {
                foreign.push(slug);
            }
        }
    }
    ctx.foreign_teams.extend(foreign);
    Ok(())
}

/// The SQL listing the owning team slug of every row `kind` wrote in `batch_id`.
fn owners_sql(kind: RecordKind, batch_id: i64) -> Option<String> {
    let via_service = |table: &str| {
        format!(
            "SELECT DISTINCT t.slug FROM {table} x JOIN service s ON s.id = x.service_id \
             JOIN team t ON t.id = s.team_id WHERE x.import_batch_id = {batch_id}"
        )
    };
    Some(match kind {
        RecordKind::Teams => return None,
        RecordKind::Services => format!(
            "SELECT DISTINCT t.slug FROM service s JOIN team t ON t.id = s.team_id WHERE s.import_batch_id = {batch_id}"
        ),
        RecordKind::Slos => via_service("slo"),
        RecordKind::SloMeasurements => format!(
            "SELECT DISTINCT t.slug FROM slo_measurement m JOIN slo o ON o.id = m.slo_id \
             JOIN service s ON s.id = o.service_id JOIN team t ON t.id = s.team_id WHERE m.import_batch_id = {batch_id}"
        ),
        RecordKind::Incidents => format!(
            "SELECT DISTINCT t.slug FROM incident i JOIN incident_service l ON l.incident_id = i.id \
             JOIN service s ON s.id = l.service_id JOIN team t ON t.id = s.team_id WHERE i.import_batch_id = {batch_id}"
        ),
        RecordKind::Postmortems => format!(
            "SELECT DISTINCT t.slug FROM postmortem p JOIN incident_service l ON l.incident_id = p.incident_id \
             JOIN service s ON s.id = l.service_id JOIN team t ON t.id = s.team_id WHERE p.import_batch_id = {batch_id}"
        ),
        RecordKind::Actions => via_service("postmortem_action"),
        RecordKind::DrTests => via_service("dr_test"),
        RecordKind::Deployments => via_service("deployment"),
        RecordKind::Exemptions => via_service("exemption"),
        RecordKind::SelfAssessments => via_service("self_assessment"),
        RecordKind::Alerts => via_service("alert"),
        RecordKind::Remediations => via_service("remediation"),
        RecordKind::CapacityMeasurements => via_service("capacity_measurement"),
        RecordKind::Costs => via_service("cost"),
        RecordKind::OncallShifts => format!(
            "SELECT DISTINCT t.slug FROM oncall_shift x JOIN team t ON t.id = x.team_id WHERE x.import_batch_id = {batch_id}"
        ),
        // A response about no team is the organisation's: only an unlimited writer sends it.
        RecordKind::SurveyResponses => format!(
            "SELECT DISTINCT COALESCE(t.slug, '{THE_ORGANISATION}') FROM survey_response x \
             LEFT JOIN team t ON t.id = x.team_id WHERE x.import_batch_id = {batch_id}"
        ),
        RecordKind::ToilReports => format!(
            "SELECT DISTINCT t.slug FROM toil_report x JOIN team t ON t.id = x.team_id WHERE x.import_batch_id = {batch_id}"
        ),
    })
}

/// Checks what `batch_id` wrote against the allowed team slugs; `Some(reason)` refuses it.
pub async fn check(
    txn: &DatabaseTransaction,
    kind: RecordKind,
    batch_id: i64,
    allowed: &BTreeSet<String>,
    replaced_foreign: &BTreeSet<String>,
) -> Result<Option<String>, DbErr> {
    let backend = txn.get_database_backend();
    let mut outside: Vec<String> = replaced_foreign.iter().cloned().collect();
    if let Some(sql) = owners_sql(kind, batch_id) {
        for row in txn.query_all_raw(Statement::from_string(backend, sql)).await? {
            let slug: String = row.try_get_by_index(0)?;
            if !allowed.contains(&slug) && !outside.contains(&slug) {
                outside.push(slug);
            }
        }
    }
    let mut updated_services = 0;
    if kind == RecordKind::Services {
        let sql =
            format!("SELECT COUNT(*) FROM service WHERE import_batch_id = {batch_id} AND created_at < updated_at");
        if let Some(row) = txn.query_one_raw(Statement::from_string(backend, sql)).await? {
            let count: i64 = row.try_get_by_index(0)?;
            updated_services = u64::try_from(count).unwrap_or_default();
        }
    }
    if let Some(reason) = refusal(kind, &outside, updated_services) {
        return Ok(Some(reason));
    }
    if let Some(sql) = foreign_references_sql(kind, batch_id, allowed) {
        let rows = txn.query_all_raw(Statement::from_string(backend, sql)).await?;
        let mut foreign = Vec::new();
        for row in &rows {
            foreign.push(row.try_get_by_index::<String>(0)?);
        }
        if !foreign.is_empty() {
            let shown = foreign.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
            let more = if foreign.len() > 10 { format!(" and {} more", foreign.len() - 10) } else { String::new() };
            return Ok(Some(format!(
                "these records refer to incidents that involve none of your teams' services: {shown}{more}"
            )));
        }
    }
    Ok(None)
}
