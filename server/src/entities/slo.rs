use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "slo")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub service_id: i64,
    pub slug: String,
    pub name: String,
    pub indicator: String,
    pub objective: f64,
    pub window_days: i32,
    pub budgeting: String,
    pub threshold_ms: Option<i64>,
    /// Its Prometheus source (`prometheus.rs`): all three or none.
    pub prometheus_url: Option<String>,
    pub good_query: Option<String>,
    pub total_query: Option<String>,
    pub import_batch_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
