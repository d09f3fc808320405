//! The on-call populations of a pack: `alerts.csv` (every alert of the services in scope fired
//! in the window, with its triage) and `oncall_shifts.csv` (who was on call for the teams in
//! scope during the window).

use std::collections::{BTreeSet, HashMap};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::EvidenceError;
use super::populations::{Ctx, flag, instant, minutes_between, opt_instant, opt_num, write_rows};
use super::writer::PackWriter;
use crate::csv::Line;
use crate::entities::{alert, incident, oncall_shift, team};

pub async fn alerts(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    use alert::Column as C;
    // Incident external ids of the alerts that name one, so the CSV links alert to incident.
    let linked: Vec<(i64, String)> = incident::Entity::find()
        .select_only()
        .columns([incident::Column::Id, incident::Column::ExternalId])
        .filter(
            incident::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(C::IncidentId)
                    .from(alert::Entity)
                    .and_where(C::FiredAt.gte(ctx.window.start))
                    .and_where(C::FiredAt.lt(ctx.window.end))
                    .and_where(C::IncidentId.is_not_null())
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(ctx.db)
        .await?;
    let incidents: HashMap<i64, String> = linked.into_iter().collect();
    let rows = alert::Entity::find()
        .filter(ctx.in_scope(C::ServiceId))
        .filter(C::FiredAt.gte(ctx.window.start))
        .filter(C::FiredAt.lt(ctx.window.end))
        .order_by_asc(C::Id)
        .stream(ctx.db)
        .await?;
    write_rows(rows, w, |r| {
        let (service, team) = ctx.service(r.service_id);
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(&r.source).push(&r.external_id).push(service).push(team);
        line.push(&r.rule).push(&instant(r.fired_at)).push(&opt_instant(r.acknowledged_at));
        line.push(&opt_instant(r.resolved_at)).push(&minutes_between(Some(r.fired_at), r.acknowledged_at));
        line.push(flag(r.paged)).opt(r.urgency.as_deref()).opt(r.responder.as_deref());
        line.push(&opt_num(r.escalations)).push(r.auto_resolved.map(flag).unwrap_or("")).push(&r.disposition);
        line.push(&opt_num(r.incident_id)).opt(r.incident_id.and_then(|id| incidents.get(&id)).map(String::as_str));
        line.opt(r.labels.as_deref());
        line.push(&ctx.cite(r.import_batch_id)).push(&instant(r.created_at)).push(&instant(r.updated_at));
        line
    })
    .await
}

pub async fn shifts(ctx: &Ctx<'_>, w: &mut PackWriter) -> Result<(), EvidenceError> {
    use oncall_shift::Column as C;
    let teams: HashMap<i64, String> = team::Entity::find()
        .select_only()
        .columns([team::Column::Id, team::Column::Slug])
        .into_tuple::<(i64, String)>()
        .all(ctx.db)
        .await?
        .into_iter()
        .collect();
    // The teams owning a selected service; every team without a filter.
    let in_scope: Option<BTreeSet<&str>> = ctx.selected_teams();
    let mut query = oncall_shift::Entity::find()
        .filter(C::StartsAt.lt(ctx.window.end))
        .filter(C::EndsAt.gt(ctx.window.start))
        .order_by_asc(C::Id);
    if let Some(names) = &in_scope {
        let ids: Vec<i64> = teams.iter().filter(|(_, slug)| names.contains(slug.as_str())).map(|(id, _)| *id).collect();
        query = query.filter(C::TeamId.is_in(ids));
    }
    let rows = query.stream(ctx.db).await?;
    write_rows(rows, w, |r| {
        let hours = (r.ends_at - r.starts_at).num_minutes() as f64 / 60.0;
        let mut line = Line::new();
        line.push(&r.id.to_string()).push(teams.get(&r.team_id).map_or("", String::as_str));
        line.push(&r.schedule).push(&r.person).push(&instant(r.starts_at)).push(&instant(r.ends_at));
        line.push(&format!("{hours:.2}"));
        line.push(&ctx.cite(r.import_batch_id)).push(&instant(r.created_at)).push(&instant(r.updated_at));
        line
    })
    .await
}
