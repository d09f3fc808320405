use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "incident")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source: String,
    pub external_id: String,
    pub title: String,
    pub severity: i16,
    pub started_at: DateTimeUtc,
    pub detected_at: Option<DateTimeUtc>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub mitigated_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub customer_impacting: bool,
    pub customer_impact_minutes: Option<i64>,
    pub data_loss_minutes: Option<i64>,
    /// `human`, `automation` or `mixed`, when known.
    pub mitigated_by: Option<String>,
    pub change_related: bool,
    pub root_cause_category: Option<String>,
    pub repeat_of_id: Option<i64>,
    pub status: String,
    /// JSON array of `{"at", "status", "body"}`, oldest first; `None` when there is none.
    pub timeline: Option<String>,
    pub import_batch_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
