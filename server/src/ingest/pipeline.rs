//! The one import path behind REST, file upload, CLI and demo data: rows are validated,
//! resolved and written chunk by chunk inside one transaction, so memory stays bounded and a
//! request is applied whole or not at all.

use std::collections::{HashSet, hash_map::Entry};

use rustc_hash::FxHashMap;

use app::domain::ingest::{DecodedRow, IngestRecord, RowError};
use sea_orm::{DatabaseTransaction, DbBackend, DbErr};

use super::refs::Ctx;
use super::spec::{KindSpec, ModelOf, Prepared, Stored, upsert};
use crate::entities::Provenance;

/// Row errors listed in a 422; the total is always reported.
pub const MAX_LISTED_ERRORS: usize = 1000;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// A row read into its typed record, or every problem found in it.
pub type ParsedRow<I> = Result<(u64, I), Vec<RowError>>;

/// Reads one decoded row into a typed record: pure CPU work, kept apart from the database
/// work so the two can run side by side.
pub fn parse_row<I: IngestRecord>(row: DecodedRow) -> ParsedRow<I> {
    let raw = row.map_err(|error| vec![error])?;
    I::from_row(&raw)
        .map(|input| (raw.number, input))
        .map_err(|errors| errors.into_iter().map(|e| e.at_row(raw.number)).collect())
}

pub struct Pipeline<S: KindSpec> {
    pub ctx: Ctx,
    chunk_rows: usize,
    pending: Vec<(u64, S::Input)>,
    pending_keys: HashSet<String>,
    /// First row of each key seen in this request (a fast hash: it holds up to millions of keys).
    seen: FxHashMap<S::Key, u64>,
    pub errors: Vec<RowError>,
    pub error_count: u64,
    pub rejected_rows: u64,
    pub received: u64,
    pub counts: Counts,
}

impl<S: KindSpec> Pipeline<S> {
    pub fn new(ctx: Ctx, backend: DbBackend) -> Self {
        Pipeline {
            ctx,
            chunk_rows: S::chunk_rows(backend),
            pending: Vec::new(),
            pending_keys: HashSet::new(),
            seen: FxHashMap::default(),
            errors: Vec::new(),
            error_count: 0,
            rejected_rows: 0,
            received: 0,
            counts: Counts::default(),
        }
    }

    pub fn error(&mut self, error: RowError) {
        self.error_count += 1;
        if self.errors.len() < MAX_LISTED_ERRORS {
            self.errors.push(error);
        }
    }

    fn reject_row(&mut self, errors: impl IntoIterator<Item = RowError>) {
        self.rejected_rows += 1;
        for error in errors {
            self.error(error);
        }
    }

    /// Takes one row, already parsed by [`parse_row`] (which may run on another task).
    pub async fn push(&mut self, txn: &DatabaseTransaction, row: ParsedRow<S::Input>) -> Result<(), DbErr> {
        self.received += 1;
        let (number, input) = match row {
            Ok(parsed) => parsed,
            Err(errors) => {
                self.reject_row(errors);
                return Ok(());
            }
        };
        if let Some(reference) = input.same_kind_reference() {
            if self.ctx.request_keys.contains(reference) {
                self.ctx.earlier_reference_rows.insert(number);
            }
            // The referenced row must be written before this one is resolved.
            if self.pending_keys.contains(reference) {
                self.flush(txn).await?;
            }
        }
        if let Some(key) = input.external_key() {
            self.ctx.request_keys.insert(key.to_owned());
            self.pending_keys.insert(key.to_owned());
        }
        self.pending.push((number, input));
        if self.pending.len() >= self.chunk_rows {
            self.flush(txn).await?;
        }
        Ok(())
    }

