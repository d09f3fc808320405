//! The self-assessment page. Answers and sign-offs are written as `self-assessments`
//! records through the ingestion path (validation, provenance, import batch and audit event),
//! so an answer given on the page is the same record as one sent by a pipeline.

use std::collections::HashMap;

use app::api::{ReadinessItemView, ServiceReadiness, TeamReadiness};
use app::domain::access::{IngestRight, Principal, Role};
use app::domain::format::instant as time;
use app::domain::ingest::{Cell, RawRow, RecordKind};
use app::domain::scorecard::readiness::{
    ChecklistRow, ItemState, StoredAnswer, checklist, may_sign_off, validity_days,
};
use app::domain::scorecard::{ApprovalOrigin, ReadinessAnswer};
use app::error::AppError;
use app::ports::ReadinessPort;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::catalog::service_and_team;
use crate::entities::{self_assessment, service, team};
use crate::ingest::{Approvals, IngestRequest, Ingestion};
use crate::kpis::Figures;

pub struct ReadinessPage {
    figures: Figures,
    ingestion: Ingestion,
}

impl ReadinessPage {
    pub fn new(figures: Figures, ingestion: Ingestion) -> Self {
        ReadinessPage { figures, ingestion }
    }
}

fn internal(error: DbErr) -> AppError {
    AppError::internal("the self-assessment page", &error)
}

