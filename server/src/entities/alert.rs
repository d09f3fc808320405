use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source: String,
    pub external_id: String,
    pub service_id: i64,
    pub rule: String,
    pub fired_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub paged: bool,
    pub urgency: Option<String>,
    pub responder: Option<String>,
    pub escalations: Option<i64>,
    pub auto_resolved: Option<bool>,
    pub disposition: String,
    pub incident_id: Option<i64>,
    /// A JSON object of the source's labels.
    pub labels: Option<String>,
    pub import_batch_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
