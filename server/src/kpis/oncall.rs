//! Loads the on-call populations of a period (docs/kpis.md §On-call): alerts fired in the period
//! and up to a longest shift after it (a shift starting in the period counts its pages to its
//! end), and shifts starting up to a longest shift before the period (to tell which shift took
//! a page) and in it.

use std::collections::HashMap;

use app::domain::kpi::oncall::MAX_SHIFT_DAYS;
use app::domain::kpi::{Alert, OncallShift, Period, ServiceDirectory};
use app::domain::records::{AlertDisposition, Slug};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::mapping::{Corrupt, ServiceSlugs};
use crate::entities::{alert, oncall_shift};

type AlertRow = (i64, String, String, i64, String, DateTime<Utc>, Option<DateTime<Utc>>, bool, Option<String>, String);

fn shifted(t: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    t.checked_add_signed(TimeDelta::days(days)).unwrap_or(if days < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// The scope's alerts of the period and the span after it a shift can reach.
pub async fn alerts<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    scope_ids: Option<&[i64]>,
    names: &ServiceSlugs<'_>,
    directory: &ServiceDirectory,
) -> Result<Vec<Alert>, super::load::LoadError> {
    let mut query = alert::Entity::find()
        .select_only()
        .columns([
            alert::Column::Id,
            alert::Column::Source,
            alert::Column::ExternalId,
            alert::Column::ServiceId,
            alert::Column::Rule,
            alert::Column::FiredAt,
            alert::Column::AcknowledgedAt,
            alert::Column::Paged,
            alert::Column::Responder,
            alert::Column::Disposition,
        ])
        .filter(alert::Column::FiredAt.gte(period.start()))
        .filter(alert::Column::FiredAt.lt(shifted(period.end(), MAX_SHIFT_DAYS)))
        .order_by_asc(alert::Column::Id);
    if let Some(ids) = scope_ids {
        query = query.filter(alert::Column::ServiceId.is_in(ids.iter().copied()));
    }
    let rows: Vec<AlertRow> = query.into_tuple().all(db).await?;
    let mut alerts = Vec::with_capacity(rows.len());
    for (id, source, external_id, service_id, rule, fired_at, acknowledged_at, paged, responder, disposition) in rows {
        let service = names.get("alert", id, service_id)?;
        alerts.push(Alert {
            source,
            external_id,
            team: directory.team_of(&service).cloned(),
            service,
            rule,
            fired_at,
            acknowledged_at,
            paged,
            responder,
            disposition: AlertDisposition::parse(&disposition).ok_or_else(|| Corrupt {
                table: "alert",
                id,
                problem: "unknown disposition".into(),
            })?,
        });
    }
    Ok(alerts)
}

/// Every team's shifts starting in the period or up to a longest shift before it.
pub async fn shifts<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    teams: &HashMap<i64, Slug>,
) -> Result<Vec<OncallShift>, super::load::LoadError> {
    let rows = oncall_shift::Entity::find()
        .filter(oncall_shift::Column::StartsAt.gte(shifted(period.start(), -MAX_SHIFT_DAYS)))
        .filter(oncall_shift::Column::StartsAt.lt(period.end()))
        .order_by_asc(oncall_shift::Column::Id)
        .all(db)
        .await
        .map_err(|e: DbErr| super::load::LoadError::Database(e))?;
    rows.into_iter()
        .map(|row| {
            let team = teams.get(&row.team_id).cloned().ok_or_else(|| Corrupt {
                table: "oncall_shift",
                id: row.id,
                problem: "unknown team".into(),
            })?;
            Ok(OncallShift {
                team,
                schedule: row.schedule,
                person: row.person,
                starts_at: row.starts_at,
                ends_at: row.ends_at,
            })
        })
        .collect()
}
