//! Listings of the on-call kinds: `GET /api/v1/alerts` and `GET /api/v1/oncall-shifts`.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use super::{Names, Page, Params, fetch, internal, page, provenance, service_filter, team_named, ts, with};
use crate::entities::{alert, oncall_shift};
use crate::problem::Problem;

pub(super) async fn list_alerts(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["source", "service", "team", "rule", "disposition", "paged", "from", "to"])?;
    let mut select = alert::Entity::find();
    if let Some(source) = params.get("source") {
        select = select.filter(alert::Column::Source.eq(source));
    }
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        select = select.filter(alert::Column::ServiceId.is_in(ids));
    }
    if let Some(rule) = params.get("rule") {
        select = select.filter(alert::Column::Rule.eq(rule));
    }
    if let Some(disposition) = params.get("disposition") {
        select = select.filter(alert::Column::Disposition.eq(disposition));
    }
    if let Some(paged) = params.get("paged") {
        let paged = match paged {
            "true" => true,
            "false" => false,
            _ => return Err(super::bad_request("paged must be true or false")),
        };
        select = select.filter(alert::Column::Paged.eq(paged));
    }
    if let Some(from) = params.instant("from")? {
        select = select.filter(alert::Column::FiredAt.gte(from));
    }
    if let Some(to) = params.instant("to")? {
        select = select.filter(alert::Column::FiredAt.lt(to));
    }
    let rows = fetch(db, select, alert::Column::Id, &params).await?;
    let mut names = Names::default();
    names.services(db, rows.iter().map(|m| m.service_id)).await.map_err(internal)?;
    names.incidents(db, rows.iter().filter_map(|m| m.incident_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            let labels = m.labels.as_deref().and_then(|text| serde_json::from_str(text).ok()).unwrap_or(Value::Null);
            with(
                json!({
                    "source": m.source, "external_id": m.external_id, "service": names.service(m.service_id),
                    "rule": m.rule, "fired_at": m.fired_at.to_rfc3339(), "acknowledged_at": ts(m.acknowledged_at),
                    "resolved_at": ts(m.resolved_at), "paged": m.paged, "urgency": m.urgency,
                    "responder": m.responder, "escalations": m.escalations, "auto_resolved": m.auto_resolved,
                    "disposition": m.disposition, "incident": names.incident(m.incident_id), "labels": labels,
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

pub(super) async fn list_oncall_shifts(
    db: &DatabaseConnection,
    query: &HashMap<String, String>,
) -> Result<Page, Problem> {
    let params = Params::new(query, &["team", "schedule", "person", "from", "to"])?;
    let mut select = oncall_shift::Entity::find();
    if let Some(team_slug) = params.get("team") {
        select = select.filter(oncall_shift::Column::TeamId.in_subquery(team_named(team_slug)));
    }
    if let Some(schedule) = params.get("schedule") {
        select = select.filter(oncall_shift::Column::Schedule.eq(schedule));
    }
    if let Some(person) = params.get("person") {
        select = select.filter(oncall_shift::Column::Person.eq(person));
    }
    // Shifts overlapping [from, to).
    if let Some(from) = params.instant("from")? {
        select = select.filter(oncall_shift::Column::EndsAt.gt(from));
    }
    if let Some(to) = params.instant("to")? {
        select = select.filter(oncall_shift::Column::StartsAt.lt(to));
    }
    let rows = fetch(db, select, oncall_shift::Column::Id, &params).await?;
    let mut names = Names::default();
    names.teams(db, rows.iter().map(|m| m.team_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({
                    "team": names.team(m.team_id), "schedule": m.schedule, "person": m.person,
                    "starts_at": m.starts_at.to_rfc3339(), "ends_at": m.ends_at.to_rfc3339(),
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}
