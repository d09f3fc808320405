//! The KPI repository: loads, for one period, exactly the populations the docs/kpis.md
//! definitions look at, and maps them to the engine's [`Dataset`]. Every query is bounded by
//! the period (and the look-back a definition needs) over an indexed column:
//!
//! - incidents started in [start − 90 days, end) (implicit repeats look back 90 days) plus those
//!   mitigated in the period (postmortem coverage), with their services and published
//!   postmortems — for the whole organisation, whatever the scope, because an earlier
//!   occurrence only has to share *a* service with an in-scope incident to make it a repeat;
//! - actions due in the period, or open at the as-of instant with a due day before the as-of
//!   day (overdue, any due period), or following up an incident started in the period (data
//!   quality of due dates);
//! - the actions following up the incidents a repeat of the period can repeat: those started in
//!   the look-back with a root cause, and those its `repeat_of` names (any due date or status);
//! - DR tests performed in [start − 365 days, end) (coverage looks back up to 180 days);
//! - deployments made in the period;
//! - alerts and on-call shifts (see `oncall`);
//! - all services (with team slug, tier, lifecycle) and the SLOs of the scope with their
//!   measurements summed in SQL over the day ranges the SLO KPIs read (see `slo_sums`).

use std::collections::{BTreeMap, HashMap, HashSet};

use app::domain::kpi::{Dataset, Incident, KpiSettings, OncallSettings, Period, Scope, ServiceDirectory};
use app::domain::records::Slug;
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use super::mapping::{self, Corrupt, IncidentRef, ServiceSlugs};
use crate::db::IN_LIST_CHUNK as CHUNK;
use crate::entities::{deployment, dr_test, incident, incident_service, postmortem, postmortem_action, service, team};

/// How far before the period incidents are loaded (the implicit-repeat window).
const INCIDENT_LOOKBACK_DAYS: i64 = 90;
/// How far before the period DR tests are loaded (covers the longest coverage interval, 180 d).
const DR_LOOKBACK_DAYS: i64 = 365;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The scope names a team or service that does not exist.
    #[error("{0}")]
    UnknownScope(String),
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Corrupt(#[from] Corrupt),
}

fn minus_days(t: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    t.checked_sub_signed(TimeDelta::days(days)).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `column IN ids` for a narrowed scope; no condition for the organisation.
pub(super) fn in_scope(column: impl ColumnTrait, ids: Option<&[i64]>) -> Condition {
    match ids {
        None => Condition::all(),
        Some(ids) => Condition::all().add(column.is_in(ids.iter().copied())),
    }
}

/// The services and teams, the scope checked against them, and the ids of the scope's services.
struct Directory {
    services: Vec<app::domain::kpi::Service>,
    slugs: HashMap<i64, Slug>,
    active: HashMap<i64, bool>,
    teams: HashMap<i64, Slug>,
    /// Teams that set their own time zone.
    team_zones: BTreeMap<Slug, chrono_tz::Tz>,
    /// `None` for the organisation.
    scope_ids: Option<Vec<i64>>,
}

async fn directory<C: ConnectionTrait>(db: &C, scope: &Scope) -> Result<Directory, LoadError> {
    let team_rows: Vec<(i64, String, Option<String>)> = team::Entity::find()
        .select_only()
        .columns([team::Column::Id, team::Column::Slug, team::Column::TimeZone])
        .into_tuple()
        .all(db)
        .await?;
    let (mut teams, mut team_zones) = (HashMap::new(), BTreeMap::new());
    for (id, text, zone) in team_rows {
        let slug = mapping::slug("team", id, &text)?;
        // Validated on import; a zone this build does not know falls back to the reporting zone.
        if let Some(zone) = zone.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
            team_zones.insert(slug.clone(), zone);
        }
        teams.insert(id, slug);
    }
    let rows = service::Entity::find().order_by_asc(service::Column::Id).all(db).await?;
    let mut services = Vec::with_capacity(rows.len());
    let (mut slugs, mut active) = (HashMap::new(), HashMap::new());
    for row in &rows {
        let service = mapping::service(row, &teams)?;
        slugs.insert(row.id, service.slug.clone());
        active.insert(row.id, service.active);
        services.push(service);
    }
    match scope {
        Scope::Team(slug) if !teams.values().any(|t| t == slug) => {
            return Err(LoadError::UnknownScope(format!("there is no team '{slug}'")));
        }
        Scope::Service(slug) if !services.iter().any(|s| &s.slug == slug) => {
            return Err(LoadError::UnknownScope(format!("there is no service '{slug}'")));
        }
        _ => {}
    }
    let scope_ids = match scope {
        Scope::Org => None,
        _ => {
            let dir = ServiceDirectory::new(&services);
            Some(slugs.iter().filter(|(_, slug)| dir.contains(scope, slug)).map(|(id, _)| *id).collect())
        }
    };
    Ok(Directory { services, slugs, active, teams, team_zones, scope_ids })
}

