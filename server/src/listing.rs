//! `GET /api/v1/{kind}`: stored records in the ingestion field names, filtered, with keyset
//! (cursor) pagination over the row id so pages stay stable while data is added.

use std::collections::{HashMap, HashSet};

use app::domain::ingest::RecordKind;
use app::domain::records::Severity;
use axum::http::StatusCode;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use serde::Serialize;
use serde_json::{Value, json};

use crate::entities::{
    deployment, dr_test, exemption, incident, incident_service, postmortem, postmortem_action, self_assessment,
    service, slo, slo_measurement, team,
};
use crate::problem::Problem;

mod oncall;
mod toil;

pub const DEFAULT_LIMIT: u64 = 100;
pub const MAX_LIMIT: u64 = 1000;

#[derive(Debug, Serialize)]
pub struct Page {
    pub items: Vec<Value>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

fn bad_request(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "Invalid query", detail)
}

fn encode_cursor(id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("id:")?.parse().ok()
}

/// The query string, checked against the parameters a kind accepts.
struct Params<'a> {
    query: &'a HashMap<String, String>,
}

impl<'a> Params<'a> {
    fn new(query: &'a HashMap<String, String>, filters: &[&str]) -> Result<Self, Problem> {
        let mut accepted: Vec<&str> = vec!["limit", "cursor"];
        accepted.extend_from_slice(filters);
        if let Some(unknown) = query.keys().find(|k| !accepted.contains(&k.as_str())) {
            return Err(bad_request(format!("unknown parameter '{unknown}'; accepted: {}", accepted.join(", "))));
        }
        Ok(Params { query })
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        self.query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    fn limit(&self) -> Result<u64, Problem> {
        match self.get("limit") {
            None => Ok(DEFAULT_LIMIT),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| bad_request(format!("limit must be from 1 to {MAX_LIMIT}"))),
        }
    }

    fn after_id(&self) -> Result<i64, Problem> {
        match self.get("cursor") {
            None => Ok(0),
            Some(c) => decode_cursor(c).ok_or_else(|| bad_request("cursor is not one this API returned")),
        }
    }

    /// `from` (inclusive) and `to` (exclusive) as instants; dates mean midnight UTC.
    fn instant(&self, name: &str) -> Result<Option<DateTime<Utc>>, Problem> {
        parse_instant(name, self.get(name))
    }

    fn date(&self, name: &str) -> Result<Option<NaiveDate>, Problem> {
        let Some(text) = self.get(name) else { return Ok(None) };
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| bad_request(format!("{name} must be a date (YYYY-MM-DD)")))
    }
}

fn internal(error: DbErr) -> Problem {
    Problem::internal("listing records", &error)
}

/// Ids of the services a `service` or `team` filter selects; `None` when neither is given.
async fn service_filter(db: &DatabaseConnection, params: &Params<'_>) -> Result<Option<Vec<i64>>, DbErr> {
    let mut query = service::Entity::find().select_only().column(service::Column::Id);
    match (params.get("service"), params.get("team")) {
        (None, None) => return Ok(None),
        (service_slug, team_slug) => {
            if let Some(slug) = service_slug {
                query = query.filter(service::Column::Slug.eq(slug));
            }
            if let Some(slug) = team_slug {
                let team_id: Option<i64> = team::Entity::find()
                    .select_only()
                    .column(team::Column::Id)
                    .filter(team::Column::Slug.eq(slug))
                    .into_tuple()
                    .one(db)
                    .await?;
                query = query.filter(service::Column::TeamId.eq(team_id.unwrap_or(-1)));
            }
        }
    }
    Ok(Some(query.into_tuple().all(db).await?))
}

async fn fetch<E: EntityTrait>(
    db: &DatabaseConnection,
    select: Select<E>,
    id: E::Column,
    params: &Params<'_>,
) -> Result<Vec<E::Model>, Problem> {
    let limit = params.limit()?;
    let after = params.after_id()?;
    select.filter(id.gt(after)).order_by_asc(id).limit(limit + 1).all(db).await.map_err(internal)
}

