//! Loads the team-practice records of a period: the toil reports (docs/kpis.md §10b) whose
//! counted day can fall in it, so a week starting up to three days before the period (its
//! Thursday inside) is read too; and the remediations (§10c).

use std::collections::HashMap;

use app::domain::kpi::{Period, Remediation, ToilReport};
use app::domain::records::{Automation, Slug, ToilMethod, ToilSpan};
use chrono::Days;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::mapping::Corrupt;
use crate::entities::{remediation, toil_report};

pub async fn toil_reports<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    teams: &HashMap<i64, Slug>,
) -> Result<Vec<ToilReport>, super::load::LoadError> {
    let first = period.first_day();
    let from = first.checked_sub_days(Days::new(3)).unwrap_or(first);
    let rows = toil_report::Entity::find()
        .filter(toil_report::Column::PeriodStart.gte(from))
        .filter(toil_report::Column::PeriodStart.lt(period.end_day()))
        .order_by_asc(toil_report::Column::Id)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let corrupt = |problem: &str| Corrupt { table: "toil_report", id: row.id, problem: problem.into() };
            Ok(ToilReport {
                team: teams.get(&row.team_id).cloned().ok_or_else(|| corrupt("unknown team"))?,
                span: ToilSpan::parse(&row.span).ok_or_else(|| corrupt("unknown period"))?,
                period_start: row.period_start,
                hours_total: row.hours_total,
                hours_toil: row.hours_toil,
                category: row.category,
                method: ToilMethod::parse(&row.method).ok_or_else(|| corrupt("unknown method"))?,
            })
        })
        .collect()
}

/// Every service's remediations (a small table, read whole: the failure modes a period meets are
/// only known once its incidents are).
pub async fn remediations<C: ConnectionTrait>(
    db: &C,
    services: &HashMap<i64, Slug>,
) -> Result<Vec<Remediation>, super::load::LoadError> {
    let rows = remediation::Entity::find().order_by_asc(remediation::Column::Id).all(db).await?;
    rows.into_iter()
        .map(|row| {
            let corrupt = |problem: &str| Corrupt { table: "remediation", id: row.id, problem: problem.into() };
            Ok(Remediation {
                service: services.get(&row.service_id).cloned().ok_or_else(|| corrupt("unknown service"))?,
                failure_mode: row.failure_mode,
                automation: Automation::parse(&row.automation).ok_or_else(|| corrupt("unknown automation"))?,
                runbook_url: row.runbook_url,
                last_exercised_at: row.last_exercised_at,
            })
        })
        .collect()
}