impl ReadinessPage {
    /// Writes one `self-assessments` row through the ingestion path, limited to the caller's
    /// teams when `team_limited` (an answer), or not (a sign-off, authorised by the caller).
    async fn write(&self, principal: &Principal, row: Value, team_limited: bool) -> Result<(), AppError> {
        let mut raw = RawRow::new(1);
        if let Value::Object(map) = row {
            for (name, value) in map {
                if !value.is_null() {
                    raw.cells.push((name, Cell::Json(value)));
                }
            }
        }
        // A sign-off was checked by the caller (`may_sign_off`) and names the principal.
        let request = self.ingestion.request(RecordKind::SelfAssessments, "ui", principal, Approvals::MadeHere);
        let request = if team_limited { request } else { IngestRequest { allowed_teams: None, ..request } };
        self.ingestion.rows(request, vec![raw], crate::clock_now()).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ReadinessPort for ReadinessPage {
    async fn team(&self, principal: Principal, slug: String) -> Result<TeamReadiness, AppError> {
        let db = &self.figures.db;
        let policy = &self.figures.policy;
        let team = team::Entity::find()
            .filter(team::Column::Slug.eq(slug.as_str()))
            .one(db)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound(format!("There is no team '{slug}'.")))?;
        let services = service::Entity::find()
            .filter(service::Column::TeamId.eq(team.id))
            .filter(service::Column::Lifecycle.eq("active"))
            .order_by_asc(service::Column::Tier)
            .order_by_asc(service::Column::Slug)
            .all(db)
            .await
            .map_err(internal)?;
        let rows = self_assessment::Entity::find()
            .filter(self_assessment::Column::ServiceId.is_in(services.iter().map(|s| s.id)))
            .all(db)
            .await
            .map_err(internal)?;
        // Evidence, comments and where a sign-off was made are shown beside the answers; they
        // are not part of their state.
        let mut details: HashMap<(i64, String), (Option<String>, Option<String>, Option<String>)> = HashMap::new();
        let mut by_service: HashMap<i64, Vec<StoredAnswer>> = HashMap::new();
        for row in rows {
            let Some(answer) = ReadinessAnswer::parse(&row.answer) else { continue };
            details.insert((row.service_id, row.item.clone()), (row.evidence_url, row.comment, row.approval_origin));
            by_service.entry(row.service_id).or_default().push(StoredAnswer {
                item: row.item,
                answer,
                answered_by: row.answered_by,
                answered_at: row.answered_at,
                reviewed_by: row.reviewed_by,
                reviewed_at: row.reviewed_at,
            });
        }
        let now = crate::clock_now();
        let me = principal.signature();
        let is_admin = principal.has_role(Role::Admin);
        let my_teams: Vec<String> = principal.teams.iter().cloned().collect();
        let can_answer = match principal.ingest_right() {
            IngestRight::Any => true,
            IngestRight::Teams(teams) => teams.contains(&team.slug),
            IngestRight::None => false,
        };
        let empty = Vec::new();
        let views = services
            .iter()
            .map(|service| {
                let tier = u8::try_from(service.tier).unwrap_or_default();
                let valid_days = validity_days(policy, tier);
                let answers = by_service.get(&service.id).unwrap_or(&empty);
                let (items, progress) = checklist(policy, tier, answers, now);
                let items = items
                    .into_iter()
                    .map(|ChecklistRow { item, answer, state, valid_days }| {
                        let (evidence_url, comment, origin) =
                            details.get(&(service.id, item.to_owned())).cloned().unwrap_or_default();
                        let signed_off = answer.is_some_and(|a| a.reviewed_by.is_some());
                        ReadinessItemView {
                            item: item.to_owned(),
                            state,
                            valid_days,
                            answer: answer.map(|a| a.answer.as_str().to_owned()),
                            evidence_url,
                            comment,
                            answered_by: answer.map(|a| a.answered_by.clone()),
                            answered_at: answer.map(|a| time(a.answered_at)),
                            reviewed_by: answer.and_then(|a| a.reviewed_by.clone()),
                            reviewed_at: answer.and_then(|a| a.reviewed_at.map(time)),
                            review_imported: signed_off
                                && ApprovalOrigin::parse(origin.as_deref()) == ApprovalOrigin::Imported,
                            can_sign_off: state == ItemState::AwaitingReview
                                && answer.is_some_and(|a| {
                                    may_sign_off(&me, is_admin, &my_teams, &a.answered_by, &team.slug)
                                }),
                        }
                    })
                    .collect();
                ServiceReadiness {
                    service: service.slug.clone(),
                    name: service.name.clone(),
                    tier,
                    valid_days,
                    progress,
                    items,
                }
            })
            .collect();
        Ok(TeamReadiness { team: team.slug, name: team.name, services: views, can_answer, viewer: me })
    }

    async fn answer(
        &self,
        principal: Principal,
        service: String,
        item: String,
        answer: ReadinessAnswer,
        evidence_url: Option<String>,
        comment: Option<String>,
    ) -> Result<(), AppError> {
        let (found, _team) = service_and_team(&self.figures.db, &service).await?;
        let tier = u8::try_from(found.tier).unwrap_or_default();
        if !self.figures.policy.checklist_for(tier).iter().any(|listed| listed.id == item) {
            return Err(AppError::Invalid(format!(
                "'{item}' is not an item of the readiness checklist of a tier {tier} service."
            )));
        }
        let blank = |text: Option<String>| text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        let row = json!({
            "service": service,
            "item": item,
            "answer": answer.as_str(),
            "evidence_url": blank(evidence_url),
            "comment": blank(comment),
            "answered_by": principal.signature(),
            "answered_at": crate::clock_now().to_rfc3339(),
        });
        // A team editor answers for their own teams only: the ingestion path checks it.
        self.write(&principal, row, true).await
    }

    async fn sign_off(&self, principal: Principal, service: String, item: String) -> Result<(), AppError> {
        let db = &self.figures.db;
        let (model, team) = service_and_team(db, &service).await?;
        let stored = self_assessment::Entity::find()
            .filter(self_assessment::Column::ServiceId.eq(model.id))
            .filter(self_assessment::Column::Item.eq(item.as_str()))
            .one(db)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound(format!("'{item}' has no answer for {service} to sign off.")))?;
        let me = principal.signature();
        let teams: Vec<String> = principal.teams.iter().cloned().collect();
        if !may_sign_off(&me, principal.has_role(Role::Admin), &teams, &stored.answered_by, &team) {
            return Err(AppError::Forbidden(
                "signing off this answer: a sign-off is by someone else, from another team or an admin".to_owned(),
            ));
        }
        let row = json!({
            "service": service,
            "item": item,
            "answer": stored.answer,
            "evidence_url": stored.evidence_url,
            "comment": stored.comment,
            "answered_by": stored.answered_by,
            "answered_at": stored.answered_at.to_rfc3339(),
            "reviewed_by": me,
            "reviewed_at": crate::clock_now().to_rfc3339(),
        });
        // Authorised above (a reviewer is by definition from another team): no team limit here.
        self.write(&principal, row, false).await
    }
}