    pub async fn flush(&mut self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        let inputs = std::mem::take(&mut self.pending);
        self.pending_keys.clear();
        if inputs.is_empty() {
            return Ok(());
        }
        let mut ready = Vec::with_capacity(inputs.len());
        for prepared in S::prepare(&mut self.ctx, txn, inputs).await? {
            match prepared {
                Err(error) => self.reject_row([error]),
                Ok(prepared) => match self.seen.entry(prepared.key.clone()) {
                    Entry::Occupied(first) => {
                        let message = format!(
                            "duplicate of row {}: the key ({}) appears twice in this request",
                            first.get(),
                            S::KEY_COLUMNS.join(", ")
                        );
                        self.reject_row([RowError { row: Some(prepared.row), field: None, message }]);
                    }
                    Entry::Vacant(slot) => {
                        slot.insert(prepared.row);
                        ready.push(prepared);
                    }
                },
            }
        }
        // Once any row is wrong nothing will be committed; keep validating, stop writing.
        if self.error_count == 0 && !ready.is_empty() {
            self.write(txn, ready).await?;
        }
        Ok(())
    }

    async fn write(&mut self, txn: &DatabaseTransaction, ready: Vec<Prepared<S>>) -> Result<(), DbErr> {
        if let Some(counts) = S::write_set_based(&self.ctx, txn, &ready).await? {
            if counts.created + counts.updated > 0 {
                // A set-based kind's key includes its time, so old values reach as far as new.
                let models: Vec<&ModelOf<S>> = ready.iter().map(|p| &p.model).collect();
                self.ctx.reach = self.ctx.reach.merge(S::reach(txn, &models).await?);
            }
            self.counts.created += counts.created;
            self.counts.updated += counts.updated;
            self.counts.unchanged += counts.unchanged;
            return Ok(());
        }
        let keys: Vec<S::Key> = ready.iter().map(|p| p.key.clone()).collect();
        let mut stored = S::stored(&self.ctx, txn, &keys).await?;
        let mut changed = Vec::new();
        for prepared in ready {
            match stored.get(&prepared.key) {
                None => {
                    self.counts.created += 1;
                    changed.push(prepared);
                }
                Some((model, extra)) => {
                    let mut candidate = prepared.model.clone();
                    candidate.adopt_provenance(model);
                    if candidate == *model && prepared.extra == *extra {
                        self.counts.unchanged += 1;
                    } else {
                        self.counts.updated += 1;
                        changed.push(prepared);
                    }
                }
            }
        }
        if changed.is_empty() {
            return Ok(());
        }
        let changed_keys: HashSet<&S::Key> = changed.iter().map(|p| &p.key).collect();
        stored.retain(|key, _| changed_keys.contains(key));
        if self.ctx.allowed_teams.is_some() {
            let services: Vec<i64> =
                stored.values().flat_map(|(model, extra)| S::stored_services(model, extra)).collect();
            super::ownership::note_foreign_owners(&mut self.ctx, txn, &services).await?;
            let teams: Vec<Option<i64>> =
                stored.values().flat_map(|(model, extra)| S::stored_teams(model, extra)).collect();
            super::ownership::note_foreign_teams(&mut self.ctx, txn, &teams).await?;
        }
        let replaced: Stored<S> = stored;
        let old_and_new: Vec<&ModelOf<S>> =
            changed.iter().map(|p| &p.model).chain(replaced.values().map(|(model, _)| model)).collect();
        self.ctx.reach = self.ctx.reach.merge(S::reach(txn, &old_and_new).await?);
        drop(old_and_new);
        // The versions being replaced are kept first (docs/as-known-at.md).
        let replaced_ids: Vec<i64> = replaced.values().map(|(model, _)| model.record_id()).collect();
        crate::record_history::keep::<S::Entity, _>(txn, &replaced_ids, self.ctx.now, Some(self.ctx.batch_id)).await?;
        upsert::<S>(txn, changed.iter().map(|p| p.model.clone()).collect()).await?;
        S::after_write(&mut self.ctx, txn, &changed, &replaced).await
    }
}
