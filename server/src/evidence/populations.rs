//! The populations of a pack, each streamed from one query in id order (never paged: a page
//! query re-reads the window every time) and written as CSV rows whose columns are
//! `Population::columns`. Derived columns (durations, flags) are computed here from the row
//! itself, so an auditor can re-perform them.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use app::domain::evidence::{EvidenceRequest, Population};
use app::domain::kpi::{Period, ReportingCalendar, SloTotals, meets_objective};
use app::domain::records::Budgeting;
use app::domain::scorecard::ApprovalOrigin;
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, TimeDelta, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, ExprTrait,
    FromQueryResult, JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationDef, Statement, StreamTrait,
};

use super::writer::PackWriter;
use super::{EvidenceError, Scope};
use crate::csv::Line;
use crate::entities::{
    audit_event, campaign, deployment, dr_test, exemption, import_batch, incident, incident_service, postmortem,
    postmortem_action, scorecard_snapshot, self_assessment, slo,
};
use crate::kpis;
use futures::{Stream, TryStreamExt};

/// The window as instants and days.
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// First instant of `from` in the reporting zone.
    pub start: DateTime<Utc>,
    /// First instant after `to` (exclusive).
    pub end: DateTime<Utc>,
    calendar: ReportingCalendar,
}

impl Window {
    pub fn new(request: &EvidenceRequest, calendar: &ReportingCalendar) -> Self {
        Window {
            from: request.from,
            to: request.to,
            start: calendar.day_start(request.from),
            end: calendar.day_end(request.to),
            calendar: *calendar,
        }
    }

    /// The day after the window: the as-of day of its end.
    fn end_day(&self) -> NaiveDate {
        self.to.succ_opt().unwrap_or(self.to)
    }

    fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }
}

pub struct Ctx<'a> {
    pub db: &'a DatabaseTransaction,
    pub scope: &'a Scope,
    pub window: &'a Window,
    /// Import batches the records written so far came from: import_batches.csv lists every one
    /// of them (and the batches started in the window), so provenance closes within the pack.
    pub cited: Mutex<BTreeSet<i64>>,
}

impl Ctx<'_> {
    /// Records that a written row came from `batch`; returns its id for the row.
    pub(super) fn cite(&self, batch: i64) -> String {
        if let Ok(mut cited) = self.cited.lock() {
            cited.insert(batch);
        }
        batch.to_string()
    }

    /// The teams owning a selected service; `None` without a filter (every team).
    pub(super) fn selected_teams(&self) -> Option<BTreeSet<&str>> {
        let ids = self.scope.selected.as_ref()?;
        Some(ids.iter().filter_map(|id| self.scope.services.get(id)).map(|s| s.team.as_str()).collect())
    }

    pub(super) fn service(&self, id: i64) -> (&str, &str) {
        self.scope.services.get(&id).map(|s| (s.slug.as_str(), s.team.as_str())).unwrap_or(("", ""))
    }

    /// A service's tier as text ("" for a service outside the scope).
    pub(super) fn tier(&self, id: i64) -> String {
        self.scope.services.get(&id).map(|s| s.tier.to_string()).unwrap_or_default()
    }

    /// `column IN selected services`, or no condition without a filter.
    pub(super) fn in_scope(&self, column: impl ColumnTrait) -> Condition {
        self.scope.condition(column)
    }
}

pub async fn write(population: Population, ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    match population {
        Population::Incidents => incidents(ctx, w).await,
        Population::Postmortems => postmortems(ctx, w).await,
        Population::Actions => actions(ctx, w).await,
        Population::DrTests => dr_tests(ctx, w).await,
        Population::Slos => slos(ctx, w).await,
        Population::SloAttainment => slo_attainment(ctx, w).await,
        Population::Deployments => deployments(ctx, w).await,
        Population::Alerts => super::oncall::alerts(ctx, w).await,
        Population::OncallShifts => super::oncall::shifts(ctx, w).await,
        Population::CapacityMeasurements => super::capacity::measurements(ctx, w).await,
        Population::Exemptions => exemptions(ctx, w).await,
        Population::Campaigns => campaigns(ctx, w).await,
        Population::SelfAssessments => self_assessments(ctx, w).await,
        Population::ImportBatches => import_batches(ctx, w).await,
        Population::AuditEvents => audit_events(ctx, w).await,
    }
}