fn page<M>(mut rows: Vec<M>, limit: u64, id: impl Fn(&M) -> i64, item: impl Fn(&M) -> Value) -> Page {
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_cursor = if more { rows.last().map(|r| encode_cursor(id(r))) } else { None };
    Page { items: rows.iter().map(item).collect(), next_cursor }
}

/// Slugs and external ids for the ids on one page.
#[derive(Default)]
struct Names {
    teams: HashMap<i64, String>,
    services: HashMap<i64, String>,
    slos: HashMap<i64, (i64, String)>,
    incidents: HashMap<i64, String>,
}

/// The id of the team `slug` (none when there is no such team), as a subquery for a `team`
/// filter on a kind keyed by team.
fn team_named(slug: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select().column(team::Column::Id).from(team::Entity).and_where(team::Column::Slug.eq(slug)).to_owned()
}

impl Names {
    async fn teams(&mut self, db: &DatabaseConnection, ids: impl IntoIterator<Item = i64>) -> Result<(), DbErr> {
        let ids: HashSet<i64> = ids.into_iter().collect();
        let rows: Vec<(i64, String)> = team::Entity::find()
            .select_only()
            .columns([team::Column::Id, team::Column::Slug])
            .filter(team::Column::Id.is_in(ids))
            .into_tuple()
            .all(db)
            .await?;
        self.teams.extend(rows);
        Ok(())
    }

    async fn services(&mut self, db: &DatabaseConnection, ids: impl IntoIterator<Item = i64>) -> Result<(), DbErr> {
        let ids: HashSet<i64> = ids.into_iter().collect();
        let rows: Vec<(i64, String)> = service::Entity::find()
            .select_only()
            .columns([service::Column::Id, service::Column::Slug])
            .filter(service::Column::Id.is_in(ids))
            .into_tuple()
            .all(db)
            .await?;
        self.services.extend(rows);
        Ok(())
    }

    async fn incidents(&mut self, db: &DatabaseConnection, ids: impl IntoIterator<Item = i64>) -> Result<(), DbErr> {
        let ids: HashSet<i64> = ids.into_iter().collect();
        let rows: Vec<(i64, String)> = incident::Entity::find()
            .select_only()
            .columns([incident::Column::Id, incident::Column::ExternalId])
            .filter(incident::Column::Id.is_in(ids))
            .into_tuple()
            .all(db)
            .await?;
        self.incidents.extend(rows);
        Ok(())
    }

    fn team(&self, id: i64) -> Value {
        self.teams.get(&id).map_or(Value::Null, |s| json!(s))
    }

    fn service(&self, id: i64) -> Value {
        self.services.get(&id).map_or(Value::Null, |s| json!(s))
    }

    fn incident(&self, id: Option<i64>) -> Value {
        id.and_then(|id| self.incidents.get(&id)).map_or(Value::Null, |s| json!(s))
    }
}

fn provenance(id: i64, batch: i64, created: DateTime<Utc>, updated: DateTime<Utc>) -> [(&'static str, Value); 4] {
    [
        ("id", json!(id)),
        ("import_batch_id", json!(batch)),
        ("created_at", json!(created.to_rfc3339())),
        ("updated_at", json!(updated.to_rfc3339())),
    ]
}

fn with(mut item: Value, extra: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    if let Value::Object(map) = &mut item {
        for (k, v) in extra {
            map.insert(k.to_owned(), v);
        }
    }
    item
}

fn ts(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| json!(t.to_rfc3339()))
}

