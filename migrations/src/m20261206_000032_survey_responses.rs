//! Survey responses (docs/data-model.md): one stakeholder's score of 1 to 5 in one survey, keyed
//! by `(survey, respondent)`; the respondent is a hash, never a person's id.

use sea_orm_migration::prelude::*;

use crate::m20261126_000001_create_records::{
    Team, batch_fk, fk, id, index, instant, reference_null, text, text_null, unique, with_provenance,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create()
            .table(SurveyResponse::Table)
            .col(id(SurveyResponse::Id))
            .col(text(SurveyResponse::Survey))
            .col(text(SurveyResponse::Respondent))
            .col(text(SurveyResponse::Role))
            .col(reference_null(SurveyResponse::TeamId))
            .col(instant(SurveyResponse::AnsweredAt))
            .col(
                ColumnDef::new(SurveyResponse::Score)
                    .integer()
                    .not_null()
                    .check(Expr::col(SurveyResponse::Score).between(1, 5)),
            )
            .col(text_null(SurveyResponse::Comment))
            .foreign_key(&mut fk((SurveyResponse::Table, SurveyResponse::TeamId), (Team::Table, Team::Id)))
            .to_owned();
        with_provenance(&mut table).foreign_key(&mut batch_fk(SurveyResponse::Table));
        m.create_table(table).await?;
        m.create_index(unique("ux_survey_response_key", SurveyResponse::Table, &["survey", "respondent"])).await?;
        m.create_index(index("ix_survey_response_answered", SurveyResponse::Table, &["answered_at"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SurveyResponse::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum SurveyResponse {
    Table,
    Id,
    Survey,
    Respondent,
    Role,
    TeamId,
    AnsweredAt,
    Score,
    Comment,
}