pub(super) fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(super) fn opt_instant(t: Option<DateTime<Utc>>) -> String {
    t.map(instant).unwrap_or_default()
}

pub(super) fn minutes_between(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> String {
    match (from, to) {
        (Some(a), Some(b)) => format!("{:.2}", (b - a).num_milliseconds() as f64 / 60_000.0),
        _ => String::new(),
    }
}

pub(super) fn flag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

pub(super) fn opt_num(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes each row of a one-query stream as a CSV line, handing the output on as it grows.
pub(super) async fn write_rows<M>(
    rows: impl Stream<Item = Result<M, DbErr>>,
    w: &mut PackWriter,
    mut line_of: impl FnMut(M) -> Line,
) -> Result<(), EvidenceError> {
    let mut rows = std::pin::pin!(rows);
    while let Some(row) = rows.try_next().await? {
        w.row(line_of(row));
        w.flush().await?;
    }
    Ok(())
}

/// Incidents started or mitigated in the window, naming a service in scope.
fn incidents_in_window(ctx: &Ctx<'_>) -> Condition {
    let (start, end) = (ctx.window.start, ctx.window.end);
    let mut condition = Condition::all().add(
        Condition::any()
            .add(incident::Column::StartedAt.gte(start).and(incident::Column::StartedAt.lt(end)))
            .add(incident::Column::MitigatedAt.gte(start).and(incident::Column::MitigatedAt.lt(end))),
    );
    if let Some(ids) = &ctx.scope.selected {
        let named = incident_service::Entity::find()
            .select_only()
            .column(incident_service::Column::IncidentId)
            .filter(incident_service::Column::ServiceId.is_in(ids.iter().copied()))
            .into_query();
        condition = condition.add(incident::Column::Id.in_subquery(named));
    }
    condition
}

async fn incidents(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    // One row per incident and named service, in incident order: consecutive rows are merged.
    let named: RelationDef = incident_service::Entity::belongs_to(incident::Entity)
        .from(incident_service::Column::IncidentId)
        .to(incident::Column::Id)
        .into();
    let query = incident::Entity::find()
        .join(JoinType::LeftJoin, named.rev())
        .column_as(incident_service::Column::ServiceId, "named_service_id")
        .filter(incidents_in_window(ctx))
        .order_by_asc(incident::Column::Id)
        .order_by_asc(incident_service::Column::ServiceId)
        .build(ConnectionTrait::get_database_backend(ctx.db));
    let mut rows = ctx.db.stream_raw(query).await?;
    let mut current: Option<(incident::Model, Vec<i64>)> = None;
    while let Some(row) = rows.try_next().await? {
        let model = incident::Model::from_query_result(&row, "")?;
        let service: Option<i64> = row.try_get("", "named_service_id")?;
        match &mut current {
            Some((open, services)) if open.id == model.id => services.extend(service),
            _ => {
                if let Some((done, services)) = current.take() {
                    w.row(incident_line(ctx, &done, &services));
                    w.flush().await?;
                }
                current = Some((model, service.into_iter().collect()));
            }
        }
    }
    if let Some((done, services)) = current {
        w.row(incident_line(ctx, &done, &services));
    }
    Ok(())
}

fn incident_line(ctx: &Ctx<'_>, r: &incident::Model, services: &[i64]) -> Line {
    let slugs: BTreeSet<&str> = services.iter().map(|id| ctx.service(*id).0).collect();
    let teams: BTreeSet<&str> = services.iter().map(|id| ctx.service(*id).1).collect();
    let mut line = Line::new();
    line.push(&r.id.to_string()).push(&r.source).push(&r.external_id).push(&r.title);
    line.push(&format!("SEV{}", r.severity)).push(&r.status);
    line.push(&slugs.into_iter().collect::<Vec<_>>().join(";"));
    line.push(&teams.into_iter().collect::<Vec<_>>().join(";"));
    let started = Some(r.started_at);
    line.push(&instant(r.started_at)).push(&opt_instant(r.detected_at));
    line.push(&opt_instant(r.acknowledged_at)).push(&opt_instant(r.mitigated_at));
    line.push(&opt_instant(r.resolved_at));
    line.push(&minutes_between(started, r.detected_at));
    line.push(&minutes_between(r.detected_at, r.acknowledged_at));
    line.push(&minutes_between(r.detected_at, r.mitigated_at));
    line.push(&minutes_between(started, r.mitigated_at));
    line.push(&minutes_between(started, r.resolved_at));
    line.push(flag(r.customer_impacting)).push(&opt_num(r.customer_impact_minutes));
    line.push(&opt_num(r.data_loss_minutes));
    line.push(flag(r.change_related)).opt(r.root_cause_category.as_deref());
    line.push(&opt_num(r.repeat_of_id));
    line.push(flag(ctx.window.contains(r.started_at)));
    line.push(flag(r.mitigated_at.is_some_and(|t| ctx.window.contains(t))));
    line.push(&ctx.cite(r.import_batch_id)).push(&instant(r.created_at)).push(&instant(r.updated_at));
    line
}

async fn postmortems(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    let in_window = incident::Entity::find()
        .select_only()
        .column(incident::Column::Id)
        .filter(incidents_in_window(ctx))
        .into_query();
    let of_incident: RelationDef = postmortem::Entity::belongs_to(incident::Entity)
        .from(postmortem::Column::IncidentId)
        .to(incident::Column::Id)
        .into();
    let query = postmortem::Entity::find()
        .join(JoinType::InnerJoin, of_incident)
        .column_as(incident::Column::ExternalId, "incident_external_id")
        .column_as(incident::Column::Severity, "incident_severity")
        .column_as(incident::Column::MitigatedAt, "incident_mitigated_at")
        .filter(postmortem::Column::IncidentId.in_subquery(in_window))
        .order_by_asc(postmortem::Column::Id)
        .build(ConnectionTrait::get_database_backend(ctx.db));
    let mut rows = ctx.db.stream_raw(query).await?;
    while let Some(row) = rows.try_next().await? {
        let r = postmortem::Model::from_query_result(&row, "")?;
        let external: String = row.try_get("", "incident_external_id")?;
        let severity: i16 = row.try_get("", "incident_severity")?;
        let mitigated: Option<DateTime<Utc>> = row.try_get("", "incident_mitigated_at")?;
        // docs/kpis.md postmortem coverage: published with published_at ≤ mitigated + 7 days.
        let timely = match (r.status.as_str(), r.published_at, mitigated) {
            ("published", Some(published), Some(mitigated)) => Some(published <= mitigated + TimeDelta::days(7)),
            (_, _, Some(_)) => Some(false),
            _ => None,
        };
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(&r.incident_id.to_string()).push(&external);
        line.push(&format!("SEV{severity}")).push(&opt_instant(mitigated)).push(&r.status);
        line.push(&opt_instant(r.published_at)).push(timely.map(flag).unwrap_or(""));
        line.opt(r.url.as_deref());
        line.push(&ctx.cite(r.import_batch_id)).push(&instant(r.created_at)).push(&instant(r.updated_at));
        w.row(line);
        w.flush().await?;
    }
    Ok(())
}

async fn actions(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    use postmortem_action::Column as C;
    let window = ctx.window;
    let open_at_end = Condition::all()
        .add(C::Status.ne("wont_do"))
        .add(Condition::any().add(C::CompletedAt.is_null()).add(C::CompletedAt.gte(window.end)));
    let selected = Condition::any()
        .add(C::DueDate.gte(window.from).and(C::DueDate.lte(window.to)))
        .add(Condition::all().add(C::DueDate.lt(window.from)).add(open_at_end));
    let of_incident: RelationDef =
        postmortem_action::Entity::belongs_to(incident::Entity).from(C::IncidentId).to(incident::Column::Id).into();
    let query = postmortem_action::Entity::find()
        .join(JoinType::LeftJoin, of_incident)
        .column_as(incident::Column::ExternalId, "incident_external_id")
        .filter(ctx.in_scope(C::ServiceId))
        .filter(selected)
        .order_by_asc(C::Id)
        .build(ConnectionTrait::get_database_backend(ctx.db));
    let mut rows = ctx.db.stream_raw(query).await?;
    while let Some(row) = rows.try_next().await? {
        let r = postmortem_action::Model::from_query_result(&row, "")?;
        let incident_external: Option<String> = row.try_get("", "incident_external_id")?;
        let (service, team) = ctx.service(r.service_id);
        let due_in_window = r.due_date.is_some_and(|d| window.from <= d && d <= window.to);
        // docs/kpis.md: done with completed_at before the end of the due day (reporting zone).
        let on_time = match (r.status.as_str(), r.due_date) {
            ("wont_do", _) | (_, None) => None,
            (status, Some(due)) => {
                Some(status == "done" && r.completed_at.is_some_and(|c| c < window.calendar.day_end(due)))
            }
        };
        let open = r.status != "wont_do" && r.completed_at.is_none_or(|c| c >= window.end);
        let overdue_days = match r.due_date {
            Some(due) if open && due < window.end_day() => Some((window.end_day() - due).num_days()),
            _ => None,
        };
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(&r.source).push(&r.external_id).push(&opt_num(r.incident_id));
        line.opt(incident_external.as_deref());
        line.push(service).push(team).push(&r.title).opt(r.owner.as_deref()).opt(r.priority.as_deref());
        line.push(&r.due_date.map(|d| d.to_string()).unwrap_or_default()).push(&r.status);
        line.push(&opt_instant(r.completed_at)).push(on_time.map(flag).unwrap_or(""));
        line.push(flag(due_in_window)).push(flag(open)).push(&opt_num(overdue_days));
        line.push(&ctx.cite(r.import_batch_id)).push(&instant(r.created_at)).push(&instant(r.updated_at));
        w.row(line);
        w.flush().await?;
    }
    Ok(())
}

fn met(achieved: Option<i64>, target: Option<i64>) -> &'static str {
    match (achieved, target) {
        (Some(a), Some(t)) => flag(a <= t),
        _ => "",
    }
}

async fn dr_tests(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    use dr_test::Column as C;
    let rows = dr_test::Entity::find()
        .filter(ctx.in_scope(C::ServiceId))
        .filter(C::PerformedAt.gte(ctx.window.start))
        .filter(C::PerformedAt.lt(ctx.window.end))
        .order_by_asc(C::Id)
        .stream(ctx.db)
        .await?;
    write_rows(rows, w, |r| {
        let (service, team) = ctx.service(r.service_id);
        let tier = ctx.tier(r.service_id);
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(&r.source).push(&r.external_id).push(service).push(team).push(&tier);
        line.push(&r.scenario).push(&instant(r.performed_at)).push(&r.outcome);
        line.push(&opt_num(r.rto_target_minutes)).push(&opt_num(r.rto_achieved_minutes));
        line.push(met(r.rto_achieved_minutes, r.rto_target_minutes));
        line.push(&opt_num(r.rpo_target_minutes)).push(&opt_num(r.rpo_achieved_minutes));
        line.push(met(r.rpo_achieved_minutes, r.rpo_target_minutes));
        line.opt(r.evidence_url.as_deref()).opt(r.notes.as_deref());
        line.push(&ctx.cite(r.import_batch_id)).push(&instant(r.created_at)).push(&instant(r.updated_at));
        line
    })
    .await
}

async fn slos(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    let rows = slo::Entity::find()
        .filter(ctx.in_scope(slo::Column::ServiceId))
        .order_by_asc(slo::Column::Id)
        .stream(ctx.db)
        .await?;
    write_rows(rows, w, |r| {
        let (service, team) = ctx.service(r.service_id);
        let tier = ctx.tier(r.service_id);
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(service).push(team).push(&tier).push(&r.slug).push(&r.name);
        line.push(&r.indicator).push(&r.objective.to_string()).push(&r.window_days.to_string());
        line.push(r.calendar_window.as_deref().unwrap_or(""));
        line.push(&r.calendar_start.map(|d| d.to_string()).unwrap_or_default());
        line.push(r.budgeting_method().map_or(r.budgeting.as_str(), |b| b.as_str())).push(&opt_num(r.threshold_ms));
        line.push(&ctx.cite(r.import_batch_id)).push(&instant(r.created_at)).push(&instant(r.updated_at));
        line
    })
    .await
}

/// The window cut at each month's first day: `[from, 1st of next month, …, to + 1)`.
fn month_bounds(window: &Window) -> Vec<NaiveDate> {
    let mut bounds = vec![window.from];
    let mut next = window.from.with_day(1).and_then(|d| d.checked_add_months(chrono::Months::new(1)));
    while let Some(day) = next.filter(|d| *d <= window.to) {
        bounds.push(day);
        next = day.checked_add_months(chrono::Months::new(1));
    }
    bounds.push(window.end_day());
    bounds
}

/// Every SLO in scope with its measurements of the window summed per calendar month, in SLO
/// order: one aggregate over the window (grouping by month is much cheaper for the database
/// than placing each day among interval bounds). A ratio-timeslices SLO's months also carry the
/// sum of their daily ratios and their days with events, taken in the database exactly as the
/// KPIs take them (`kpis::daily_ratio_units_sql`). Only integers and dates are inlined.
fn attainment_query(ctx: &Ctx<'_>, backend: DbBackend) -> Statement {
    let month = match backend {
        DbBackend::Postgres => "CAST(date_trunc('month', day) AS date)",
        _ => "date(day, 'start of month')",
    };
    let date = |d: NaiveDate| match backend {
        DbBackend::Postgres => format!("DATE '{d}'"),
        _ => format!("'{d}'"),
    };
    let (scope_slos, scope_services) = match &ctx.scope.selected {
        Some(ids) => {
            let list = if ids.is_empty() {
                "NULL".to_owned()
            } else {
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            };
            (
                format!(" AND slo_id IN (SELECT id FROM slo WHERE service_id IN ({list}))"),
                format!(" WHERE s.service_id IN ({list})"),
            )
        }
        None => (String::new(), String::new()),
    };
    let ratio = "slo_id IN (SELECT id FROM slo WHERE mean_of_daily_ratios)";
    let units = kpis::daily_ratio_units_sql(backend);
    let sql = format!(
        "SELECT s.id, s.service_id, s.slug, s.objective, s.mean_of_daily_ratios, a.month, a.good, a.total, a.days, \
         a.ratio_units, a.event_days FROM slo s \
         LEFT JOIN (SELECT slo_id, {month} AS month, CAST(SUM(good) AS BIGINT) AS good, \
         CAST(SUM(total) AS BIGINT) AS total, CAST(COUNT(*) AS BIGINT) AS days, \
         CAST(SUM(CASE WHEN {ratio} THEN {units} END) AS BIGINT) AS ratio_units, \
         CAST(COUNT(CASE WHEN total > 0 AND {ratio} THEN 1 END) AS BIGINT) AS event_days FROM slo_measurement \
         WHERE day >= {from} AND day < {end}{scope_slos} GROUP BY slo_id, {month}) a ON a.slo_id = s.id\
         {scope_services} ORDER BY s.id, a.month",
        from = date(ctx.window.from),
        end = date(ctx.window.end_day()),
    );
    Statement::from_string(backend, sql)
}

/// One SLO's definition and its sums per month (by the month's first day).
struct SloSums {
    id: i64,
    service_id: i64,
    slug: String,
    objective: f64,
    /// Ratio timeslices: judged by the mean of the daily ratios, not by the events.
    by_daily_ratios: bool,
    months: HashMap<NaiveDate, SloTotals>,
}

async fn slo_attainment(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    let bounds = month_bounds(ctx.window);
    let mut rows = ctx.db.stream_raw(attainment_query(ctx, ConnectionTrait::get_database_backend(ctx.db))).await?;
    let mut current: Option<SloSums> = None;
    while let Some(row) = rows.try_next().await? {
        let id: i64 = row.try_get("", "id")?;
        if current.as_ref().is_none_or(|c| c.id != id) {
            if let Some(done) = current.take() {
                write_attainment(ctx, w, &bounds, &done);
                w.flush().await?;
            }
            current = Some(SloSums {
                id,
                service_id: row.try_get("", "service_id")?,
                slug: row.try_get("", "slug")?,
                objective: row.try_get("", "objective")?,
                by_daily_ratios: row.try_get("", "mean_of_daily_ratios")?,
                months: HashMap::new(),
            });
        }
        let month: Option<NaiveDate> = row.try_get("", "month")?;
        if let (Some(month), Some(sums)) = (month, current.as_mut()) {
            let count = |column: &str| -> Result<i64, EvidenceError> {
                Ok(row.try_get::<Option<i64>>("", column)?.unwrap_or(0))
            };
            let totals = SloTotals {
                good: count("good")?.into(),
                total: count("total")?.into(),
                days: u32::try_from(count("days")?).unwrap_or(u32::MAX),
                ratio_units: count("ratio_units")?.into(),
                event_days: u32::try_from(count("event_days")?).unwrap_or(u32::MAX),
            };
            sums.months.insert(month, totals);
        }
    }
    if let Some(done) = current {
        write_attainment(ctx, w, &bounds, &done);
    }
    Ok(())
}

/// A row per month of the window (clipped to it), then one for the whole window.
fn write_attainment(ctx: &Ctx<'_>, w: &mut PackWriter, bounds: &[NaiveDate], slo: &SloSums) {
    let (service, _) = ctx.service(slo.service_id);
    let mut whole = SloTotals::default();
    for pair in bounds.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        let month = from.with_day(1).unwrap_or(from);
        let sums = slo.months.get(&month).copied().unwrap_or_default();
        whole += sums;
        let label = format!("{:04}-{:02}", from.year(), from.month());
        w.row(attainment_line(slo, service, &label, from, to, &sums));
    }
    w.row(attainment_line(slo, service, "window", ctx.window.from, ctx.window.end_day(), &whole));
}

