//! Resolving natural-key references (slugs, external ids) to row ids, batched per chunk and
//! cached for the rest of the request.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::{incident, service, slo, team};

/// Per-request state shared by the chunks of one import.
pub struct Ctx {
    pub source: String,
    pub batch_id: i64,
    pub now: DateTime<Utc>,
    teams: HashMap<String, i64>,
    services: HashMap<String, i64>,
    /// SLO ids by service slug, then SLO slug (nested so lookups need no allocation).
    slos: HashMap<String, HashMap<String, i64>>,
    incidents: HashMap<String, i64>,
    /// External ids of same-kind records seen earlier in this request (written or not).
    pub request_keys: HashSet<String>,
    /// Rows whose same-kind reference named a row earlier in this request.
    pub earlier_reference_rows: HashSet<u64>,
    /// The team slugs a limited writer may write for (`None`: any).
    pub allowed_teams: Option<std::collections::BTreeSet<String>>,
    /// Teams outside `allowed_teams` owning stored rows this request would replace.
    pub foreign_teams: std::collections::BTreeSet<String>,
    /// The policy's readiness checklist; self-assessment items outside it are refused.
    pub readiness_items: Option<Vec<String>>,
    /// Whether rows may carry approvals, and where those were made.
    pub approvals: super::Approvals,
    /// How far back in time the rows written so far reach the figures.
    pub reach: crate::kpis::changes::Reach,
}

impl Ctx {
    pub fn new(source: String, batch_id: i64, now: DateTime<Utc>) -> Self {
        Ctx {
            source,
            batch_id,
            now,
            teams: HashMap::new(),
            services: HashMap::new(),
            slos: HashMap::new(),
            incidents: HashMap::new(),
            request_keys: HashSet::new(),
            earlier_reference_rows: HashSet::new(),
            allowed_teams: None,
            foreign_teams: std::collections::BTreeSet::new(),
            readiness_items: None,
            approvals: super::Approvals::Refused,
            reach: crate::kpis::changes::Reach::Nothing,
        }
    }

    pub async fn load_teams<'a>(
        &mut self,
        txn: &DatabaseTransaction,
        slugs: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), DbErr> {
        let missing = missing(&self.teams, slugs);
        if !missing.is_empty() {
            let rows: Vec<(i64, String)> = team::Entity::find()
                .select_only()
                .columns([team::Column::Id, team::Column::Slug])
                .filter(team::Column::Slug.is_in(missing))
                .into_tuple()
                .all(txn)
                .await?;
            self.teams.extend(rows.into_iter().map(|(id, slug)| (slug, id)));
        }
        Ok(())
    }

    pub async fn load_services<'a>(
        &mut self,
        txn: &DatabaseTransaction,
        slugs: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), DbErr> {
        let missing = missing(&self.services, slugs);
        if !missing.is_empty() {
            let rows: Vec<(i64, String)> = service::Entity::find()
                .select_only()
                .columns([service::Column::Id, service::Column::Slug])
                .filter(service::Column::Slug.is_in(missing))
                .into_tuple()
                .all(txn)
                .await?;
            self.services.extend(rows.into_iter().map(|(id, slug)| (slug, id)));
        }
        Ok(())
    }

    /// SLO ids by (service slug, SLO slug).
    pub async fn load_slos<'a>(
        &mut self,
        txn: &DatabaseTransaction,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), DbErr> {
        let missing: HashSet<(String, String)> = pairs
            .into_iter()
            .filter(|(service, slo)| self.slo_id(service, slo).is_none())
            .map(|(service, slo)| (service.to_owned(), slo.to_owned()))
            .collect();
        if !missing.is_empty() {
            let service_slugs: Vec<&str> = missing.iter().map(|(s, _)| s.as_str()).collect();
            self.load_services(txn, service_slugs).await?;
            let by_id: HashMap<i64, String> =
                missing.iter().filter_map(|(s, _)| Some((*self.services.get(s)?, s.clone()))).collect();
            let wanted_services: Vec<i64> = by_id.keys().copied().collect();
            if !wanted_services.is_empty() {
                let rows: Vec<(i64, i64, String)> = slo::Entity::find()
                    .select_only()
                    .columns([slo::Column::Id, slo::Column::ServiceId, slo::Column::Slug])
                    .filter(slo::Column::ServiceId.is_in(wanted_services))
                    .into_tuple()
                    .all(txn)
                    .await?;
                for (id, service_id, slug) in rows {
                    if let Some(service_slug) = by_id.get(&service_id) {
                        self.slos.entry(service_slug.clone()).or_default().insert(slug, id);
                    }
                }
            }
        }
        Ok(())
    }

    /// Incident ids by external id, within this request's source.
    pub async fn load_incidents<'a>(
        &mut self,
        txn: &DatabaseTransaction,
        external_ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), DbErr> {
        let missing = missing(&self.incidents, external_ids);
        if !missing.is_empty() {
            let rows: Vec<(i64, String)> = incident::Entity::find()
                .select_only()
                .columns([incident::Column::Id, incident::Column::ExternalId])
                .filter(incident::Column::Source.eq(self.source.clone()))
                .filter(incident::Column::ExternalId.is_in(missing))
                .into_tuple()
                .all(txn)
                .await?;
            self.incidents.extend(rows.into_iter().map(|(id, external_id)| (external_id, id)));
        }
        Ok(())
    }

    pub fn team_id(&self, slug: &str) -> Option<i64> {
        self.teams.get(slug).copied()
    }

    pub fn service_id(&self, slug: &str) -> Option<i64> {
        self.services.get(slug).copied()
    }

    pub fn slo_id(&self, service: &str, slo: &str) -> Option<i64> {
        self.slos.get(service)?.get(slo).copied()
    }

    pub fn incident_id(&self, external_id: &str) -> Option<i64> {
        self.incidents.get(external_id).copied()
    }

    /// Remembers ids of incidents written by this request.
    pub fn learn_incidents(&mut self, ids: impl IntoIterator<Item = (String, i64)>) {
        self.incidents.extend(ids);
    }
}

fn missing<'a>(cache: &HashMap<String, i64>, keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    keys.into_iter()
        .filter(|k| !cache.contains_key(*k))
        .map(str::to_owned)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect()
}
