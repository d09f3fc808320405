//! The service page: the service's scorecard
//! and SLO statuses (shared with the API and its caches), and the service's own records of the
//! period read directly (they are few).

use std::collections::HashMap;

use app::api::{
    ActionView, CheckView, DrTestView, ExemptionView, IncidentView, PageView, PostmortemLink, RecoveryView,
    ServiceView, SloView,
};
use app::domain::format::instant as time;
use std::sync::Arc;

use app::domain::kpi::{
    DayRange, Period, Scope, SeverityFilter, SloJudging, SloMeasurement, SloWindow, daily_series, slo_measures,
};
use app::domain::records::{ActionStatus, Budgeting, Indicator, Severity, Slug};
use app::domain::scorecard::display::{describe_in, describe_threshold_in};
use app::domain::scorecard::evaluate::{ApprovalOrigin, CheckResult, Scorecard};
use app::domain::scorecard::{next_level, score_in_words};
use app::error::AppError;
use app::ports::ServicePort;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use super::header::period_header;
use crate::entities::{
    alert, dr_test, exemption, incident, incident_service, postmortem, postmortem_action, service, slo, team,
};
use crate::kpis::{self, Figures, KpiQuery, Lookup, ScorecardFilter, VersionedCache};
use crate::report::publication::period_state;

/// Most rows of one kind a service page lists (newest first).
const MAX_ROWS: u64 = 200;
/// Days ahead the service page's "what breaks next" looks.
const FORECAST_DAYS: u32 = 90;

/// Service pages whose reads are kept (each a few hundred rows at most).
const KEPT_PAGES: usize = 512;

pub struct ServicePage {
    figures: Figures,
    /// What each page read of the database, by data version (see [`ServiceReads`]).
    reads: VersionedCache<ServiceReads>,
}

impl ServicePage {
    pub fn new(figures: Figures) -> Self {
        ServicePage { figures, reads: VersionedCache::with_capacity("service_pages", KEPT_PAGES) }
    }
}

/// A service page's own reads of the database: its row, team, SLO definitions and daily rows,
/// and the records it lists. Every write the page shows goes through an import or the page
/// triage, and both bump the data version, so the reads are kept per data version; the clock
/// enters through the as-of day (in the key) and the exemptions' expiry (the entry's end).
struct ServiceReads {
    row: service::Model,
    team: String,
    team_name: String,
    slos: Vec<slo::Model>,
    measurements: HashMap<i64, Vec<SloMeasurement>>,
    records: Records,
}