fn attainment_line(
    r: &SloSums,
    service: &str,
    period: &str,
    from: NaiveDate,
    end: NaiveDate,
    sums: &SloTotals,
) -> Line {
    let last = end.pred_opt().unwrap_or(end);
    // What is judged: the events, or for ratio timeslices the mean of the days' ratios.
    let budgeting = if r.by_daily_ratios { Budgeting::RatioTimeslices } else { Budgeting::Occurrences };
    let (judged_good, judged_total) = sums.judged(budgeting);
    let attainment = (judged_total > 0).then(|| format!("{:.6}", judged_good as f64 * 100.0 / judged_total as f64));
    let met = meets_objective(judged_good, judged_total, r.objective);
    let mut line = Line::new();
    line.push(&r.id.to_string()).push(service).push(&r.slug).push(period);
    line.push(&from.to_string()).push(&last.to_string()).push(&(end - from).num_days().to_string());
    line.push(&sums.days.to_string()).push(&sums.good.to_string()).push(&sums.total.to_string());
    line.push(attainment.as_deref().unwrap_or("")).push(&r.objective.to_string()).push(met.map(flag).unwrap_or(""));
    line
}

async fn deployments(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    use deployment::Column as C;
    let of_incident: RelationDef =
        deployment::Entity::belongs_to(incident::Entity).from(C::IncidentId).to(incident::Column::Id).into();
    let query = deployment::Entity::find()
        .join(JoinType::LeftJoin, of_incident)
        .column_as(incident::Column::ExternalId, "incident_external_id")
        .filter(ctx.in_scope(C::ServiceId))
        .filter(C::DeployedAt.gte(ctx.window.start))
        .filter(C::DeployedAt.lt(ctx.window.end))
        .order_by_asc(C::Id)
        .build(ConnectionTrait::get_database_backend(ctx.db));
    let mut rows = ctx.db.stream_raw(query).await?;
    while let Some(row) = rows.try_next().await? {
        let r = deployment::Model::from_query_result(&row, "")?;
        let incident_external: Option<String> = row.try_get("", "incident_external_id")?;
        let (service, team) = ctx.service(r.service_id);
        // docs/kpis.md change failure: rolled back or failed, or linked to an incident.
        let failed = matches!(r.outcome.as_str(), "rolled_back" | "failed") || r.incident_id.is_some();
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(&r.source).push(&r.external_id).push(service).push(team);
        line.push(&instant(r.deployed_at)).push(&r.outcome).push(&opt_num(r.incident_id));
        line.opt(incident_external.as_deref()).push(flag(failed));
        line.opt(r.author.as_deref()).opt(r.approved_by.as_deref()).opt(r.change_ticket.as_deref());
        line.push(flag(r.emergency));
        line.push(&ctx.cite(r.import_batch_id)).push(&instant(r.created_at)).push(&instant(r.updated_at));
        w.row(line);
        w.flush().await?;
    }
    Ok(())
}

