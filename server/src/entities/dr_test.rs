use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dr_test")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source: String,
    pub external_id: String,
    pub service_id: i64,
    pub scenario: String,
    pub performed_at: DateTimeUtc,
    pub outcome: String,
    pub rto_target_minutes: Option<i64>,
    pub rto_achieved_minutes: Option<i64>,
    pub rpo_target_minutes: Option<i64>,
    pub rpo_achieved_minutes: Option<i64>,
    pub evidence_url: Option<String>,
    pub evidence_sha256: Option<String>,
    pub notes: Option<String>,
    pub import_batch_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
