//! `GET /api/v1/toil-reports`, `GET /api/v1/remediations`, `GET /api/v1/capacity-measurements` and
//! `GET /api/v1/costs`: the team-practice kinds, in the ingestion field names.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;

use super::{Names, Page, Params, fetch, internal, page, provenance, service_filter, team_named, ts, with};
use crate::entities::{capacity_measurement, cost, remediation, toil_report};
use crate::problem::Problem;

pub(super) async fn list_toil_reports(
    db: &DatabaseConnection,
    query: &HashMap<String, String>,
) -> Result<Page, Problem> {
    let params = Params::new(query, &["team", "period", "method", "from", "to"])?;
    let mut select = toil_report::Entity::find();
    if let Some(team_slug) = params.get("team") {
        select = select.filter(toil_report::Column::TeamId.in_subquery(team_named(team_slug)));
    }
    if let Some(span) = params.get("period") {
        select = select.filter(toil_report::Column::Span.eq(span));
    }
    if let Some(method) = params.get("method") {
        select = select.filter(toil_report::Column::Method.eq(method));
    }
    // Reports starting in [from, to).
    if let Some(from) = params.date("from")? {
        select = select.filter(toil_report::Column::PeriodStart.gte(from));
    }
    if let Some(to) = params.date("to")? {
        select = select.filter(toil_report::Column::PeriodStart.lt(to));
    }
    let rows = fetch(db, select, toil_report::Column::Id, &params).await?;
    let mut names = Names::default();
    names.teams(db, rows.iter().map(|m| m.team_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({
                    "team": names.team(m.team_id), "period": m.span, "period_start": m.period_start.to_string(),
                    "hours_total": m.hours_total, "hours_toil": m.hours_toil, "category": m.category,
                    "method": m.method,
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

/// `GET /api/v1/remediations`: how each service remediates its failure modes.
pub(super) async fn list_remediations(
    db: &DatabaseConnection,
    query: &HashMap<String, String>,
) -> Result<Page, Problem> {
    let params = Params::new(query, &["service", "team", "automation", "failure_mode"])?;
    let mut select = remediation::Entity::find();
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        select = select.filter(remediation::Column::ServiceId.is_in(ids));
    }
    if let Some(automation) = params.get("automation") {
        select = select.filter(remediation::Column::Automation.eq(automation));
    }
    if let Some(mode) = params.get("failure_mode") {
        select = select.filter(remediation::Column::FailureMode.eq(mode));
    }
    let rows = fetch(db, select, remediation::Column::Id, &params).await?;
    let mut names = Names::default();
    names.services(db, rows.iter().map(|m| m.service_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({
                    "service": names.service(m.service_id), "failure_mode": m.failure_mode,
                    "automation": m.automation, "runbook_url": m.runbook_url,
                    "last_exercised_at": ts(m.last_exercised_at),
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

/// `GET /api/v1/capacity-measurements`: the services' daily peaks per resource.
pub(super) async fn list_capacity_measurements(
    db: &DatabaseConnection,
    query: &HashMap<String, String>,
) -> Result<Page, Problem> {
    let params = Params::new(query, &["service", "team", "resource", "from", "to"])?;
    let mut select = capacity_measurement::Entity::find();
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        select = select.filter(capacity_measurement::Column::ServiceId.is_in(ids));
    }
    if let Some(resource) = params.get("resource") {
        select = select.filter(capacity_measurement::Column::Resource.eq(resource));
    }
    // Days in [from, to).
    if let Some(from) = params.date("from")? {
        select = select.filter(capacity_measurement::Column::Day.gte(from));
    }
    if let Some(to) = params.date("to")? {
        select = select.filter(capacity_measurement::Column::Day.lt(to));
    }
    let rows = fetch(db, select, capacity_measurement::Column::Id, &params).await?;
    let mut names = Names::default();
    names.services(db, rows.iter().map(|m| m.service_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({
                    "service": names.service(m.service_id), "resource": m.resource, "day": m.day.to_string(),
                    "peak_used": m.peak_used, "capacity": m.capacity,
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

/// `GET /api/v1/costs`: the services' monthly costs, each with its own unit cost.
pub(super) async fn list_costs(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["service", "team", "currency", "from", "to"])?;
    let mut select = cost::Entity::find();
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        select = select.filter(cost::Column::ServiceId.is_in(ids));
    }
    if let Some(currency) = params.get("currency") {
        select = select.filter(cost::Column::Currency.eq(currency));
    }
    // Months starting in [from, to).
    if let Some(from) = params.date("from")? {
        select = select.filter(cost::Column::Month.gte(from));
    }
    if let Some(to) = params.date("to")? {
        select = select.filter(cost::Column::Month.lt(to));
    }
    let rows = fetch(db, select, cost::Column::Id, &params).await?;
    let mut names = Names::default();
    names.services(db, rows.iter().map(|m| m.service_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({
                    "service": names.service(m.service_id), "month": m.month.format("%Y-%m").to_string(),
                    "amount": m.amount, "currency": m.currency, "unit_driver": m.unit_driver, "units": m.units,
                    "unit_cost": m.amount / m.units,
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}
