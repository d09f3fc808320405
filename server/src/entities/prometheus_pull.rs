use sea_orm::entity::prelude::*;

/// Per SLO with a Prometheus source: the last day pulled and the last attempt's problem.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "prometheus_pull")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub slo_id: i64,
    pub pulled_through: Option<Date>,
    pub attempted_at: DateTimeUtc,
    /// What went wrong in the last attempt, in words; `None` when nothing did.
    pub problem: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