/// Refuses a scope naming a team or service the loaded organisation does not have.
pub fn check_scope(data: &Dataset, scope: &Scope) -> Result<(), LoadError> {
    match scope {
        Scope::Team(slug) if !data.services.iter().any(|s| &s.team == slug) => {
            Err(LoadError::UnknownScope(format!("there is no team '{slug}'")))
        }
        Scope::Service(slug) if !data.services.iter().any(|s| &s.slug == slug) => {
            Err(LoadError::UnknownScope(format!("there is no service '{slug}'")))
        }
        _ => Ok(()),
    }
}

/// The ids of incidents started in `[from, to)`, as a sub-query.
fn incidents_started(from: DateTime<Utc>, to: DateTime<Utc>) -> SelectStatement {
    Query::select()
        .column(incident::Column::Id)
        .from(incident::Entity)
        .and_where(Expr::col(incident::Column::StartedAt).gte(from))
        .and_where(Expr::col(incident::Column::StartedAt).lt(to))
        .to_owned()
}

/// Incidents of the period and its look-back (see the module docs), keyed by row id.
async fn incidents<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    slugs: &HashMap<i64, Slug>,
) -> Result<(Vec<Incident>, HashMap<i64, IncidentRef>), LoadError> {
    let (start, end) = (period.start(), period.end());
    let population = Condition::any()
        .add(
            incident::Column::StartedAt
                .gte(minus_days(start, INCIDENT_LOOKBACK_DAYS))
                .and(incident::Column::StartedAt.lt(end)),
        )
        .add(incident::Column::MitigatedAt.gte(start).and(incident::Column::MitigatedAt.lt(end)));
    let ids_query =
        || incident::Entity::find().select_only().column(incident::Column::Id).filter(population.clone()).into_query();
    let rows = incident::Entity::find().filter(population.clone()).order_by_asc(incident::Column::Id).all(db).await?;

    let links: Vec<(i64, i64)> = incident_service::Entity::find()
        .select_only()
        .columns([incident_service::Column::IncidentId, incident_service::Column::ServiceId])
        .filter(incident_service::Column::IncidentId.in_subquery(ids_query()))
        .order_by_asc(incident_service::Column::IncidentId)
        .order_by_asc(incident_service::Column::ServiceId)
        .into_tuple()
        .all(db)
        .await?;
    let mut services: HashMap<i64, Vec<Slug>> = HashMap::new();
    for (incident_id, service_id) in links {
        if let Some(slug) = slugs.get(&service_id) {
            services.entry(incident_id).or_default().push(slug.clone());
        }
    }

    let published: Vec<(i64, Option<DateTime<Utc>>)> = postmortem::Entity::find()
        .select_only()
        .columns([postmortem::Column::IncidentId, postmortem::Column::PublishedAt])
        .filter(postmortem::Column::IncidentId.in_subquery(ids_query()))
        .filter(postmortem::Column::Status.eq("published"))
        .into_tuple()
        .all(db)
        .await?;
    let published: HashMap<i64, Option<DateTime<Utc>>> = published.into_iter().collect();

    let mut refs: HashMap<i64, IncidentRef> = rows
        .iter()
        .map(|r| (r.id, IncidentRef { external_id: r.external_id.clone(), started_at: r.started_at }))
        .collect();
    add_refs(db, &mut refs, rows.iter().filter_map(|r| r.repeat_of_id)).await?;

    let mut incidents = Vec::with_capacity(rows.len());
    for row in &rows {
        let repeat_of =
            row.repeat_of_id.map(|id| refs.get(&id).map_or_else(|| format!("#{id}"), |r| r.external_id.clone()));
        let pm = published.get(&row.id).copied().flatten();
        incidents.push(mapping::incident(row, services.remove(&row.id).unwrap_or_default(), repeat_of, pm)?);
    }
    Ok((incidents, refs))
}

