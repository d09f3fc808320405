use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_response")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub survey: String,
    /// A hash of who answered, lower-case hex.
    pub respondent: String,
    pub role: String,
    pub team_id: Option<i64>,
    pub answered_at: DateTimeUtc,
    pub score: i32,
    pub comment: Option<String>,
    pub import_batch_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