async fn exemptions(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    use exemption::Column as C;
    let rows = exemption::Entity::find()
        .filter(ctx.in_scope(C::ServiceId))
        .filter(C::CreatedAt.lt(ctx.window.end))
        .filter(C::ExpiresAt.gte(ctx.window.start))
        .order_by_asc(C::Id)
        .stream(ctx.db)
        .await?;
    write_rows(rows, w, |r| {
        let (service, team) = ctx.service(r.service_id);
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(service).push(team).push(&r.check_id).push(&r.reason);
        line.push(&r.approver).push(ApprovalOrigin::parse(r.approval_origin.as_deref()).as_str());
        line.push(&instant(r.created_at)).push(&instant(r.expires_at));
        line.push(&ctx.cite(r.import_batch_id)).push(&instant(r.updated_at));
        line
    })
    .await
}

async fn campaigns(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    use campaign::Column as C;
    let first_day = ctx.window.from;
    let rows = campaign::Entity::find()
        .filter(C::CreatedAt.lt(ctx.window.end))
        .filter(C::Deadline.gte(first_day))
        .order_by_asc(C::Id)
        .stream(ctx.db)
        .await?;
    write_rows(rows, w, |r| {
        let result: Option<app::api::CampaignResult> = r.result.as_deref().and_then(|t| serde_json::from_str(t).ok());
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(&r.slug).push(&r.title).push(&r.owner).push(&r.goal).push(&r.scope);
        line.push(&r.deadline.to_string()).push(&r.created_by).push(&instant(r.created_at));
        line.push(&opt_instant(r.cancelled_at));
        match result {
            Some(result) => {
                line.push(&result.met.to_string()).push(&result.total.to_string()).push(&result.open.join(" "));
                line.push(&result.day.to_string()).push(&instant(result.recorded_at));
            }
            None => {
                for _ in 0..5 {
                    line.push("");
                }
            }
        }
        line
    })
    .await
}

