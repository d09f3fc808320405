//! What the import pipeline needs to know about one record kind: how to resolve its references
//! into a row, how to find the rows already stored under the same natural keys, and which
//! columns identify a row.

use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;

use app::domain::ingest::{IngestRecord, RowError};
use sea_orm::{
    ActiveModelTrait, DatabaseTransaction, DbBackend, DbErr, EntityName, EntityTrait, IdenStatic, IntoActiveModel,
    Iterable, sea_query::OnConflict,
};

use super::pipeline::Counts;
use super::refs::Ctx;
use crate::entities::Provenance;
use crate::kpis::changes::Reach;

pub type ModelOf<S> = <<S as KindSpec>::Entity as EntityTrait>::Model;

/// A validated row with its references resolved, ready to store.
pub struct Prepared<S: KindSpec> {
    pub row: u64,
    pub key: S::Key,
    pub model: ModelOf<S>,
    /// State kept outside the row itself (an incident's services), compared for changes too.
    pub extra: S::Extra,
}

pub type Stored<S> = HashMap<<S as KindSpec>::Key, (ModelOf<S>, <S as KindSpec>::Extra)>;

#[async_trait::async_trait]
pub trait KindSpec: Send + Sync + 'static {
    type Input: IngestRecord + Sync;
    type Key: Eq + Hash + Clone + Send + Sync + Debug;
    type Entity: EntityTrait<
            Model: Provenance
                       + Clone
                       + PartialEq
                       + Send
                       + Sync
                       + IntoActiveModel<<Self::Entity as EntityTrait>::ActiveModel>,
            ActiveModel: ActiveModelTrait<Entity = Self::Entity> + Send,
        >;
    type Extra: PartialEq + Clone + Default + Send + Sync;

    /// Column names of the natural key (a unique index).
    const KEY_COLUMNS: &'static [&'static str];

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, Self::Input)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr>
    where
        Self: Sized;

    async fn stored(ctx: &Ctx, txn: &DatabaseTransaction, keys: &[Self::Key]) -> Result<Stored<Self>, DbErr>
    where
        Self: Sized;

    /// The services a stored row belongs to, for kinds whose owner can change on update (an
    /// incident's services, an action's service…): a limited writer may not replace a row of
    /// another team's service. Kinds whose key fixes the owner return nothing.
    fn stored_services(_model: &ModelOf<Self>, _extra: &Self::Extra) -> Vec<i64>
    where
        Self: Sized,
    {
        Vec::new()
    }

    /// The teams a stored row is about, for kinds whose key does not fix the team (a survey
    /// answer may be re-sent about another team); `None` is the organisation. A writer limited to
    /// teams may not replace another team's row, nor the organisation's.
    fn stored_teams(_model: &ModelOf<Self>, _extra: &Self::Extra) -> Vec<Option<i64>>
    where
        Self: Sized,
    {
        Vec::new()
    }

    /// How far back in time these rows' values reach the figures (old and new values are both
    /// passed): the earliest instant they, or the incidents they follow up, mention (see
    /// `kpis::changes`). Catalog kinds, and any kind that does not say, reach every period.
    async fn reach(_txn: &DatabaseTransaction, _models: &[&ModelOf<Self>]) -> Result<Reach, DbErr>
    where
        Self: Sized,
    {
        Ok(Reach::Everything)
    }

    /// Rows resolved and written per round trip on `backend`.
    fn chunk_rows(_backend: DbBackend) -> usize {
        1000
    }

    /// A set-based write that classifies and stores a chunk in one statement, where the
    /// backend allows it; `None` means "use the portable compare-then-upsert path".
    async fn write_set_based(
        _ctx: &Ctx,
        _txn: &DatabaseTransaction,
        _rows: &[Prepared<Self>],
    ) -> Result<Option<Counts>, DbErr>
    where
        Self: Sized,
    {
        Ok(None)
    }

    /// Runs after the chunk's rows are inserted or updated.
    async fn after_write(
        _ctx: &mut Ctx,
        _txn: &DatabaseTransaction,
        _written: &[Prepared<Self>],
        _stored: &Stored<Self>,
    ) -> Result<(), DbErr>
    where
        Self: Sized,
    {
        Ok(())
    }
}

fn column_named<E: EntityTrait>(name: &str) -> Option<E::Column> {
    E::Column::iter().find(|c| c.as_str() == name)
}

/// Inserts new rows and overwrites changed ones in one statement, keyed by the natural key.
/// `created_at` is kept from the first import.
pub async fn upsert<S: KindSpec>(txn: &DatabaseTransaction, models: Vec<ModelOf<S>>) -> Result<(), DbErr> {
    if models.is_empty() {
        return Ok(());
    }
    let key_columns: Vec<_> = S::KEY_COLUMNS.iter().filter_map(|n| column_named::<S::Entity>(n)).collect();
    let update_columns: Vec<_> = <S::Entity as EntityTrait>::Column::iter()
        .filter(|c| !matches!(c.as_str(), "id" | "created_at" | "updated_at") && !S::KEY_COLUMNS.contains(&c.as_str()))
        .collect();
    let Some(updated_at) = column_named::<S::Entity>("updated_at") else {
        return Err(DbErr::Custom("entity without an updated_at column".into()));
    };
    let table = S::Entity::default().table_name().to_owned();
    let stamp = sea_orm::sea_query::Expr::cust(crate::record_history::monotonic_updated_at(
        &format!("\"{table}\""),
        "excluded.updated_at",
    ));
    let Some(id_column) = column_named::<S::Entity>("id") else {
        return Err(DbErr::Custom("entity without an id column".into()));
    };
    let rows = models.into_iter().map(|model| {
        let mut row = model.into_active_model().reset_all();
        row.not_set(id_column);
        row
    });
    S::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns(key_columns).update_columns(update_columns).value(updated_at, stamp).to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}