fn minutes_between(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Option<i64> {
    to.map(|to| (to - from).num_minutes())
}

fn check_view(check: &CheckResult) -> CheckView {
    CheckView {
        id: check.id.as_str().to_owned(),
        title: check.title.clone(),
        level: check.level,
        weight: check.weight,
        status: check.status,
        value: describe_in(check.id.unit(), &check.value),
        threshold: describe_threshold_in(check.id.unit(), &check.threshold),
        explanation: check.explanation.clone(),
        waiver: check.waiver.as_ref().map(|w| {
            format!("Waived until {} ({}): {}", time(w.expires_at), w.approval.describe(&w.approver), w.reason)
        }),
    }
}

impl ServicePage {
    /// The page's reads: kept ones of the current data version, or read now (and kept).
    async fn reads(
        &self,
        db: &DatabaseConnection,
        slug: &str,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<ServiceReads>>, DbErr> {
        let version = crate::db::data_version(db).await?;
        let key = format!("{slug}|{period}|{}", period.as_of_day(now));
        if let Lookup::Fresh(reads) = self.reads.lookup_at(&key, version, false, Some(now)) {
            crate::metrics::cache_lookup(self.reads.name, "hit");
            return Ok(Some(reads));
        }
        crate::metrics::cache_lookup(self.reads.name, "miss");
        let Some(reads) = ServiceReads::load(db, slug, period, now).await? else { return Ok(None) };
        let reads = Arc::new(reads);
        self.reads.put_until(key, version, Arc::clone(&reads), reads.records.next_expiry(now));
        Ok(Some(reads))
    }

    async fn load(&self, slug: &str, period: Period, now: DateTime<Utc>) -> Result<Option<ServiceView>, LoadFailure> {
        let figures = &self.figures.for_one_page();
        let Some(reads) = self.reads(&figures.db, slug, period, now).await? else {
            return Ok(None);
        };
        let row = &reads.row;
        let filter = ScorecardFilter { service: Some(slug.to_owned()), ..Default::default() };
        let report = figures.scorecards(&period, &filter, now).await?;
        let card: Option<&Scorecard> = report.scorecards.first();
        let slos = Self::slos(figures, &reads, period, now).await?;
        let records = reads.records.clone();
        // The published figures are the org's, teams' and tiers': a service's page names the
        // state only (its team page compares the figures).
        let scope = Scope::Service(Slug::parse(&row.slug).map_err(|e| LoadFailure::Corrupt(e.to_string()))?);
        let state = period_state(figures, &period, &scope, &Default::default(), now).await?;
        // The periods of the chosen one's kind up to it (the eight quarters ending with a quarter).
        let periods = app::domain::scorecard::movers::history_periods(None, Some(period), figures.calendar, now)
            .map_err(LoadFailure::Corrupt)?;
        let history = figures.history(&row.slug, &periods, now).await?;
        let forecast =
            figures.forecast_if_ready(&scope, FORECAST_DAYS, now).await?.map(|report| report.as_ref().clone());
        let recovery = Self::recovery(figures, row, &scope, period, now).await?;
        let mut header = period_header(period, period.as_of(now), &report.policy_version, figures.calendar, state, now);
        header.recomputing = figures.served_outdated();
        Ok(Some(ServiceView {
            service: row.slug.clone(),
            name: row.name.clone(),
            team: reads.team.clone(),
            team_name: reads.team_name.clone(),
            tier: u8::try_from(row.tier).unwrap_or_default(),
            lifecycle: row.lifecycle.clone(),
            header,
            level: card.and_then(|c| c.level),
            score: card.and_then(|c| c.score),
            score_explained: score_in_words(card.map(|c| c.checks.as_slice()).unwrap_or_default()),
            next_level: card.map(|c| next_level(&figures.policy, c.tier, c.level, &c.checks)),
            checks: card.map(|c| c.checks.iter().map(check_view).collect()).unwrap_or_default(),
            slos,
            incidents: records.incidents,
            actions: records.actions,
            dr_tests: records.dr_tests,
            recovery,
            pages: records.pages,
            exemptions: records.exemptions,
            history,
            forecast,
        }))
    }

    /// The service's recovery objectives, and its recovery KPIs as `GET /api/v1/kpis` reports
    /// them (so the panel and the drill-down it links to agree).
    async fn recovery(
        figures: &Figures,
        service: &service::Model,
        scope: &Scope,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<RecoveryView, LoadFailure> {
        let mut view = RecoveryView {
            rto_target_minutes: service.rto_target_minutes,
            rpo_target_minutes: service.rpo_target_minutes,
            ..RecoveryView::default()
        };
        if view.rto_target_minutes.is_none() && view.rpo_target_minutes.is_none() {
            return Ok(view);
        }
        let query = KpiQuery { period, scope: scope.clone(), severity: SeverityFilter::HIGH };
        match figures.kpis(&query, now).await {
            Ok(report) => {
                view.restores_within_rto = report.kpis.restores_within_rto;
                view.data_loss_within_rpo = report.kpis.data_loss_within_rpo;
            }
            // A retired service is no scope the KPIs know: no figures to show.
            Err(kpis::LoadError::UnknownScope(_)) => {}
            Err(other) => return Err(other.into()),
        }
        Ok(view)
    }

    /// Each SLO's status for the period (as `GET /api/v1/slos` reports it) and its daily series.
    async fn slos(
        figures: &Figures,
        reads: &ServiceReads,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<Vec<SloView>, LoadFailure> {
        let service = &reads.row;
        let scope = Scope::Service(Slug::parse(&service.slug).map_err(|e| LoadFailure::Corrupt(e.to_string()))?);
        let query = KpiQuery { period, scope, severity: SeverityFilter::HIGH };
        let report = match figures.slos(&query, now).await {
            Ok(report) => report,
            // A retired service is no scope the KPIs know: it has no SLO statuses to show.
            Err(kpis::LoadError::UnknownScope(_)) => return Ok(Vec::new()),
            Err(other) => return Err(other.into()),
        };
        let days = chart_days(period, now);
        // Read on every request: a failed pull writes no record, so the kept reads never see it.
        let pulls = crate::prometheus::pull_states(&figures.db, &reads.slos).await?;
        let mut views = Vec::new();
        for status in report.slos {
            let Some(row) = reads.slos.iter().find(|r| r.slug == status.slo.as_str()) else { continue };
            let judging = SloJudging {
                window: row.window().unwrap_or(SloWindow::Rolling { days: 0 }),
                budgeting: row.budgeting_method().unwrap_or(Budgeting::Occurrences),
                objective: status.objective,
            };
            let rows = reads.measurements.get(&row.id).map_or(&[][..], Vec::as_slice);
            views.push(SloView {
                slo: row.slug.clone(),
                name: row.name.clone(),
                measures: measures(row),
                objective: status.objective,
                window: window_in_words(judging),
                attainment: status.attainment,
                met: status.met,
                budget_remaining: status.error_budget_remaining,
                burn_d1: status.burn_rate.d1,
                burn_d7: status.burn_rate.d7,
                burn_window: status.burn_rate.window,
                days_with_data: status.days_with_data,
                daily: daily_series(rows, days, judging),
                source: crate::prometheus::source_view(row, pulls.get(&row.id)),
            });
        }
        Ok(views)
    }
}

/// "28-day rolling window", with ", mean of daily ratios" for ratio timeslices.
fn window_in_words(judging: SloJudging) -> String {
    let window = judging.window.in_words();
    match judging.budgeting {
        Budgeting::RatioTimeslices => format!("{window}, mean of daily ratios"),
        Budgeting::Occurrences | Budgeting::Timeslices => window,
    }
}

/// The days an SLO chart covers: the period's up to the as-of day.
fn chart_days(period: Period, now: DateTime<Utc>) -> DayRange {
    DayRange { from: period.first_day(), to: period.as_of_day(now).max(period.first_day()) }
}

impl ServiceReads {
    async fn load(
        db: &DatabaseConnection,
        slug: &str,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<Option<Self>, DbErr> {
        let Some(row) = service::Entity::find().filter(service::Column::Slug.eq(slug)).one(db).await? else {
            return Ok(None);
        };
        let (team, team_name) =
            team::Entity::find_by_id(row.team_id).one(db).await?.map(|t| (t.slug, t.name)).unwrap_or_default();
        let slos = slo::Entity::find()
            .filter(slo::Column::ServiceId.eq(row.id))
            .order_by_asc(slo::Column::Slug)
            .all(db)
            .await?;
        // The budget of the chart's first day needs the window before it.
        let days = chart_days(period, now);
        let widest = slos.iter().map(|r| u64::try_from(r.window_days).unwrap_or_default()).max().unwrap_or_default();
        let ids: Vec<i64> = slos.iter().map(|r| r.id).collect();
        let measurements = kpis::slo_daily_rows(db, &ids, days.from - chrono::Days::new(widest), days.to).await?;
        let records = Records::load(db, &row, period, now).await?;
        Ok(Some(ServiceReads { row, team, team_name, slos, measurements, records }))
    }
}

/// What an SLO measures, in words (a stored indicator the domain does not know is shown as is).
fn measures(row: &slo::Model) -> String {
    Indicator::parse(&row.indicator).map_or_else(|| row.indicator.clone(), |kind| slo_measures(kind, row.threshold_ms))
}

/// The service's incidents, actions, DR tests and exemptions as the page lists them.
#[derive(Clone)]
struct Records {
    incidents: Vec<IncidentView>,
    actions: Vec<ActionView>,
    dr_tests: Vec<DrTestView>,
    exemptions: Vec<ExemptionView>,
    /// When the exemptions listed expire.
    expiries: Vec<DateTime<Utc>>,
    pages: Vec<PageView>,
}

impl Records {
    /// When the first exemption shown as active expires (the page then shows it expired).
    fn next_expiry(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.expiries.iter().copied().filter(|e| *e > now).min()
    }

    async fn load(
        db: &DatabaseConnection,
        service: &service::Model,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<Self, DbErr> {
        let of_service = incident_service::Entity::find()
            .select_only()
            .column(incident_service::Column::IncidentId)
            .filter(incident_service::Column::ServiceId.eq(service.id))
            .into_query();
        let incidents = incident::Entity::find()
            .filter(incident::Column::Id.in_subquery(of_service))
            .filter(incident::Column::StartedAt.gte(period.start()))
            .filter(incident::Column::StartedAt.lt(period.end()))
            .order_by_desc(incident::Column::StartedAt)
            .limit(MAX_ROWS)
            .all(db)
            .await?;
        let ids: Vec<i64> = incidents.iter().map(|i| i.id).collect();
        let postmortems: HashMap<i64, PostmortemLink> = postmortem::Entity::find()
            .filter(postmortem::Column::IncidentId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.incident_id, PostmortemLink { status: p.status, url: p.url }))
            .collect();
        let incidents = incidents
            .into_iter()
            .map(|i| IncidentView {
                postmortem: postmortems.get(&i.id).cloned(),
                severity: Severity::from_level(i.severity)
                    .map_or_else(|| format!("SEV{}", i.severity), |s| s.as_str().to_owned()),
                status: i.status.clone(),
                started_at: time(i.started_at),
                to_detect: minutes_between(i.started_at, i.detected_at),
                to_acknowledge: minutes_between(i.started_at, i.acknowledged_at),
                to_resolve: minutes_between(i.started_at, i.resolved_at),
                customer_impact_minutes: i.customer_impact_minutes,
                to_recover: minutes_between(i.started_at, i.mitigated_at),
                data_loss_minutes: i.data_loss_minutes,
                id: i.external_id,
                title: i.title,
            })
            .collect();

        // Actions due in the period, and every action still open (an overdue one most of all).
        let first = period.first_day();
        let end = period.end_day();
        let actions = postmortem_action::Entity::find()
            .filter(postmortem_action::Column::ServiceId.eq(service.id))
            .filter(
                sea_orm::Condition::any()
                    .add(postmortem_action::Column::DueDate.between(first, end.pred_opt().unwrap_or(end)))
                    .add(postmortem_action::Column::Status.eq(ActionStatus::Open.as_str())),
            )
            .order_by_asc(postmortem_action::Column::DueDate)
            .limit(MAX_ROWS)
            .all(db)
            .await?;
        let incident_refs: Vec<(i64, String)> = incident::Entity::find()
            .select_only()
            .columns([incident::Column::Id, incident::Column::ExternalId])
            .filter(incident::Column::Id.is_in(actions.iter().filter_map(|a| a.incident_id)))
            .into_tuple()
            .all(db)
            .await?;
        let as_of_day = period.as_of_day(now);
        let actions = actions
            .into_iter()
            .map(|a| {
                let open = a.status == ActionStatus::Open.as_str();
                let overdue_days =
                    a.due_date.filter(|_| open).map(|due| (as_of_day - due).num_days()).filter(|d| *d >= 1);
                ActionView {
                    incident: a
                        .incident_id
                        .and_then(|id| incident_refs.iter().find(|(i, _)| *i == id).map(|(_, e)| e.clone())),
                    owner: a.owner,
                    due_date: a.due_date.map(|d| d.to_string()),
                    status: a.status,
                    completed_at: a.completed_at.map(time),
                    overdue_days,
                    id: a.external_id,
                    title: a.title,
                }
            })
            .collect();

        let dr_tests = dr_test::Entity::find()
            .filter(dr_test::Column::ServiceId.eq(service.id))
            .filter(dr_test::Column::PerformedAt.gte(period.start()))
            .filter(dr_test::Column::PerformedAt.lt(period.end()))
            .order_by_desc(dr_test::Column::PerformedAt)
            .limit(MAX_ROWS)
            .all(db)
            .await?
            .into_iter()
            .map(|t| DrTestView {
                id: t.external_id,
                performed_at: time(t.performed_at),
                outcome: t.outcome,
                rto_target_minutes: t.rto_target_minutes,
                rto_achieved_minutes: t.rto_achieved_minutes,
                rpo_target_minutes: t.rpo_target_minutes,
                rpo_achieved_minutes: t.rpo_achieved_minutes,
                evidence_url: t.evidence_url,
            })
            .collect();

        let exemptions = exemption::Entity::find()
            .filter(exemption::Column::ServiceId.eq(service.id))
            .order_by_desc(exemption::Column::ExpiresAt)
            .limit(MAX_ROWS)
            .all(db)
            .await?;
        let expiries = exemptions.iter().map(|e| e.expires_at).collect();
        let exemptions = exemptions
            .into_iter()
            .map(|e| ExemptionView {
                active: now < e.expires_at,
                check: e.check_id,
                reason: e.reason,
                approver: e.approver,
                approved_in_plumbline: ApprovalOrigin::parse(e.approval_origin.as_deref()) == ApprovalOrigin::Plumbline,
                expires_at: time(e.expires_at),
            })
            .collect();
        let pages = alert::Entity::find()
            .filter(alert::Column::ServiceId.eq(service.id))
            .filter(alert::Column::Paged.eq(true))
            .filter(alert::Column::FiredAt.gte(period.start()))
            .filter(alert::Column::FiredAt.lt(period.end()))
            .order_by_desc(alert::Column::FiredAt)
            .limit(MAX_ROWS)
            .all(db)
            .await?
            .into_iter()
            .map(|a| PageView {
                id: format!("{}/{}", a.source, a.external_id),
                to_acknowledge: a
                    .acknowledged_at
                    .filter(|t| *t >= a.fired_at)
                    .map(|t| (t - a.fired_at).num_seconds() as f64 / 60.0),
                fired_at: time(a.fired_at),
                rule: a.rule,
                responder: a.responder,
                disposition: a.disposition,
            })
            .collect();
        Ok(Records { incidents, actions, dr_tests, exemptions, expiries, pages })
    }
}

#[derive(Debug, thiserror::Error)]
enum LoadFailure {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Kpis(#[from] kpis::LoadError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Publication(#[from] crate::report::publication::PublicationError),
}

#[async_trait::async_trait]
impl ServicePort for ServicePage {
    async fn service(&self, slug: String, period: Option<String>) -> Result<ServiceView, AppError> {
        let now = crate::clock_now();
        let period = self.figures.period(period.as_deref(), now)?;
        // Boxed: the scorecard load is a large future.
        match Box::pin(self.load(&slug, period, now)).await {
            Ok(Some(view)) => Ok(view),
            Ok(None) => Err(AppError::NotFound(format!("There is no service '{slug}'."))),
            Err(error) => Err(AppError::internal("loading a service page", &error)),
        }
    }
}
