//! A team's On-call page: the pages of its services in a period, triaged one by one or a whole
//! rule at a time. A triage change updates the alerts' disposition, moves the data version and
//! the periods the pages reach (so figures are recomputed), and appends one audit event naming
//! who changed what, with the note, in the same transaction.

use std::collections::BTreeMap;

use app::api::{TRIAGE_PAGE_ROWS, TeamOncall, TriageEvent, TriagePage};
use app::domain::access::{IngestRight, Principal};
use app::domain::format::{format_minutes, instant as time};
use app::domain::kpi::oncall::{MAX_SHIFT_DAYS, noisiest_rules_all};
use app::domain::kpi::{Alert, Period};
use app::domain::records::{AlertDisposition, Slug};
use app::error::AppError;
use app::ports::{OncallPort, TriageTarget};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::{Value, json};

use crate::audit::AuditEntry;
use crate::entities::{alert, audit_event, oncall_shift, service, team};
use crate::kpis::Figures;
use crate::kpis::changes::Reach;

/// Audit action of a triage change.
const TRIAGED: &str = "alerts.triaged";
/// Triage changes the page lists.
const HISTORY_ROWS: u64 = 50;
/// A note's longest length, in characters.
const MAX_NOTE: usize = 1000;

pub struct OncallPage {
    figures: Figures,
}

impl OncallPage {
    pub fn new(figures: Figures) -> Self {
        OncallPage { figures }
    }
}

fn internal(error: DbErr) -> AppError {
    AppError::internal("the on-call page", &error)
}

/// Whether `principal` may triage `team`'s pages: an admin, or an editor of the team. Tokens
/// never reach here (the page's functions are for people).
fn may_triage(principal: &Principal, team: &str) -> bool {
    principal.token.is_none()
        && match principal.ingest_right() {
            IngestRight::Any => true,
            IngestRight::Teams(teams) => teams.contains(team),
            IngestRight::None => false,
        }
}

async fn find_team(db: &DatabaseConnection, slug: &str) -> Result<team::Model, AppError> {
    team::Entity::find()
        .filter(team::Column::Slug.eq(slug))
        .one(db)
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound(format!("There is no team '{slug}'.")))
}

/// The team's services: row id → slug.
async fn team_services(db: &DatabaseConnection, team_id: i64) -> Result<BTreeMap<i64, String>, AppError> {
    let rows: Vec<(i64, String)> = service::Entity::find()
        .select_only()
        .columns([service::Column::Id, service::Column::Slug])
        .filter(service::Column::TeamId.eq(team_id))
        .into_tuple()
        .all(db)
        .await
        .map_err(internal)?;
    Ok(rows.into_iter().collect())
}

