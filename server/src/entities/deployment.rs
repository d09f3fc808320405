use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deployment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source: String,
    pub external_id: String,
    pub service_id: i64,
    pub deployed_at: DateTimeUtc,
    pub outcome: String,
    pub incident_id: Option<i64>,
    /// Who made the change.
    pub author: Option<String>,
    /// Who approved it (another person than the author, for tier-0/1 services).
    pub approved_by: Option<String>,
    pub change_ticket: Option<String>,
    /// Made under the emergency change procedure.
    pub emergency: bool,
    pub import_batch_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