async fn self_assessments(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    use self_assessment::Column as C;
    let answered = C::AnsweredAt.gte(ctx.window.start).and(C::AnsweredAt.lt(ctx.window.end));
    let reviewed = C::ReviewedAt.gte(ctx.window.start).and(C::ReviewedAt.lt(ctx.window.end));
    let rows = self_assessment::Entity::find()
        .filter(ctx.in_scope(C::ServiceId))
        .filter(sea_orm::Condition::any().add(answered).add(reviewed))
        .order_by_asc(C::Id)
        .stream(ctx.db)
        .await?;
    write_rows(rows, w, |r| {
        let (service, team) = ctx.service(r.service_id);
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(service).push(team).push(&r.item).push(&r.answer);
        line.opt(r.evidence_url.as_deref()).opt(r.comment.as_deref()).push(&r.answered_by);
        line.push(&instant(r.answered_at)).opt(r.reviewed_by.as_deref()).push(&opt_instant(r.reviewed_at));
        let origin = r.reviewed_by.as_ref().map(|_| ApprovalOrigin::parse(r.approval_origin.as_deref()).as_str());
        line.opt(origin);
        line.push(&ctx.cite(r.import_batch_id)).push(&instant(r.updated_at));
        line
    })
    .await
}

async fn import_batches(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    use import_batch::Column as C;
    let cited = ctx.cited.lock().map(|c| c.clone()).unwrap_or_default();
    let rows = import_batch::Entity::find().order_by_asc(C::Id).stream(ctx.db).await?;
    let wanted = |r: &import_batch::Model| ctx.window.contains(r.started_at) || cited.contains(&r.id);
    let mut rows = rows.try_filter(|r| std::future::ready(wanted(r)));
    while let Some(r) = rows.try_next().await? {
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(&r.kind).push(&r.source).push(&r.format).opt(r.file_name.as_deref());
        line.push(&r.actor).push(&r.sha256);
        for count in [r.received, r.created, r.updated, r.unchanged, r.rejected] {
            line.push(&count.to_string());
        }
        line.push(&r.status).push(&instant(r.started_at)).push(&opt_instant(r.finished_at));
        w.row(line);
        w.flush().await?;
    }
    Ok(())
}