/// Adds the external id and start of the named incidents not loaded yet.
async fn add_refs<C: ConnectionTrait>(
    db: &C,
    refs: &mut HashMap<i64, IncidentRef>,
    ids: impl IntoIterator<Item = i64>,
) -> Result<(), DbErr> {
    let missing: Vec<i64> =
        ids.into_iter().filter(|id| !refs.contains_key(id)).collect::<HashSet<_>>().into_iter().collect();
    for chunk in missing.chunks(CHUNK) {
        let rows: Vec<(i64, String, DateTime<Utc>)> = incident::Entity::find()
            .select_only()
            .columns([incident::Column::Id, incident::Column::ExternalId, incident::Column::StartedAt])
            .filter(incident::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        for (id, external_id, started_at) in rows {
            refs.insert(id, IncidentRef { external_id, started_at });
        }
    }
    Ok(())
}

/// Loads the dataset of one period for a scope. `now` fixes the as-of instant.
pub async fn load<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    now: DateTime<Utc>,
    scope: &Scope,
    settings: &KpiSettings,
) -> Result<Dataset, LoadError> {
    let dir = directory(db, scope).await?;
    let ids = dir.scope_ids.as_deref();
    let names = ServiceSlugs(&dir.slugs);
    let (start, end) = (period.start(), period.end());
    let (first_day, end_day) = (period.first_day(), period.end_day());
    let (as_of, as_of_day) = (period.as_of(now), period.as_of_day(now));

    let action_population = Condition::any()
        .add(postmortem_action::Column::DueDate.gte(first_day).and(postmortem_action::Column::DueDate.lt(end_day)))
        .add(
            Condition::all()
                .add(postmortem_action::Column::DueDate.lt(as_of_day))
                .add(postmortem_action::Column::Status.ne("wont_do"))
                .add(
                    Condition::any()
                        .add(postmortem_action::Column::Status.eq("open"))
                        .add(postmortem_action::Column::CompletedAt.gte(as_of)),
                ),
        )
        .add(postmortem_action::Column::IncidentId.in_subquery(incidents_started(start, end)));
    let actions_query = action_rows()
        .filter(action_population)
        .filter(in_scope(postmortem_action::Column::ServiceId, ids))
        .order_by_asc(postmortem_action::Column::Id);
    // The follow-ups of the incidents a repeat of the period can repeat: those with a root cause
    // in its look-back (implicit) and those named by its repeat_of (explicit), whatever the scope.
    let with_cause = Query::select()
        .column(incident::Column::Id)
        .from(incident::Entity)
        .and_where(Expr::col(incident::Column::StartedAt).gte(minus_days(start, INCIDENT_LOOKBACK_DAYS)))
        .and_where(Expr::col(incident::Column::StartedAt).lt(end))
        .and_where(Expr::col(incident::Column::RootCauseCategory).is_not_null())
        .to_owned();
    let named = Query::select()
        .column(incident::Column::RepeatOfId)
        .from(incident::Entity)
        .and_where(Expr::col(incident::Column::StartedAt).gte(start))
        .and_where(Expr::col(incident::Column::StartedAt).lt(end))
        .and_where(Expr::col(incident::Column::RepeatOfId).is_not_null())
        .to_owned();
    let follow_ups_query = action_rows()
        .filter(
            Condition::any()
                .add(postmortem_action::Column::IncidentId.in_subquery(with_cause))
                .add(postmortem_action::Column::IncidentId.in_subquery(named)),
        )
        .order_by_asc(postmortem_action::Column::Id);
    let dr_query = dr_test::Entity::find()
        .filter(dr_test::Column::PerformedAt.gte(minus_days(start, DR_LOOKBACK_DAYS)))
        .filter(dr_test::Column::PerformedAt.lt(end))
        .filter(in_scope(dr_test::Column::ServiceId, ids))
        .order_by_asc(dr_test::Column::Id);
    let deployments_query = deployment::Entity::find()
        .select_only()
        .columns([
            deployment::Column::Id,
            deployment::Column::ExternalId,
            deployment::Column::ServiceId,
            deployment::Column::DeployedAt,
            deployment::Column::Outcome,
            deployment::Column::IncidentId,
        ])
        .filter(deployment::Column::DeployedAt.gte(start))
        .filter(deployment::Column::DeployedAt.lt(end))
        .filter(in_scope(deployment::Column::ServiceId, ids))
        .order_by_asc(deployment::Column::Id);

    // The populations are independent: for a reader waiting on them, each query runs on its own
    // pooled connection, so the database works on them side by side while earlier results are
    // decoded. A background recompute runs them one at a time instead: it keeps at most one
    // database core busy, and the pages being served meanwhile keep the other.
    let gate = tokio::sync::Semaphore::new(if crate::background::on_background_thread() { 1 } else { 8 });
    let started = std::time::Instant::now();
    // Each part is boxed so the joined future stays small.
    let service_directory = ServiceDirectory::new(&dir.services);
    let (
        (incidents, mut refs),
        action_rows,
        follow_up_rows,
        dr_rows,
        deployment_rows,
        slos,
        alerts,
        shifts,
        toil_reports,
        remediations,
        capacity_days,
        costs,
        survey_responses,
    ) = tokio::try_join!(
        Box::pin(timed("incidents", &gate, incidents(db, period, &dir.slugs))),
        Box::pin(timed("actions", &gate, async {
            Ok::<_, LoadError>(actions_query.into_tuple::<mapping::ActionRow>().all(db).await?)
        })),
        Box::pin(timed("follow_ups", &gate, async {
            Ok::<_, LoadError>(follow_ups_query.into_tuple::<mapping::ActionRow>().all(db).await?)
        })),
        Box::pin(timed("dr_tests", &gate, async { Ok::<_, LoadError>(dr_query.all(db).await?) })),
        Box::pin(timed("deployments", &gate, async {
            Ok::<_, LoadError>(deployments_query.into_tuple::<mapping::DeploymentRow>().all(db).await?)
        })),
        Box::pin(timed("slos", &gate, super::slo_sums::slos(db, period, now, ids, &names, &dir.active))),
        Box::pin(timed("alerts", &gate, super::oncall::alerts(db, period, ids, &names, &service_directory))),
        Box::pin(timed("shifts", &gate, super::oncall::shifts(db, period, &dir.teams))),
        Box::pin(timed("toil_reports", &gate, super::toil::toil_reports(db, period, &dir.teams))),
        Box::pin(timed("remediations", &gate, super::toil::remediations(db, &dir.slugs))),
        Box::pin(timed("capacity", &gate, super::capacity::capacity_days(db, period, ids, &dir.slugs))),
        Box::pin(timed("costs", &gate, super::cost::costs(db, period, ids, &dir.slugs))),
        Box::pin(timed("surveys", &gate, super::surveys::survey_responses(db, period, &dir.teams))),
    )?;
    tracing::debug!(elapsed_ms = started.elapsed().as_millis(), "KPI populations loaded");

    let linked =
        action_rows.iter().chain(&follow_up_rows).filter_map(|a| a.2).chain(deployment_rows.iter().filter_map(|d| d.5));
    add_refs(db, &mut refs, linked).await?;

    let to_actions = |rows: &[mapping::ActionRow]| {
        rows.iter()
            .map(|row| mapping::action(row, &names, row.2.and_then(|id| refs.get(&id))))
            .collect::<Result<Vec<_>, _>>()
    };
    let (actions, follow_ups) = (to_actions(&action_rows)?, to_actions(&follow_up_rows)?);
    let dr_tests = dr_rows.iter().map(|row| mapping::dr_test(row, &names)).collect::<Result<Vec<_>, _>>()?;
    let mut deployments = Vec::with_capacity(deployment_rows.len());
    for row in &deployment_rows {
        deployments.push(mapping::deployment(row, &names, row.5.and_then(|id| refs.get(&id)))?);
    }

    Ok(Dataset {
        services: dir.services,
        slos,
        incidents,
        actions,
        follow_ups,
        dr_tests,
        deployments,
        alerts,
        shifts,
        toil_reports,
        remediations,
        capacity_days,
        costs,
        survey_responses,
        settings: settings.clone(),
        oncall: OncallSettings { hours: settings.paging_hours.clone(), team_zones: dir.team_zones },
        ..Dataset::default()
    })
}

