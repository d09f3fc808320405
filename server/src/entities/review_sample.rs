use sea_orm::entity::prelude::*;

/// A sample of one population's records in an audit window (see `crate::samples`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "review_sample")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub population: String,
    pub window_from: Date,
    pub window_to: Date,
    /// JSON of `app::domain::evidence::samples::SampleMethod`.
    pub method: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
