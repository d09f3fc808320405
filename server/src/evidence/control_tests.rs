//! Loads what the control tests read (docs/control-tests.md) for an audit window and runs them
//! (`app::domain::evidence::control_tests`). The same records and rules for the Evidence page,
//! `GET /api/v1/evidence/control-tests` and the pack's control_tests.csv and deviations.csv.

use std::collections::HashMap;

use app::domain::evidence::control_tests::{
    ActionFacts, ControlRecords, ControlTestResult, ControlThresholds, DeploymentFacts, DrTestFacts, IncidentFacts,
    ServiceFacts, WaiverFacts, run,
};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::Scope;
use crate::entities::{
    deployment, dr_test, exemption, incident, incident_service, postmortem, postmortem_action, service,
};

use crate::db::IN_LIST_CHUNK as CHUNK;

/// The window: `[start, end)` and its last day.
#[derive(Debug, Clone, Copy)]
pub struct TestWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub last_day: NaiveDate,
}

/// Runs every control test over the window's records of the scope's services.
pub async fn control_tests<C: ConnectionTrait>(
    db: &C,
    window: TestWindow,
    scope: &Scope,
    thresholds: ControlThresholds,
) -> Result<Vec<ControlTestResult>, DbErr> {
    Ok(run(&load(db, window, scope, thresholds).await?))
}

