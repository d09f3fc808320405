//! The quarterly report: composed from a quarter's figures, or read from its published snapshot.

use std::collections::BTreeMap;
use std::sync::Arc;

use app::api::ReportView;
use app::domain::kpi::{KPI_DEFINITIONS_VERSION, Period, Scope, SeverityFilter};
use app::domain::overview::level_distribution;
use app::domain::report::{Publication, QuarterlyReport, definitions, major_incidents, team_rows};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::snapshots;
use crate::entities::{incident, scorecard_snapshot};
use crate::kpis::Figures;
use crate::kpis::{self, KpiCache, LoadError};
use app::domain::scorecard::Policy;

/// Builds the report of `period` from the stored data as of `now` (cached like the figures it
/// is made of).
pub async fn build<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    policy: &Policy,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Arc<QuarterlyReport>, LoadError> {
    let key = format!("{period}|{}", policy.version);
    let keep = kpis::Keep { key: kpis::Keep::key("report", &period, ""), settings: policy, with_exemptions: true };
    kpis::cached_kept(db, cache, &period, key, keep, now, Box::pin(compose(db, cache, policy, period, now))).await
}

async fn compose<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    policy: &Policy,
    period: Period,
    now: DateTime<Utc>,
) -> Result<QuarterlyReport, LoadError> {
    let summary = Box::pin(kpis::summary(db, cache, policy, period, &Scope::Org, now)).await?;
    let rollups = Box::pin(kpis::cached_rollup_report(db, cache, &period, SeverityFilter::HIGH, now)).await?;
    let data = Box::pin(kpis::org_dataset(db, cache, &period, now)).await?;
    let all: Vec<&app::domain::kpi::Incident> = data.incidents.iter().collect();
    let (mut major, major_total) = major_incidents(&period, &all, &BTreeMap::new());
    drop(all);
    // Titles are not part of the KPI populations: read those of the listed incidents only.
    let ids: Vec<&str> = major.iter().map(|i| i.id.as_str()).collect();
    let titles: BTreeMap<String, String> = incident::Entity::find()
        .select_only()
        .columns([incident::Column::ExternalId, incident::Column::Title])
        .filter(incident::Column::StartedAt.gte(period.start()))
        .filter(incident::Column::StartedAt.lt(period.end()))
        .filter(incident::Column::ExternalId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for row in &mut major {
        row.title = titles.get(&row.id).cloned().unwrap_or_default();
    }
    let teams = team_table(db, &rollups, &summary.scorecards.scorecards).await?;
    let headlines = summary.headlines(&policy.targets);
    let levels = level_distribution(&summary.scorecards.scorecards, policy);
    let active_services = summary.scorecards.scorecards.len() as u64;
    let previous = period.previous();
    let executive = app::domain::executive_summary::executive_summary(
        &period.to_string(),
        &previous.to_string(),
        active_services,
        &headlines,
        &levels,
        &summary.risks,
    );
    Ok(QuarterlyReport {
        period: period.to_string(),
        previous: previous.to_string(),
        year_ago: (0..4).fold(period, |p, _| p.previous()).to_string(),
        summary: executive,
        from: period.first_day().to_string(),
        to: period.end_day().pred_opt().unwrap_or(period.end_day()).to_string(),
        as_of: app::domain::format::instant(summary.as_of),
        definitions_version: KPI_DEFINITIONS_VERSION.to_owned(),
        policy_version: summary.scorecards.policy_version.clone(),
        active_services,
        headlines,
        trends: summary.trends(),
        levels,
        major_incidents: major,
        major_incidents_total: major_total,
        teams,
        risks: summary.risks.clone(),
        definitions: definitions(),
        oncall: Some(summary.oncall_health(policy)),
        causes: Some(summary.causes.clone()),
        // A practice the organisation records nothing of is left out: an executive report does
        // not carry empty sections (the overview keeps them, saying how to send the data).
        capacity: Some(summary.capacity_panel(policy)).filter(|p| !p.empty),
        automation: Some(summary.automation_panel(policy)).filter(|p| !p.empty),
        toil: Some(summary.toil_panel(policy)).filter(|p| !p.empty),
        cost: Some(summary.cost_panel()).filter(|p| !p.empty),
        satisfaction: Some(summary.satisfaction_panel(policy)).filter(|p| !p.empty),
    })
}

/// One row per team owning services: its name, KPIs and its services' levels (the report's
/// and the overview's team table).
pub async fn team_table<C: ConnectionTrait>(
    db: &C,
    rollups: &kpis::RollupReport,
    scorecards: &[app::domain::scorecard::Scorecard],
) -> Result<Vec<app::domain::report::TeamRow>, sea_orm::DbErr> {
    let names = crate::catalog::team_names(db).await?;
    let team_kpis: BTreeMap<String, _> = rollups.teams.iter().map(|(slug, v)| (slug.to_string(), v.clone())).collect();
    Ok(team_rows(&team_kpis, &names, scorecards))
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("reports are quarterly: ask for a quarter like 2026-Q3, not {0}")]
    NotAQuarter(Period),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    #[error("the published snapshot of {0} cannot be read: {1}")]
    Snapshot(Period, String),
}

/// The report of a quarter: the published one when the quarter is published, else a draft
/// computed now. The published one is returned as frozen (what its PDF shows); the page adds
/// the live figures' changes itself.
pub async fn report(figures: &Figures, period: Period, now: DateTime<Utc>) -> Result<ReportView, ReportError> {
    let (db, cache) = (&figures.db, figures.cache.as_ref());
    if !period.is_quarter() {
        return Err(ReportError::NotAQuarter(period));
    }
    if let Some(hash) = snapshots::find_hash(db, &period).await? {
        // Published: read (and parse) the snapshot once; its hash names its content for ever.
        if let Some(view) = cache.published.get(&hash, 0) {
            return Ok(view.as_ref().clone());
        }
        let row = snapshots::find(db, &period).await?;
        // Snapshots published before reports were frozen with them have no report: a draft then.
        if let Some(view) =
            row.map(|r| published_view(&r)).transpose().map_err(|e| ReportError::Snapshot(period, e))?.flatten()
        {
            cache.published.put(hash, 0, Arc::new(view.clone()));
            return Ok(view);
        }
    }
    let report = figures.quarterly(period, now).await?.as_ref().clone();
    let publication = Publication::Draft { generated_at: app::domain::format::instant(now), open: period.end() > now };
    Ok(ReportView { report, publication, can_publish: false, recomputing: false })
}

/// The report frozen in a published snapshot, if the snapshot holds one.
pub fn published_view(row: &scorecard_snapshot::Model) -> Result<Option<ReportView>, String> {
    let content: serde_json::Value = serde_json::from_str(&row.content).map_err(|e| e.to_string())?;
    let Some(frozen) = content.get("report") else { return Ok(None) };
    let report: QuarterlyReport = serde_json::from_value(frozen.clone()).map_err(|e| e.to_string())?;
    let publication = Publication::Published {
        published_at: app::domain::format::instant(row.published_at),
        published_by: row.published_by.clone(),
        content_sha256: row.content_sha256.clone(),
        changes: Vec::new(),
    };
    Ok(Some(ReportView { report, publication, can_publish: false, recomputing: false }))
}
