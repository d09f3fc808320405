//! Entity rows → the KPI engine's input structs. Entities stay in the server; only these domain
//! values reach the engine. A stored value the schema's CHECKs should have made impossible
//! (an unknown severity, a malformed slug) is reported as [`Corrupt`], never unwrapped.

use std::collections::HashMap;

use app::domain::kpi::{Action, Deployment, DrTest, Incident, Service, Slo, SloData};
use app::domain::records::{ActionStatus, DeploymentOutcome, DrOutcome, Indicator, Lifecycle, Severity, Slug, Tier};
use chrono::{DateTime, NaiveDate, Utc};

use crate::entities::{dr_test, incident, service, slo};

/// A stored row the engine cannot take.
#[derive(Debug, thiserror::Error)]
#[error("stored {table} row {id}: {problem}")]
pub struct Corrupt {
    pub table: &'static str,
    pub id: i64,
    pub problem: String,
}

fn corrupt(table: &'static str, id: i64, problem: impl Into<String>) -> Corrupt {
    Corrupt { table, id, problem: problem.into() }
}

pub fn slug(table: &'static str, id: i64, text: &str) -> Result<Slug, Corrupt> {
    Slug::parse(text).map_err(|e| corrupt(table, id, e))
}

/// Looks up a service slug by row id.
pub struct ServiceSlugs<'a>(pub &'a HashMap<i64, Slug>);

impl ServiceSlugs<'_> {
    pub fn get(&self, table: &'static str, row: i64, service_id: i64) -> Result<Slug, Corrupt> {
        self.0.get(&service_id).cloned().ok_or_else(|| corrupt(table, row, format!("unknown service {service_id}")))
    }
}

pub fn service(row: &service::Model, teams: &HashMap<i64, Slug>) -> Result<Service, Corrupt> {
    let team = teams.get(&row.team_id).cloned().ok_or_else(|| corrupt("service", row.id, "unknown team"))?;
    Ok(Service {
        slug: slug("service", row.id, &row.slug)?,
        team,
        tier: Tier::new(i64::from(row.tier)).map_err(|e| corrupt("service", row.id, e))?,
        active: Lifecycle::parse(&row.lifecycle) == Some(Lifecycle::Active),
        rto_target_minutes: row.rto_target_minutes,
        rpo_target_minutes: row.rpo_target_minutes,
    })
}

/// An incident with the slugs of the services it names and its published postmortem's time.
pub fn incident(
    row: &incident::Model,
    services: Vec<Slug>,
    repeat_of: Option<String>,
    postmortem_published_at: Option<DateTime<Utc>>,
) -> Result<Incident, Corrupt> {
    let severity = Severity::from_level(row.severity)
        .ok_or_else(|| corrupt("incident", row.id, format!("severity {}", row.severity)))?;
    Ok(Incident {
        id: row.external_id.clone(),
        severity,
        services,
        started_at: row.started_at,
        detected_at: row.detected_at,
        acknowledged_at: row.acknowledged_at,
        mitigated_at: row.mitigated_at,
        resolved_at: row.resolved_at,
        customer_impacting: row.customer_impacting,
        customer_impact_minutes: row.customer_impact_minutes,
        data_loss_minutes: row.data_loss_minutes,
        mitigated_by: match row.mitigated_by.as_deref() {
            None => None,
            Some(text) => Some(
                app::domain::records::MitigatedBy::parse(text)
                    .ok_or_else(|| corrupt("incident", row.id, format!("mitigated_by {text}")))?,
            ),
        },
        root_cause_category: row.root_cause_category.clone(),
        repeat_of,
        postmortem_published_at,
    })
}

/// An incident named by another record: its external id and start.
#[derive(Debug, Clone)]
pub struct IncidentRef {
    pub external_id: String,
    pub started_at: DateTime<Utc>,
}

/// The columns of an action the KPIs read: id, external id, incident id, service id, due date,
/// status, completed at.
pub type ActionRow = (i64, String, Option<i64>, i64, Option<NaiveDate>, String, Option<DateTime<Utc>>);

pub fn action(row: &ActionRow, services: &ServiceSlugs<'_>, incident: Option<&IncidentRef>) -> Result<Action, Corrupt> {
    let (id, external_id, _, service_id, due_date, status, completed_at) = row;
    let status = ActionStatus::parse(status).ok_or_else(|| corrupt("postmortem_action", *id, "unknown status"))?;
    Ok(Action {
        id: external_id.clone(),
        service: services.get("postmortem_action", *id, *service_id)?,
        incident: incident.map(|i| i.external_id.clone()),
        incident_started_at: incident.map(|i| i.started_at),
        due_date: *due_date,
        status,
        completed_at: *completed_at,
    })
}

pub fn dr_test(row: &dr_test::Model, services: &ServiceSlugs<'_>) -> Result<DrTest, Corrupt> {
    Ok(DrTest {
        id: row.external_id.clone(),
        service: services.get("dr_test", row.id, row.service_id)?,
        performed_at: row.performed_at,
        outcome: DrOutcome::parse(&row.outcome).ok_or_else(|| corrupt("dr_test", row.id, "unknown outcome"))?,
        rto_target_minutes: row.rto_target_minutes,
        rto_achieved_minutes: row.rto_achieved_minutes,
        rpo_target_minutes: row.rpo_target_minutes,
        rpo_achieved_minutes: row.rpo_achieved_minutes,
    })
}

/// The columns of a deployment the KPIs read: id, external id, service id, deployed at,
/// outcome, incident id.
pub type DeploymentRow = (i64, String, i64, DateTime<Utc>, String, Option<i64>);

pub fn deployment(
    row: &DeploymentRow,
    services: &ServiceSlugs<'_>,
    incident: Option<&IncidentRef>,
) -> Result<Deployment, Corrupt> {
    let (id, external_id, service_id, deployed_at, outcome, incident_id) = row;
    Ok(Deployment {
        id: external_id.clone(),
        service: services.get("deployment", *id, *service_id)?,
        deployed_at: *deployed_at,
        outcome: DeploymentOutcome::parse(outcome).ok_or_else(|| corrupt("deployment", *id, "unknown outcome"))?,
        // A link whose incident cannot be found still marks the change as failed.
        incident: incident_id.map(|id| incident.map_or_else(|| format!("#{id}"), |i| i.external_id.clone())),
    })
}

/// An SLO (active when its service is) with what was loaded of its measurements.
pub fn slo(row: &slo::Model, services: &ServiceSlugs<'_>, active: bool, data: SloData) -> Result<Slo, Corrupt> {
    Ok(Slo {
        service: services.get("slo", row.id, row.service_id)?,
        slug: slug("slo", row.id, &row.slug)?,
        objective: row.objective,
        window: row.window().ok_or_else(|| corrupt("slo", row.id, "unreadable window"))?,
        budgeting: row
            .budgeting_method()
            .ok_or_else(|| corrupt("slo", row.id, format!("unknown budgeting '{}'", row.budgeting)))?,
        active,
        indicator: Indicator::parse(&row.indicator)
            .ok_or_else(|| corrupt("slo", row.id, format!("unknown indicator '{}'", row.indicator)))?,
        threshold_ms: row.threshold_ms,
        data,
    })
}
