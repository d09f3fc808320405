//! Score history and movers over the scorecards [`Figures`] computes and keeps per period
//! (closed periods' scorecards are kept in the database, `kept`): a service's level and score
//! period by period, and the services of a scope that moved most since the previous period.

use app::domain::kpi::{Period, Scope};
use app::domain::scorecard::listing::Standing;
use app::domain::scorecard::movers::{HistoryPoint, PeriodMovers, movers};
use chrono::{DateTime, Utc};
use std::sync::Arc;

use super::{Figures, LoadError, ScorecardFilter, derived};

impl Figures {
    /// The `limit` services of `scope` that improved and regressed most in `period` against the
    /// period before it. Nothing to compare when that one ended before the first record.
    pub async fn movers(
        &self,
        period: &Period,
        scope: &Scope,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<PeriodMovers, LoadError> {
        if let Scope::Team(team) = scope
            && !crate::catalog::team_exists(&self.db, team.as_str()).await?
        {
            return Err(LoadError::UnknownScope(format!("there is no team '{team}'")));
        }
        let current = Box::pin(self.scorecards(period, &ScorecardFilter::of_scope(scope), now)).await?;
        Ok(self.movers_of(period, &current, scope, limit, now).await?.as_ref().clone())
    }

    /// [`Self::movers`] of `current`, the scope's scorecards of `period` the caller already has
    /// (a summary's, on the overview and team pages).
    pub async fn movers_of(
        &self,
        period: &Period,
        current: &Arc<super::ScorecardReport>,
        scope: &Scope,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Arc<PeriodMovers>, LoadError> {
        let previous = period.previous();
        let filter = ScorecardFilter::of_scope(scope);
        let previous_has_data = self.has_data(&previous).await?;
        // Pages do not wait for the previous period's scorecards: without them, movers are
        // pending while they are computed.
        let earlier = match previous_has_data {
            false => None,
            true => {
                let data_version = crate::db::data_version(&self.db).await?;
                self.scorecards_if_ready(&previous, data_version, now).await?
            }
        };
        let partial = period.end() > now;
        let of_period = |moved, pending| PeriodMovers {
            period: period.to_string(),
            previous: previous.to_string(),
            partial,
            previous_has_data,
            pending,
            movers: moved,
        };
        let Some(earlier) = earlier else {
            return Ok(Arc::new(of_period(Default::default(), previous_has_data)));
        };
        // Ranking every service is a page's largest part: done once per pair of scorecards.
        let key = format!("{period}|{scope}|{limit}|{partial}");
        let inputs = [derived::input(current), derived::input(&earlier)];
        if let Some(kept) = self.cache.movers.get(&key, &inputs) {
            return Ok(kept);
        }
        let moved = Arc::new(of_period(
            movers(&current.scorecards, earlier.scorecards.iter().filter(|card| filter.keeps(card)), limit),
            false,
        ));
        self.cache.movers.put(key, inputs.into(), Arc::clone(&moved));
        Ok(moved)
    }

    /// `service`'s level and score in each of `periods` (none where it had no scorecard, or the
    /// period ended before the first record). Pages ([`Figures::serving_last`]) never wait for a
    /// period's scorecards: one not computed yet is marked `pending` and computed in the
    /// background for the next reader.
    pub async fn history(
        &self,
        service: &str,
        periods: &[Period],
        now: DateTime<Utc>,
    ) -> Result<Vec<HistoryPoint>, LoadError> {
        let filter = ScorecardFilter { service: Some(service.to_owned()), ..Default::default() };
        let start = self.data_start().await?;
        let data_version = crate::db::data_version(&self.db).await?;
        let mut points = Vec::with_capacity(periods.len());
        for period in periods {
            let mut point = HistoryPoint {
                period: period.to_string(),
                partial: period.end() > now,
                standing: None,
                pending: false,
            };
            if start.is_some_and(|first| first < period.end()) {
                match self.scorecards_if_ready(period, data_version, now).await? {
                    Some(report) => {
                        point.standing = report
                            .scorecards
                            .iter()
                            .find(|card| filter.keeps(card))
                            .map(|card| Standing { level: card.level, score: card.score });
                    }
                    None => point.pending = true,
                }
            }
            points.push(point);
        }
        Ok(points)
    }

    /// Every service's scorecards of `period`. For pages, only if this process has computed
    /// them before: then the last ones at once (an outdated one noted, and recomputed through
    /// the common serve-last path, one claim per figure); otherwise `None` (the panel says they
    /// are being computed) while they are computed in the background. `data_version` is the
    /// version the page read, so a history of many periods asks the database once. Everyone
    /// else gets current ones.
    async fn scorecards_if_ready(
        &self,
        period: &Period,
        data_version: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<std::sync::Arc<super::ScorecardReport>>, LoadError> {
        let all = ScorecardFilter::default();
        if !self.serves_last() {
            return Ok(Some(Box::pin(self.scorecards(period, &all, now)).await?));
        }
        let version = match self.cache.changes.period_version_known(data_version, period) {
            Some(version) => version,
            None => self.cache.changes.period_version(&self.db, period).await?,
        };
        let key = super::scorecard_cache_key(period, &self.policy);
        match self.cache.scorecards.lookup_at(&key, version, period.end() > now, Some(now)) {
            super::Lookup::Fresh(report) => Ok(Some(report)),
            super::Lookup::Stale(report) => {
                self.note_outdated();
                self.refresh_scorecards_in_background(*period, now);
                Ok(Some(report))
            }
            super::Lookup::Missing => {
                self.refresh_scorecards_in_background(*period, now);
                Ok(None)
            }
        }
    }
}
