use sea_orm::entity::prelude::*;

/// A team's notifications to an email address or a webhook URL.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub team: String,
    /// `email` or `webhook`.
    pub channel: String,
    pub target: String,
    /// The webhook's signing key; `None` for email.
    pub secret: Option<String>,
    pub unsubscribe_token: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
