use sea_orm::entity::prelude::*;

/// One audit event (docs/access-and-audit.md). Rows are only ever inserted, through `crate::audit`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    /// Previous + 1, assigned by the application so that a removed row leaves a gap.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub at: DateTimeUtc,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// Canonical JSON (keys sorted), exactly as hashed.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