fn blank_to_none(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The pages of `services` fired in `period`.
fn pages_of(services: &BTreeMap<i64, String>, period: &Period) -> sea_orm::Select<alert::Entity> {
    alert::Entity::find()
        .filter(alert::Column::ServiceId.is_in(services.keys().copied()))
        .filter(alert::Column::Paged.eq(true))
        .filter(alert::Column::FiredAt.gte(period.start()))
        .filter(alert::Column::FiredAt.lt(period.end()))
}

fn triage_event(row: audit_event::Model) -> TriageEvent {
    let details: Value = serde_json::from_str(&row.details).unwrap_or(Value::Null);
    let text = |key: &str| details.get(key).and_then(Value::as_str).map(str::to_owned);
    TriageEvent {
        at: time(row.at),
        actor: row.actor,
        disposition: text("disposition").unwrap_or_default().replace('_', " "),
        alerts: details.get("alerts").and_then(Value::as_u64).unwrap_or_default(),
        rule: text("rule"),
        period: text("period"),
        note: text("note"),
    }
}

#[async_trait::async_trait]
impl OncallPort for OncallPage {
    async fn team(
        &self,
        principal: Principal,
        slug: String,
        period: Option<String>,
        rule: Option<String>,
        disposition: Option<String>,
    ) -> Result<TeamOncall, AppError> {
        let db = &self.figures.db;
        let now = crate::clock_now();
        let period = self.figures.period(period.as_deref(), now).map_err(|e| AppError::Invalid(e.to_string()))?;
        let team = find_team(db, &slug).await?;
        let services = team_services(db, team.id).await?;
        let rule_filter = blank_to_none(rule);
        let disposition_filter = blank_to_none(disposition);
        if let Some(text) = &disposition_filter
            && AlertDisposition::parse(text).is_none()
        {
            return Err(AppError::Invalid(format!(
                "unknown disposition {text:?}; expected actionable, non_actionable, duplicate, false_positive or \
                 unreviewed"
            )));
        }

        // Every page of the period feeds the rule table; the list is narrowed by the filters.
        let all = pages_of(&services, &period).all(db).await.map_err(internal)?;
        let team_slug = Slug::parse(&team.slug).map_err(|e| AppError::internal("a stored team slug", &e))?;
        let views: Vec<Alert> = all
            .iter()
            .filter_map(|a| {
                Some(Alert {
                    source: a.source.clone(),
                    external_id: a.external_id.clone(),
                    service: Slug::parse(services.get(&a.service_id)?).ok()?,
                    team: Some(team_slug.clone()),
                    rule: a.rule.clone(),
                    fired_at: a.fired_at,
                    acknowledged_at: a.acknowledged_at,
                    paged: a.paged,
                    responder: a.responder.clone(),
                    disposition: AlertDisposition::parse(&a.disposition).unwrap_or(AlertDisposition::Unreviewed),
                })
            })
            .collect();
        let refs: Vec<&Alert> = views.iter().collect();
        let rules = noisiest_rules_all(&period, &refs);

        let mut listed: Vec<&alert::Model> = all
            .iter()
            .filter(|a| rule_filter.as_ref().is_none_or(|r| &a.rule == r))
            .filter(|a| disposition_filter.as_ref().is_none_or(|d| &a.disposition == d))
            .collect();
        listed.sort_by(|a, b| b.fired_at.cmp(&a.fired_at).then(b.id.cmp(&a.id)));
        let pages_total = listed.len() as u64;
        let pages = listed
            .into_iter()
            .take(TRIAGE_PAGE_ROWS as usize)
            .map(|a| TriagePage {
                alert: a.id,
                key: format!("{}/{}", a.source, a.external_id),
                service: services.get(&a.service_id).cloned().unwrap_or_default(),
                rule: a.rule.clone(),
                fired_at: time(a.fired_at),
                acknowledged_after: a
                    .acknowledged_at
                    .filter(|t| *t >= a.fired_at)
                    .map(|t| format_minutes((t - a.fired_at).num_seconds() as f64 / 60.0)),
                responder: a.responder.clone(),
                disposition: a.disposition.clone(),
                labels: a.labels.clone(),
            })
            .collect();

        let history = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq(TRIAGED))
            .filter(audit_event::Column::Target.eq(format!("team:{}", team.slug)))
            .order_by_desc(audit_event::Column::Seq)
            .limit(HISTORY_ROWS)
            .all(db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(triage_event)
            .collect();
        let on_call_now = oncall_shift::Entity::find()
            .filter(oncall_shift::Column::TeamId.eq(team.id))
            .filter(oncall_shift::Column::StartsAt.lte(now))
            .filter(oncall_shift::Column::EndsAt.gt(now))
            .order_by_asc(oncall_shift::Column::Schedule)
            .all(db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|s| (s.schedule, s.person))
            .collect();
        Ok(TeamOncall {
            can_triage: may_triage(&principal, &team.slug),
            team: team.slug,
            name: team.name,
            period: period.to_string(),
            from: period.first_day().to_string(),
            to: period.end_day().pred_opt().unwrap_or(period.end_day()).to_string(),
            rules,
            pages,
            pages_total,
            rule_filter,
            disposition_filter,
            history,
            on_call_now,
        })
    }

    async fn triage(
        &self,
        principal: Principal,
        slug: String,
        target: TriageTarget,
        disposition: String,
        note: Option<String>,
    ) -> Result<u64, AppError> {
        let db = &self.figures.db;
        let chosen = AlertDisposition::parse(disposition.trim()).ok_or_else(|| {
            AppError::Invalid(format!(
                "unknown disposition {disposition:?}; expected actionable, non_actionable, duplicate, false_positive \
                 or unreviewed"
            ))
        })?;
        let note = blank_to_none(note);
        if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
            return Err(AppError::Invalid(format!("the note must be at most {MAX_NOTE} characters")));
        }
        if note.as_ref().is_some_and(|n| n.chars().any(|c| c.is_control() && c != '\n')) {
            return Err(AppError::Invalid("the note must not contain control characters".to_owned()));
        }
        let team = find_team(db, &slug).await?;
        if !may_triage(&principal, &team.slug) {
            return Err(AppError::Forbidden(format!(
                "triaging team {}'s pages: only an admin or an editor of the team may",
                team.slug
            )));
        }
        let services = team_services(db, team.id).await?;
        let now = crate::clock_now();
        let (query, rule, period) = match &target {
            TriageTarget::Alert(id) => {
                let query = alert::Entity::find()
                    .filter(alert::Column::Id.eq(*id))
                    .filter(alert::Column::ServiceId.is_in(services.keys().copied()));
                (query, None, None)
            }
            TriageTarget::Rule { rule, period, unreviewed_only } => {
                let period =
                    Period::parse(period, self.figures.calendar).map_err(|e| AppError::Invalid(e.to_string()))?;
                let mut query = pages_of(&services, &period).filter(alert::Column::Rule.eq(rule.as_str()));
                if *unreviewed_only {
                    query = query.filter(alert::Column::Disposition.eq(AlertDisposition::Unreviewed.as_str()));
                }
                (query, Some(rule.clone()), Some(period.to_string()))
            }
        };
        let txn = db.begin().await.map_err(internal)?;
        let targets: Vec<(i64, DateTime<Utc>)> = query
            .select_only()
            .columns([alert::Column::Id, alert::Column::FiredAt])
            .into_tuple()
            .all(&txn)
            .await
            .map_err(internal)?;
        if targets.is_empty() {
            return match target {
                TriageTarget::Alert(id) => Err(AppError::NotFound(format!("Team {slug} has no alert {id}."))),
                TriageTarget::Rule { .. } => Ok(0),
            };
        }
        let ids: Vec<i64> = targets.iter().map(|(id, _)| *id).collect();
        for chunk in ids.chunks(5_000) {
            // The versions triage replaces are kept like an import's (docs/as-known-at.md).
            crate::record_history::keep::<alert::Entity, _>(&txn, chunk, now, None).await.map_err(internal)?;
            alert::Entity::update_many()
                .col_expr(alert::Column::Disposition, Expr::value(chosen.as_str()))
                .col_expr(alert::Column::UpdatedAt, monotonic_stamp(now))
                .filter(alert::Column::Id.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await
                .map_err(internal)?;
        }
        // The pages reach their own periods, and the shifts that may have started a longest
        // shift before them (docs/kpis.md §10a).
        let longest = TimeDelta::days(MAX_SHIFT_DAYS);
        let reach =
            Reach::earliest(targets.iter().map(|(_, fired)| fired.checked_sub_signed(longest).unwrap_or(*fired)));
        crate::db::bump_data_version(&txn).await.map_err(internal)?;
        crate::kpis::changes::record(&txn, reach).await.map_err(internal)?;
        let shown_ids: Vec<i64> = ids.iter().take(100).copied().collect();
        let details = json!({
            "disposition": chosen.as_str(),
            "alerts": ids.len(),
            "alert_ids": shown_ids,
            "rule": rule,
            "period": period,
            "note": note,
        });
        let entry = AuditEntry::new(&principal.actor(), TRIAGED, &format!("team:{}", team.slug), details);
        crate::audit::append(&txn, entry, now).await.map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        tracing::info!(team = %team.slug, disposition = chosen.as_str(), alerts = ids.len(), "pages triaged");
        Ok(ids.len() as u64)
    }
}

/// `updated_at = now`, or the version's own when later (docs/as-known-at.md §1).
fn monotonic_stamp(now: DateTime<Utc>) -> Expr {
    use sea_orm::sea_query::ExprTrait;
    let current = || Expr::col((alert::Entity, alert::Column::UpdatedAt));
    Expr::case(Expr::val(now).gt(current()), Expr::val(now)).finally(current()).into()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use app::domain::access::{Principal, PrincipalId, Role};

    use super::may_triage;

    fn user(roles: &[Role], teams: &[&str]) -> Principal {
        Principal {
            id: PrincipalId::User(1),
            name: "someone".into(),
            email: None,
            roles: roles.iter().copied().collect(),
            teams: teams.iter().map(|t| (*t).to_owned()).collect::<BTreeSet<_>>(),
            token: None,
        }
    }

    #[test]
    fn admins_and_the_teams_editors_triage_and_nobody_else() {
        assert!(may_triage(&user(&[Role::Admin], &[]), "payments"));
        assert!(may_triage(&user(&[Role::Editor], &["payments"]), "payments"));
        assert!(!may_triage(&user(&[Role::Editor], &["search"]), "payments"));
        assert!(!may_triage(&user(&[Role::Viewer], &["payments"]), "payments"));
        assert!(!may_triage(&user(&[Role::Auditor], &[]), "payments"));
    }
}
