use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "incident_service")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub incident_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
