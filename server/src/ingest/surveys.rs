//! The `survey-responses` kind as an import spec: one stakeholder's score in one survey, keyed by
//! survey and respondent (a hash), so a second answer replaces the first.

use std::collections::HashSet;

use app::domain::ingest::RowError;
use app::domain::records::SurveyResponseInput;
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};

use super::kinds::unknown;
use super::refs::Ctx;
use super::spec::{KindSpec, Prepared, Stored};
use crate::entities::survey_response;
use crate::kpis::changes::Reach;

pub struct SurveyResponses;

type ResponseKey = (String, String);

#[async_trait::async_trait]
impl KindSpec for SurveyResponses {
    type Input = SurveyResponseInput;
    type Key = ResponseKey;
    type Entity = survey_response::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["survey", "respondent"];

    fn stored_teams(model: &survey_response::Model, _extra: &()) -> Vec<Option<i64>> {
        vec![model.team_id]
    }

    async fn reach(_txn: &DatabaseTransaction, models: &[&survey_response::Model]) -> Result<Reach, DbErr> {
        Ok(Reach::earliest(models.iter().map(|m| m.answered_at)))
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, SurveyResponseInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_teams(txn, inputs.iter().filter_map(|(_, i)| i.team.as_ref().map(|t| t.as_str()))).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let team_id = match &input.team {
                    None => None,
                    Some(team) => Some(ctx.team_id(team.as_str()).ok_or_else(|| {
                        unknown(row, "team", format!("unknown team '{team}': import it under /api/v1/teams first"))
                    })?),
                };
                let model = survey_response::Model {
                    id: 0,
                    survey: input.survey,
                    respondent: input.respondent,
                    role: input.role,
                    team_id,
                    answered_at: input.answered_at,
                    score: i32::from(input.score),
                    comment: input.comment,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                let key = (model.survey.clone(), model.respondent.clone());
                Ok(Prepared { row, key, model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[ResponseKey]) -> Result<Stored<Self>, DbErr> {
        let wanted: HashSet<&ResponseKey> = keys.iter().collect();
        let surveys: HashSet<&str> = keys.iter().map(|k| k.0.as_str()).collect();
        let rows =
            survey_response::Entity::find().filter(survey_response::Column::Survey.is_in(surveys)).all(txn).await?;
        Ok(rows
            .into_iter()
            .map(|m| ((m.survey.clone(), m.respondent.clone()), (m, ())))
            .filter(|(k, _)| wanted.contains(k))
            .collect())
    }
}