/// Actions with only the columns the KPIs read ([`mapping::ActionRow`]): titles and owners would
/// double what is decoded.
fn action_rows() -> sea_orm::Select<postmortem_action::Entity> {
    postmortem_action::Entity::find().select_only().columns([
        postmortem_action::Column::Id,
        postmortem_action::Column::ExternalId,
        postmortem_action::Column::IncidentId,
        postmortem_action::Column::ServiceId,
        postmortem_action::Column::DueDate,
        postmortem_action::Column::Status,
        postmortem_action::Column::CompletedAt,
    ])
}

/// Runs one part of a load when `gate` lets it, logging how long it took (at debug level).
async fn timed<T>(part: &'static str, gate: &tokio::sync::Semaphore, work: impl std::future::Future<Output = T>) -> T {
    let _turn = gate.acquire().await.ok();
    let started = std::time::Instant::now();
    let result = work.await;
    tracing::debug!(part, elapsed_ms = started.elapsed().as_millis(), "KPI population part loaded");
    result
}

/// As [`load`], with only the services and the scope's SLOs (for the per-SLO report).
pub async fn load_slos<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    now: DateTime<Utc>,
    scope: &Scope,
) -> Result<Dataset, LoadError> {
    let started = std::time::Instant::now();
    let dir = directory(db, scope).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "services and teams loaded");
    let slos = super::slo_sums::slos(db, period, now, dir.scope_ids.as_deref(), &ServiceSlugs(&dir.slugs), &dir.active)
        .await?;
    Ok(Dataset { services: dir.services, slos, ..Dataset::default() })
}