pub async fn list(db: &DatabaseConnection, kind: &str, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let kind = parse_kind(kind)?;
    match kind {
        RecordKind::Teams => list_teams(db, query).await,
        RecordKind::Services => list_services(db, query).await,
        RecordKind::Slos => list_slos(db, query).await,
        RecordKind::SloMeasurements => list_measurements(db, query).await,
        RecordKind::Incidents => list_incidents(db, query).await,
        RecordKind::Postmortems => list_postmortems(db, query).await,
        RecordKind::Actions => list_actions(db, query).await,
        RecordKind::DrTests => list_dr_tests(db, query).await,
        RecordKind::Deployments => list_deployments(db, query).await,
        RecordKind::Exemptions => list_exemptions(db, query).await,
        RecordKind::SelfAssessments => list_self_assessments(db, query).await,
        RecordKind::Alerts => oncall::list_alerts(db, query).await,
        RecordKind::OncallShifts => oncall::list_oncall_shifts(db, query).await,
        RecordKind::ToilReports => toil::list_toil_reports(db, query).await,
        RecordKind::Remediations => toil::list_remediations(db, query).await,
        RecordKind::CapacityMeasurements => toil::list_capacity_measurements(db, query).await,
        RecordKind::Costs => toil::list_costs(db, query).await,
        // Listing each response would show who scored what where few answered: the figures
        // are only shown as a mean over at least the policy's minimum (docs/kpis.md §10f).
        RecordKind::SurveyResponses => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "Not listed",
            "survey responses are not listed one by one; read stakeholder_satisfaction in /api/v1/kpis",
        )),
    }
}

async fn list_teams(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["slug"])?;
    let mut select = team::Entity::find();
    if let Some(slug) = params.get("slug") {
        select = select.filter(team::Column::Slug.eq(slug));
    }
    let rows = fetch(db, select, team::Column::Id, &params).await?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({"slug": m.slug, "name": m.name, "time_zone": m.time_zone}),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

