use sea_orm::entity::prelude::*;

/// A signed record of the audit chain's head (see `crate::checkpoints`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_checkpoint")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub seq: i64,
    pub head_hash: String,
    pub at: DateTimeUtc,
    pub reason: String,
    pub key_id: String,
    pub signature: String,
    pub delivered: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
