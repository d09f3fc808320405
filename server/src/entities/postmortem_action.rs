use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "postmortem_action")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source: String,
    pub external_id: String,
    pub incident_id: Option<i64>,
    pub service_id: i64,
    pub title: String,
    pub owner: Option<String>,
    pub priority: Option<String>,
    pub due_date: Option<Date>,
    pub status: String,
    pub completed_at: Option<DateTimeUtc>,
    pub import_batch_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
