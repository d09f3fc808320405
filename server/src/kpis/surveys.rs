//! Loads the survey responses answered in a period (docs/kpis.md §10f), without who answered
//! or what they wrote: the KPI reads only the score, the team and the time.

use std::collections::HashMap;

use app::domain::kpi::{Period, SurveyResponse};
use app::domain::records::Slug;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::mapping::Corrupt;
use crate::entities::survey_response;

type Row = (i64, String, Option<i64>, DateTime<Utc>, i32);

pub async fn survey_responses<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    teams: &HashMap<i64, Slug>,
) -> Result<Vec<SurveyResponse>, super::load::LoadError> {
    let rows: Vec<Row> = survey_response::Entity::find()
        .select_only()
        .columns([
            survey_response::Column::Id,
            survey_response::Column::Survey,
            survey_response::Column::TeamId,
            survey_response::Column::AnsweredAt,
            survey_response::Column::Score,
        ])
        .filter(survey_response::Column::AnsweredAt.gte(period.start()))
        .filter(survey_response::Column::AnsweredAt.lt(period.end()))
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(id, survey, team_id, answered_at, score)| {
            let corrupt = |problem: &str| Corrupt { table: "survey_response", id, problem: problem.into() };
            let team = match team_id {
                None => None,
                Some(team_id) => Some(teams.get(&team_id).cloned().ok_or_else(|| corrupt("unknown team"))?),
            };
            let score =
                u8::try_from(score).ok().filter(|s| (1..=5).contains(s)).ok_or_else(|| corrupt("score not 1 to 5"))?;
            Ok(SurveyResponse { survey, team, answered_at, score })
        })
        .collect()
}
