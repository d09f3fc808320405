use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "remediation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub service_id: i64,
    /// The root-cause category it remediates, as imported (matched case-insensitively).
    pub failure_mode: String,
    /// `none`, `partial` or `full`.
    pub automation: String,
    pub runbook_url: Option<String>,
    pub last_exercised_at: Option<DateTimeUtc>,
    pub import_batch_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
