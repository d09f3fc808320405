use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "slo_measurement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub slo_id: i64,
    pub day: Date,
    pub good: i64,
    pub total: i64,
    pub import_batch_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
