//! The import page: an uploaded file goes through the same ingestion path as
//! `POST /api/v1/{kind}` (same validation, atomicity, provenance and audit events), and the
//! import batches are listed newest first.

use app::api::{BatchRow, ImportHistory, ImportOutcome, ImportUpload, RowProblem};
use app::domain::access::{Access, Principal};
use app::domain::ingest::adapters::AdapterOptions;
use app::error::AppError;
use app::ports::ImportPort;
use bytes::Bytes;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::import_batch;
use crate::ingest::{Approvals, IngestError, IngestRequest, Ingestion, Reading, Spooled};

/// Batches shown per page of the history.
const PAGE: u64 = 50;

pub struct ImportPage {
    db: DatabaseConnection,
    ingestion: Ingestion,
}

impl ImportPage {
    pub fn new(db: DatabaseConnection, ingestion: Ingestion) -> Self {
        ImportPage { db, ingestion }
    }
}

fn outcome(upload: &ImportUpload, reading: Reading) -> ImportOutcome {
    ImportOutcome {
        dry_run: upload.dry_run,
        accepted: false,
        kind: upload.kind,
        file_name: upload.file_name.clone(),
        format: reading.name().to_owned(),
        received: 0,
        created: 0,
        updated: 0,
        unchanged: 0,
        error_count: 0,
        errors: Vec::new(),
        refusal: None,
        batch_id: None,
        notes: Vec::new(),
    }
}

#[async_trait::async_trait]
impl ImportPort for ImportPage {
    async fn import(&self, principal: Principal, upload: ImportUpload) -> Result<ImportOutcome, AppError> {
        let kind = upload.kind;
        let head = upload.content.as_bytes();
        let head = head.get(..head.len().min(64 * 1024)).unwrap_or(head);
        let reading =
            Reading::choose(Some(upload.format.as_str()), head, &upload.file_name).map_err(AppError::Invalid)?;
        if let Reading::Adapted(adapter) = reading
            && !adapter.kinds().contains(&kind)
        {
            let kinds: Vec<&str> = adapter.kinds().iter().map(|k| k.slug()).collect();
            return Err(AppError::Invalid(format!(
                "this is {}, which holds {}: choose the record kind {}",
                adapter.label(),
                adapter.kind(),
                kinds.join(" or ")
            )));
        }
        let options =
            AdapterOptions::from_texts(&upload.severity_map, &upload.service_map, &upload.column_map, &upload.team)
                .and_then(|options| options.with_time_zone(&upload.time_zone))
                .and_then(|options| options.with_prometheus_url(&upload.prometheus_url))
                .map_err(AppError::Invalid)?;
        let source = upload.source.trim();
        let source = if source.is_empty() { "upload" } else { source };
        let valid_source = source.len() <= 100
            && source.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'));
        if !valid_source {
            return Err(AppError::Invalid(
                "the source must be at most 100 characters of a-z, 0-9, '.', '_' and '-'".to_owned(),
            ));
        }
        let file_name = upload.file_name.trim();
        let ingestion = &self.ingestion;
        let request = IngestRequest {
            dry_run: upload.dry_run,
            file_name: (!file_name.is_empty()).then(|| file_name.chars().take(255).collect()),
            ..ingestion.request(kind, source, &principal, Approvals::for_importer(&principal))
        };
        let mut result = outcome(&upload, reading);
        let content = Bytes::from(upload.content.into_bytes());
        let now = crate::clock_now();
        let imported = match reading {
            // The same path as the REST API: retried when it meets a concurrent writer.
            Reading::Native(format) => {
                let body = Spooled::Memory(content);
                ingestion.body(request, format, &body, now).await
            }
            Reading::Adapted(_) if content.len() as u64 > ingestion.max_body_bytes => {
                Err(IngestError::TooLarge { limit: ingestion.max_body_bytes })
            }
            Reading::Adapted(adapter) => ingestion.adapted(request, adapter, &options, content, now).await,
        };
        match imported {
            Ok(summary) => {
                result.accepted = true;
                result.notes = summary.notes;
                result.received = summary.received;
                result.created = summary.created;
                result.updated = summary.updated;
                result.unchanged = summary.unchanged;
                result.batch_id = summary.batch_id;
            }
            Err(IngestError::Invalid { errors, error_count, received }) => {
                result.received = received;
                result.error_count = error_count;
                result.errors =
                    errors.into_iter().map(|e| RowProblem { row: e.row, field: e.field, message: e.message }).collect();
            }
            Err(
                refused @ (IngestError::Format { .. }
                | IngestError::TooLarge { .. }
                | IngestError::AdapterTooLarge { .. }
                | IngestError::Busy { .. }
                | IngestError::Forbidden(_)),
            ) => {
                result.refusal = Some(refused.to_string());
            }
            Err(other) => return Err(AppError::internal("importing an uploaded file", &other)),
        }
        tracing::info!(kind = %kind, dry_run = result.dry_run, received = result.received, accepted = result.accepted,
            errors = result.error_count, "file imported from the import page");
        Ok(result)
    }

    async fn history(&self, principal: Principal, before: Option<i64>) -> Result<ImportHistory, AppError> {
        let mut query = import_batch::Entity::find().order_by_desc(import_batch::Column::Id).limit(PAGE + 1);
        if let Some(before) = before {
            query = query.filter(import_batch::Column::Id.lt(before));
        }
        let mut rows = query.all(&self.db).await.map_err(|e| AppError::internal("loading import batches", &e))?;
        let next = (rows.len() as u64 > PAGE).then(|| rows[PAGE as usize - 1].id);
        rows.truncate(PAGE as usize);
        Ok(ImportHistory {
            rows: rows
                .into_iter()
                .map(|b| BatchRow {
                    id: b.id,
                    started_at: app::domain::format::instant_seconds(b.started_at),
                    actor: b.actor,
                    kind: b.kind,
                    source: b.source,
                    format: b.format,
                    file_name: b.file_name,
                    sha256: b.sha256,
                    received: b.received,
                    created: b.created,
                    updated: b.updated,
                    unchanged: b.unchanged,
                    rejected: b.rejected,
                    status: b.status,
                })
                .collect(),
            next,
            can_import: principal.allows(Access::Ingest),
        })
    }
}