async fn audit_events(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    use audit_event::Column as C;
    let rows = audit_event::Entity::find()
        .filter(C::At.gte(ctx.window.start))
        .filter(C::At.lt(ctx.window.end))
        .order_by_asc(C::Seq)
        .stream(ctx.db)
        .await?;
    write_rows(rows, w, |r| {
        let at = r.at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut line = Line::new();
        line.push(&r.seq.to_string()).push(&at).push(&r.actor).push(&r.action).push(&r.target);
        line.push(&r.details).push(&r.prev_hash).push(&r.hash);
        line
    })
    .await
}

/// A published snapshot whose period lies inside the window.
pub struct PublishedReport {
    pub row: scorecard_snapshot::Model,
}

pub async fn published_reports(
    db: &DatabaseTransaction,
    request: &EvidenceRequest,
    calendar: &ReportingCalendar,
) -> Result<Vec<PublishedReport>, EvidenceError> {
    let periods: Vec<(i64, String)> = scorecard_snapshot::Entity::find()
        .select_only()
        .columns([scorecard_snapshot::Column::Id, scorecard_snapshot::Column::Period])
        .order_by_asc(scorecard_snapshot::Column::Period)
        .into_tuple()
        .all(db)
        .await?;
    let mut reports = Vec::new();
    for (id, text) in periods {
        let inside = Period::parse(&text, *calendar)
            .is_ok_and(|p| request.from <= p.first_day() && p.end_day() <= request.to.succ_opt().unwrap_or(request.to));
        if !inside {
            continue;
        }
        // One at a time: a snapshot can be large.
        if let Some(row) = scorecard_snapshot::Entity::find_by_id(id).one(db).await? {
            reports.push(PublishedReport { row });
        }
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(from: &str, to: &str) -> Window {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let request = EvidenceRequest::window(day(from), day(to)).expect("window");
        Window::new(&request, &ReportingCalendar::default())
    }

    #[test]
    fn months_cut_the_window() {
        let days = |w: &Window| month_bounds(w).iter().map(NaiveDate::to_string).collect::<Vec<_>>();
        assert_eq!(days(&window("2026-07-01", "2026-09-30")), ["2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01"]);
        assert_eq!(days(&window("2026-07-15", "2026-08-03")), ["2026-07-15", "2026-08-01", "2026-08-04"]);
        assert_eq!(days(&window("2026-07-15", "2026-07-15")), ["2026-07-15", "2026-07-16"]);
    }

    #[test]
    fn durations_are_minutes_with_two_decimals() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).expect("instant").with_timezone(&Utc);
        assert_eq!(minutes_between(Some(t("2026-07-01T00:00:00Z")), Some(t("2026-07-01T01:30:20Z"))), "90.33");
        assert_eq!(minutes_between(None, Some(t("2026-07-01T00:00:00Z"))), "");
    }
}
