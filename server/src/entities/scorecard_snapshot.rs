use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "scorecard_snapshot")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period: String,
    pub policy_version: String,
    pub definitions_version: String,
    pub content: String,
    pub content_sha256: String,
    pub published_by: String,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
