use sea_orm::entity::prelude::*;

/// One notification for one subscription, created once per occasion (`dedupe_key`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notification")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub dedupe_key: String,
    pub subscription_id: i64,
    pub event: String,
    pub subject: String,
    /// JSON: what the message was made from.
    pub payload: String,
    /// `queued`, `sent`, `failed` (to be retried) or `given_up`.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