async fn load<C: ConnectionTrait>(
    db: &C,
    window: TestWindow,
    scope: &Scope,
    thresholds: ControlThresholds,
) -> Result<ControlRecords, DbErr> {
    let TestWindow { start, end, last_day } = window;
    // Every service, marked in scope or not: an incident's strictest tier and its slugs count all
    // its services, while populations keep to the scope's.
    let rows: Vec<(i64, String, i16, String)> = service::Entity::find()
        .select_only()
        .columns([service::Column::Id, service::Column::Slug, service::Column::Tier, service::Column::Lifecycle])
        .into_tuple()
        .all(db)
        .await?;
    let selected: Option<std::collections::HashSet<i64>> =
        scope.selected.as_ref().map(|ids| ids.iter().copied().collect());
    let services: HashMap<i64, ServiceFacts> = rows
        .into_iter()
        .map(|(id, slug, tier, lifecycle)| {
            let tier = u8::try_from(tier).unwrap_or(3);
            let in_scope = selected.as_ref().is_none_or(|ids| ids.contains(&id));
            (id, ServiceFacts { slug, tier, active: lifecycle == "active", in_scope })
        })
        .collect();

    // SEV0/1 incidents started or mitigated in the window, touching a service in scope.
    let started = Condition::all().add(incident::Column::StartedAt.gte(start)).add(incident::Column::StartedAt.lt(end));
    let mitigated =
        Condition::all().add(incident::Column::MitigatedAt.gte(start)).add(incident::Column::MitigatedAt.lt(end));
    let high: Vec<incident::Model> = incident::Entity::find()
        .filter(incident::Column::Severity.lte(1))
        .filter(Condition::any().add(started).add(mitigated))
        .order_by_asc(incident::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = high.iter().map(|i| i.id).collect();
    let mut services_of: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut published: HashMap<i64, DateTime<Utc>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let links: Vec<(i64, i64)> = incident_service::Entity::find()
            .select_only()
            .columns([incident_service::Column::IncidentId, incident_service::Column::ServiceId])
            .filter(incident_service::Column::IncidentId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        for (incident, service) in links {
            services_of.entry(incident).or_default().push(service);
        }
        let reviews: Vec<(i64, Option<DateTime<Utc>>)> = postmortem::Entity::find()
            .select_only()
            .columns([postmortem::Column::IncidentId, postmortem::Column::PublishedAt])
            .filter(postmortem::Column::IncidentId.is_in(chunk.iter().copied()))
            // Published, as the postmortem KPI and postmortems.csv count them (a draft may carry a date).
            .filter(postmortem::Column::Status.eq("published"))
            .filter(postmortem::Column::PublishedAt.is_not_null())
            .into_tuple()
            .all(db)
            .await?;
        for (incident, at) in reviews {
            if let Some(at) = at {
                published.entry(incident).and_modify(|first| *first = (*first).min(at)).or_insert(at);
            }
        }
    }
    let incidents = high
        .into_iter()
        .filter_map(|i| {
            let linked = services_of.remove(&i.id).unwrap_or_default();
            // In scope when any of its services is (every incident when the scope is everything).
            let in_scope = linked.iter().any(|s| services.get(s).is_some_and(|s| s.in_scope))
                || (scope.selected.is_none() && linked.is_empty());
            in_scope.then(|| IncidentFacts {
                postmortem_published_at: published.get(&i.id).copied(),
                id: i.id,
                external_id: i.external_id,
                severity: u8::try_from(i.severity).unwrap_or(4),
                started_at: i.started_at,
                detected_at: i.detected_at,
                mitigated_at: i.mitigated_at,
                resolved_at: i.resolved_at,
                services: linked,
            })
        })
        .collect();

    // Actions due before the last day that may have been open at the window's end: open, or done
    // or dropped at or after it.
    use postmortem_action::Column as A;
    let open_at_end = Condition::any().add(A::Status.eq("open")).add(A::CompletedAt.gte(end));
    let actions = postmortem_action::Entity::find()
        .filter(scope.condition(A::ServiceId))
        .filter(A::DueDate.lt(last_day))
        .filter(open_at_end)
        .order_by_asc(A::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| ActionFacts {
            id: a.id,
            external_id: a.external_id,
            service: a.service_id,
            due: a.due_date,
            status: a.status,
            completed_at: a.completed_at,
        })
        .collect();

    let waivers = exemption::Entity::find()
        .filter(scope.condition(exemption::Column::ServiceId))
        .filter(exemption::Column::CreatedAt.lt(end))
        .filter(exemption::Column::ExpiresAt.gte(end))
        .all(db)
        .await?
        .into_iter()
        .map(|w| WaiverFacts {
            service: w.service_id,
            check: w.check_id,
            granted_at: w.created_at,
            expires_at: w.expires_at,
        })
        .collect();

    // Passing DR tests of tier-0 services before the window's end (the latest names a deviation).
    let tier0: Vec<i64> = services.iter().filter(|(_, s)| s.tier == 0 && s.in_scope).map(|(id, _)| *id).collect();
    let mut dr_tests = Vec::new();
    for chunk in tier0.chunks(CHUNK) {
        let rows: Vec<(i64, DateTime<Utc>, String)> = dr_test::Entity::find()
            .select_only()
            .columns([dr_test::Column::ServiceId, dr_test::Column::PerformedAt, dr_test::Column::Outcome])
            .filter(dr_test::Column::ServiceId.is_in(chunk.iter().copied()))
            .filter(dr_test::Column::Outcome.eq("pass"))
            .filter(dr_test::Column::PerformedAt.lt(end))
            .into_tuple()
            .all(db)
            .await?;
        dr_tests.extend(rows.into_iter().map(|(service, performed_at, outcome)| DrTestFacts {
            service,
            performed_at,
            outcome,
        }));
    }

    // Deployments in the window the tests read: failed ones, and every one of tier-0/1 services.
    use deployment::Column as D;
    let critical: Vec<i64> = services.iter().filter(|(_, s)| s.tier <= 1 && s.in_scope).map(|(id, _)| *id).collect();
    let failed = Condition::any().add(D::Outcome.eq("rolled_back")).add(D::Outcome.eq("failed"));
    let mut deployments = Vec::new();
    let mut read = |rows: Vec<deployment::Model>| {
        deployments.extend(rows.into_iter().map(|d| DeploymentFacts {
            id: d.id,
            external_id: d.external_id,
            service: d.service_id,
            deployed_at: d.deployed_at,
            outcome: d.outcome,
            incident: d.incident_id,
            author: d.author,
            approved_by: d.approved_by,
            emergency: d.emergency,
        }))
    };
    let in_window = Condition::all().add(D::DeployedAt.gte(start)).add(D::DeployedAt.lt(end));
    read(
        deployment::Entity::find()
            .filter(in_window.clone())
            .filter(scope.condition(D::ServiceId))
            .filter(failed.clone())
            .order_by_asc(D::Id)
            .all(db)
            .await?,
    );
    for chunk in critical.chunks(CHUNK) {
        read(
            deployment::Entity::find()
                .filter(in_window.clone())
                .filter(D::ServiceId.is_in(chunk.iter().copied()))
                // Failed ones are read above.
                .filter(D::Outcome.eq("success"))
                .order_by_asc(D::Id)
                .all(db)
                .await?,
        );
    }
    deployments.sort_by_key(|d| d.id);

    Ok(ControlRecords {
        start,
        end,
        last_day,
        thresholds,
        services,
        incidents,
        actions,
        waivers,
        dr_tests,
        deployments,
    })
}
