use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `issuer|sub` of the identity provider.
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    /// The groups claim of the last sign-in, as a JSON array.
    pub groups: String,
    pub created_at: DateTimeUtc,
    pub last_login_at: DateTimeUtc,
    /// Set while an admin has disabled the user (no sign-in, sessions or tokens).
    pub disabled_at: Option<DateTimeUtc>,
    pub disabled_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