async fn list_services(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["team", "tier", "lifecycle"])?;
    let mut select = service::Entity::find();
    if let Some(team_slug) = params.get("team") {
        select = select.filter(service::Column::TeamId.in_subquery(team_named(team_slug)));
    }
    if let Some(tier) = params.get("tier") {
        let tier: i16 = tier.parse().map_err(|_| bad_request("tier must be 0, 1, 2 or 3"))?;
        select = select.filter(service::Column::Tier.eq(tier));
    }
    if let Some(lifecycle) = params.get("lifecycle") {
        select = select.filter(service::Column::Lifecycle.eq(lifecycle));
    }
    let rows = fetch(db, select, service::Column::Id, &params).await?;
    let mut names = Names::default();
    names.teams(db, rows.iter().map(|m| m.team_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({
                    "slug": m.slug, "name": m.name, "tier": m.tier, "team": names.team(m.team_id),
                    "lifecycle": m.lifecycle, "rto_target_minutes": m.rto_target_minutes,
                    "rpo_target_minutes": m.rpo_target_minutes,
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

async fn list_slos(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["service", "team"])?;
    let mut select = slo::Entity::find();
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        select = select.filter(slo::Column::ServiceId.is_in(ids));
    }
    let rows = fetch(db, select, slo::Column::Id, &params).await?;
    let mut names = Names::default();
    names.services(db, rows.iter().map(|m| m.service_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            // As imported: a calendar window has no `window_days` (the column holds its longest span).
            let window_days = m.calendar_window.is_none().then_some(m.window_days);
            let budgeting = m.budgeting_method().map_or(m.budgeting.as_str(), |b| b.as_str());
            with(
                json!({
                    "service": names.service(m.service_id), "slug": m.slug, "name": m.name, "indicator": m.indicator,
                    "objective": m.objective, "window_days": window_days, "calendar_window": m.calendar_window,
                    "calendar_start": m.calendar_start, "budgeting": budgeting, "threshold_ms": m.threshold_ms,
                    "prometheus_url": m.prometheus_url, "good_query": m.good_query, "total_query": m.total_query,
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

async fn list_measurements(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["service", "team", "slo", "from", "to"])?;
    let mut select = slo_measurement::Entity::find();
    let mut slos = slo::Entity::find().select_only().column(slo::Column::Id);
    let mut slo_filtered = false;
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        slos = slos.filter(slo::Column::ServiceId.is_in(ids));
        slo_filtered = true;
    }
    if let Some(slug) = params.get("slo") {
        slos = slos.filter(slo::Column::Slug.eq(slug));
        slo_filtered = true;
    }
    if slo_filtered {
        let ids: Vec<i64> = slos.into_tuple().all(db).await.map_err(internal)?;
        select = select.filter(slo_measurement::Column::SloId.is_in(ids));
    }
    if let Some(from) = params.date("from")? {
        select = select.filter(slo_measurement::Column::Day.gte(from));
    }
    if let Some(to) = params.date("to")? {
        select = select.filter(slo_measurement::Column::Day.lt(to));
    }
    let rows = fetch(db, select, slo_measurement::Column::Id, &params).await?;
    let mut names = Names::default();
    let slo_rows: Vec<(i64, i64, String)> = slo::Entity::find()
        .select_only()
        .columns([slo::Column::Id, slo::Column::ServiceId, slo::Column::Slug])
        .filter(slo::Column::Id.is_in(rows.iter().map(|m| m.slo_id).collect::<HashSet<_>>()))
        .into_tuple()
        .all(db)
        .await
        .map_err(internal)?;
    names.slos.extend(slo_rows.into_iter().map(|(id, service_id, slug)| (id, (service_id, slug))));
    names.services(db, names.slos.values().map(|(s, _)| *s).collect::<Vec<_>>()).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            let (service_id, slo_slug) = names.slos.get(&m.slo_id).cloned().unwrap_or_default();
            with(
                json!({"service": names.service(service_id), "slo": slo_slug, "day": m.day.to_string(), "good": m.good, "total": m.total}),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

async fn list_incidents(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["source", "service", "team", "severity", "status", "from", "to"])?;
    let mut select = incident::Entity::find();
    if let Some(source) = params.get("source") {
        select = select.filter(incident::Column::Source.eq(source));
    }
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        let sub = Query::select()
            .column(incident_service::Column::IncidentId)
            .from(incident_service::Entity)
            .and_where(Expr::col(incident_service::Column::ServiceId).is_in(ids))
            .to_owned();
        select = select.filter(incident::Column::Id.in_subquery(sub));
    }
    if let Some(severity) = params.get("severity") {
        let severity = Severity::parse(severity).ok_or_else(|| bad_request("severity must be SEV0 … SEV4"))?;
        select = select.filter(incident::Column::Severity.eq(severity.level()));
    }
    if let Some(status) = params.get("status") {
        select = select.filter(incident::Column::Status.eq(status));
    }
    if let Some(from) = params.instant("from")? {
        select = select.filter(incident::Column::StartedAt.gte(from));
    }
    if let Some(to) = params.instant("to")? {
        select = select.filter(incident::Column::StartedAt.lt(to));
    }
    let rows = fetch(db, select, incident::Column::Id, &params).await?;
    let links = incident_service::Entity::find()
        .filter(incident_service::Column::IncidentId.is_in(rows.iter().map(|m| m.id).collect::<Vec<_>>()))
        .all(db)
        .await
        .map_err(internal)?;
    let mut names = Names::default();
    names.services(db, links.iter().map(|l| l.service_id)).await.map_err(internal)?;
    names.incidents(db, rows.iter().filter_map(|m| m.repeat_of_id)).await.map_err(internal)?;
    let mut services: HashMap<i64, Vec<String>> = HashMap::new();
    for link in &links {
        if let Some(slug) = names.services.get(&link.service_id) {
            services.entry(link.incident_id).or_default().push(slug.clone());
        }
    }
    for slugs in services.values_mut() {
        slugs.sort();
    }
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            let severity = Severity::from_level(m.severity).map(Severity::as_str);
            with(
                json!({
                    "source": m.source, "external_id": m.external_id, "title": m.title, "severity": severity,
                    "services": services.get(&m.id).cloned().unwrap_or_default(),
                    "started_at": m.started_at.to_rfc3339(), "detected_at": ts(m.detected_at),
                    "acknowledged_at": ts(m.acknowledged_at), "mitigated_at": ts(m.mitigated_at), "resolved_at": ts(m.resolved_at),
                    "customer_impacting": m.customer_impacting, "customer_impact_minutes": m.customer_impact_minutes,
                    "data_loss_minutes": m.data_loss_minutes, "mitigated_by": m.mitigated_by, "change_related": m.change_related, "root_cause_category": m.root_cause_category,
                    "repeat_of": names.incident(m.repeat_of_id), "status": m.status,
                    "timeline": timeline(m.timeline.as_deref()),
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

async fn list_postmortems(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["source", "status"])?;
    let mut select = postmortem::Entity::find();
    if let Some(source) = params.get("source") {
        let sub = Query::select()
            .column(incident::Column::Id)
            .from(incident::Entity)
            .and_where(incident::Column::Source.eq(source))
            .to_owned();
        select = select.filter(postmortem::Column::IncidentId.in_subquery(sub));
    }
    if let Some(status) = params.get("status") {
        select = select.filter(postmortem::Column::Status.eq(status));
    }
    let rows = fetch(db, select, postmortem::Column::Id, &params).await?;
    let mut names = Names::default();
    names.incidents(db, rows.iter().map(|m| m.incident_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({"incident": names.incident(Some(m.incident_id)), "status": m.status, "published_at": ts(m.published_at), "url": m.url}),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

async fn list_actions(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["source", "service", "team", "status", "from", "to"])?;
    let mut select = postmortem_action::Entity::find();
    if let Some(source) = params.get("source") {
        select = select.filter(postmortem_action::Column::Source.eq(source));
    }
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        select = select.filter(postmortem_action::Column::ServiceId.is_in(ids));
    }
    if let Some(status) = params.get("status") {
        select = select.filter(postmortem_action::Column::Status.eq(status));
    }
    if let Some(from) = params.date("from")? {
        select = select.filter(postmortem_action::Column::DueDate.gte(from));
    }
    if let Some(to) = params.date("to")? {
        select = select.filter(postmortem_action::Column::DueDate.lt(to));
    }
    let rows = fetch(db, select, postmortem_action::Column::Id, &params).await?;
    let mut names = Names::default();
    names.services(db, rows.iter().map(|m| m.service_id)).await.map_err(internal)?;
    names.incidents(db, rows.iter().filter_map(|m| m.incident_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({
                    "source": m.source, "external_id": m.external_id, "incident": names.incident(m.incident_id),
                    "service": names.service(m.service_id), "title": m.title, "owner": m.owner, "priority": m.priority,
                    "due_date": m.due_date.map(|d| d.to_string()), "status": m.status, "completed_at": ts(m.completed_at),
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

async fn list_dr_tests(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["source", "service", "team", "outcome", "from", "to"])?;
    let mut select = dr_test::Entity::find();
    if let Some(source) = params.get("source") {
        select = select.filter(dr_test::Column::Source.eq(source));
    }
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        select = select.filter(dr_test::Column::ServiceId.is_in(ids));
    }
    if let Some(outcome) = params.get("outcome") {
        select = select.filter(dr_test::Column::Outcome.eq(outcome));
    }
    if let Some(from) = params.instant("from")? {
        select = select.filter(dr_test::Column::PerformedAt.gte(from));
    }
    if let Some(to) = params.instant("to")? {
        select = select.filter(dr_test::Column::PerformedAt.lt(to));
    }
    let rows = fetch(db, select, dr_test::Column::Id, &params).await?;
    let mut names = Names::default();
    names.services(db, rows.iter().map(|m| m.service_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({
                    "source": m.source, "external_id": m.external_id, "service": names.service(m.service_id),
                    "scenario": m.scenario, "performed_at": m.performed_at.to_rfc3339(), "outcome": m.outcome,
                    "rto_target_minutes": m.rto_target_minutes, "rto_achieved_minutes": m.rto_achieved_minutes,
                    "rpo_target_minutes": m.rpo_target_minutes, "rpo_achieved_minutes": m.rpo_achieved_minutes,
                    "evidence_url": m.evidence_url, "evidence_sha256": m.evidence_sha256, "notes": m.notes,
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

async fn list_deployments(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["source", "service", "team", "outcome", "from", "to"])?;
    let mut select = deployment::Entity::find();
    if let Some(source) = params.get("source") {
        select = select.filter(deployment::Column::Source.eq(source));
    }
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        select = select.filter(deployment::Column::ServiceId.is_in(ids));
    }
    if let Some(outcome) = params.get("outcome") {
        select = select.filter(deployment::Column::Outcome.eq(outcome));
    }
    if let Some(from) = params.instant("from")? {
        select = select.filter(deployment::Column::DeployedAt.gte(from));
    }
    if let Some(to) = params.instant("to")? {
        select = select.filter(deployment::Column::DeployedAt.lt(to));
    }
    let rows = fetch(db, select, deployment::Column::Id, &params).await?;
    let mut names = Names::default();
    names.services(db, rows.iter().map(|m| m.service_id)).await.map_err(internal)?;
    names.incidents(db, rows.iter().filter_map(|m| m.incident_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({
                    "source": m.source, "external_id": m.external_id, "service": names.service(m.service_id),
                    "deployed_at": m.deployed_at.to_rfc3339(), "outcome": m.outcome, "incident": names.incident(m.incident_id),
                    "author": m.author, "approved_by": m.approved_by, "change_ticket": m.change_ticket,
                    "emergency": m.emergency,
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

async fn list_exemptions(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["service", "team", "check"])?;
    let mut select = exemption::Entity::find();
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        select = select.filter(exemption::Column::ServiceId.is_in(ids));
    }
    if let Some(check) = params.get("check") {
        select = select.filter(exemption::Column::CheckId.eq(check));
    }
    let rows = fetch(db, select, exemption::Column::Id, &params).await?;
    let mut names = Names::default();
    names.services(db, rows.iter().map(|m| m.service_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({
                    "service": names.service(m.service_id), "check": m.check_id, "reason": m.reason,
                    "approver": m.approver, "expires_at": m.expires_at.to_rfc3339(),
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

async fn list_self_assessments(db: &DatabaseConnection, query: &HashMap<String, String>) -> Result<Page, Problem> {
    let params = Params::new(query, &["service", "team", "item"])?;
    let mut select = self_assessment::Entity::find();
    if let Some(ids) = service_filter(db, &params).await.map_err(internal)? {
        select = select.filter(self_assessment::Column::ServiceId.is_in(ids));
    }
    if let Some(item) = params.get("item") {
        select = select.filter(self_assessment::Column::Item.eq(item));
    }
    let rows = fetch(db, select, self_assessment::Column::Id, &params).await?;
    let mut names = Names::default();
    names.services(db, rows.iter().map(|m| m.service_id)).await.map_err(internal)?;
    Ok(page(
        rows,
        params.limit()?,
        |m| m.id,
        |m| {
            with(
                json!({
                    "service": names.service(m.service_id), "item": m.item, "answer": m.answer,
                    "evidence_url": m.evidence_url, "comment": m.comment, "answered_by": m.answered_by,
                    "answered_at": m.answered_at.to_rfc3339(), "reviewed_by": m.reviewed_by,
                    "reviewed_at": ts(m.reviewed_at),
                }),
                provenance(m.id, m.import_batch_id, m.created_at, m.updated_at),
            )
        },
    ))
}

/// A query parameter that is a date (midnight UTC) or an RFC 3339 instant; a 400 otherwise.
pub fn parse_instant(name: &str, text: Option<&str>) -> Result<Option<DateTime<Utc>>, Problem> {
    let Some(text) = text else { return Ok(None) };
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| Some(d.and_utc()))
        .ok_or_else(|| bad_request(format!("{name} must be a date (YYYY-MM-DD) or an RFC 3339 instant")))
}

/// A stored timeline as JSON (an empty array when there is none).
fn timeline(stored: Option<&str>) -> Value {
    stored.and_then(|text| serde_json::from_str(text).ok()).unwrap_or_else(|| json!([]))
}

pub fn parse_kind(kind: &str) -> Result<RecordKind, Problem> {
    RecordKind::from_slug(kind).ok_or_else(|| {
        let known: Vec<&str> = RecordKind::ALL.iter().map(|k| k.slug()).collect();
        Problem::new(
            StatusCode::NOT_FOUND,
            "Unknown record kind",
            format!("'{kind}' is not one of {}", known.join(", ")),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("not-a-cursor"), None);
    }
}
