//! The pack's writer: rows are formatted on the async side that reads the database, while
//! compressing, hashing and sending run on a blocking thread of their own ([`compressor`]), so
//! the two overlap on separate cores.

use bytes::Bytes;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::sample::Reservoir;
use super::zip::{EntryDigest, ZipStream};
use super::{ChunkSender, EvidenceError};
use crate::csv;

/// One file of the pack, as the manifest lists it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct FileRecord {
    pub path: String,
    /// Data rows (CSV files; the header is not counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    pub sha256: String,
    pub bytes: u64,
    pub description: String,
    pub selection: String,
}

struct OpenCsv {
    path: String,
    rows: u64,
    sampler: Option<Reservoir>,
}

/// Deflate level of the pack's entries: 4 costs about half of zip's default 6 in CPU for CSV
/// that ends up a few percent larger; the pack is a download, its bytes matter less than the
/// auditor's wait.
const PACK_COMPRESSION: u32 = 4;

/// Uncompressed bytes gathered before they go to the compressor.
const BATCH_BYTES: usize = 256 * 1024;

/// The pack being written. Rows are formatted here, on the async side that reads the database;
/// compressing, hashing and sending run on a thread of their own ([`compressor`]), so the two
/// overlap.
pub(super) struct PackWriter {
    jobs: mpsc::Sender<Job>,
    buffer: Vec<u8>,
    pub files: Vec<FileRecord>,
    open: Option<OpenCsv>,
}

impl PackWriter {
    /// A writer whose compressor sends the archive's bytes to `out`.
    pub(super) fn start(out: &ChunkSender) -> (PackWriter, JoinHandle<()>) {
        let (jobs, queue) = mpsc::channel(8);
        let output = out.clone();
        let compressing = tokio::task::spawn_blocking(move || compressor(queue, output));
        (PackWriter { jobs, buffer: Vec::with_capacity(BATCH_BYTES), files: Vec::new(), open: None }, compressing)
    }

    /// Rows written to the open CSV file so far.
    pub(super) fn open_rows(&self) -> u64 {
        self.open.as_ref().map_or(0, |open| open.rows)
    }

    /// Starts a CSV file with its header.
    pub(super) async fn begin_csv(
        &mut self,
        path: &str,
        columns: &[&str],
        sampler: Option<Reservoir>,
    ) -> Result<(), EvidenceError> {
        self.send(Job::Start(path.to_owned())).await?;
        self.buffer.extend_from_slice(csv::line(columns.iter().copied()).as_bytes());
        self.open = Some(OpenCsv { path: path.to_owned(), rows: 0, sampler });
        Ok(())
    }

    /// One data row of the open CSV file.
    pub(super) fn row(&mut self, line: csv::Line) {
        let line = line.finish();
        self.buffer.extend_from_slice(line.as_bytes());
        if let Some(open) = &mut self.open {
            open.rows += 1;
            if let Some(sampler) = &mut open.sampler {
                sampler.offer(&line);
            }
        }
    }

    /// Hands what has been formatted to the compressor (called after each page of rows).
    pub(super) async fn flush(&mut self) -> Result<(), EvidenceError> {
        if self.buffer.len() < BATCH_BYTES {
            return Ok(());
        }
        self.send_buffer().await
    }

    async fn send_buffer(&mut self) -> Result<(), EvidenceError> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let data = std::mem::replace(&mut self.buffer, Vec::with_capacity(BATCH_BYTES + 64 * 1024));
        self.send(Job::Data(data)).await
    }

    async fn send(&self, job: Job) -> Result<(), EvidenceError> {
        // The compressor stops only when the reader went away.
        self.jobs.send(job).await.map_err(|_| EvidenceError::Cancelled)
    }

    /// Ends the entry being written, once the compressor has caught up.
    async fn finish_entry(&mut self) -> Result<EntryDigest, EvidenceError> {
        self.send_buffer().await?;
        let (reply, digest) = oneshot::channel();
        self.send(Job::Finish(reply)).await?;
        digest.await.map_err(|_| EvidenceError::Cancelled)?.map_err(compressor_error)
    }

    /// Ends the open CSV file, returning its sampler.
    pub(super) async fn end_csv(
        &mut self,
        description: &str,
        selection: &str,
    ) -> Result<Option<Reservoir>, EvidenceError> {
        let digest = self.finish_entry().await?;
        let open = self.open.take().ok_or_else(|| std::io::Error::other("no CSV file is open"))?;
        self.files.push(FileRecord {
            path: open.path,
            rows: Some(open.rows),
            sha256: digest.sha256,
            bytes: digest.size,
            description: description.to_owned(),
            selection: selection.to_owned(),
        });
        Ok(open.sampler)
    }

    /// A whole file at once; listed in the manifest when `listing` is given.
    pub(super) async fn whole_file(
        &mut self,
        path: &str,
        content: Vec<u8>,
        listing: Option<Listing<'_>>,
    ) -> Result<EntryDigest, EvidenceError> {
        self.send(Job::Start(path.to_owned())).await?;
        self.buffer = content;
        let digest = self.finish_entry().await?;
        if let Some(Listing { rows, description, selection }) = listing {
            self.files.push(FileRecord {
                path: path.to_owned(),
                rows,
                sha256: digest.sha256.clone(),
                bytes: digest.size,
                description: description.to_owned(),
                selection: selection.to_owned(),
            });
        }
        Ok(digest)
    }

    /// Ends the archive: its last bytes (not yet sent), the SHA-256 of all of it and its size.
    pub(super) async fn close(self) -> Result<(Vec<u8>, String, u64), EvidenceError> {
        let (reply, closed) = oneshot::channel();
        self.send(Job::Close(reply)).await?;
        closed.await.map_err(|_| EvidenceError::Cancelled)?.map_err(compressor_error)
    }
}

/// How a file is described in the manifest.
pub(super) struct Listing<'a> {
    pub rows: Option<u64>,
    pub description: &'a str,
    pub selection: &'a str,
}

fn compressor_error(error: std::io::Error) -> EvidenceError {
    if error.kind() == std::io::ErrorKind::BrokenPipe { EvidenceError::Cancelled } else { EvidenceError::Io(error) }
}

enum Job {
    Start(String),
    Data(Vec<u8>),
    Finish(oneshot::Sender<std::io::Result<EntryDigest>>),
    Close(oneshot::Sender<std::io::Result<(Vec<u8>, String, u64)>>),
}

/// Runs on a blocking thread: compresses, hashes the archive and sends its bytes to `out`. A
/// failure is kept and reported at the next `Finish` or `Close`.
fn compressor(mut jobs: mpsc::Receiver<Job>, out: ChunkSender) {
    let mut zip = ZipStream::new(i64::from(PACK_COMPRESSION));
    let mut pack = Sha256::new();
    let mut bytes = 0u64;
    let mut failure: Option<std::io::Error> = None;
    while let Some(job) = jobs.blocking_recv() {
        let step = match job {
            Job::Start(name) => zip.start_entry(&name),
            Job::Data(data) => zip.write(&data),
            Job::Finish(reply) => {
                let result = match failure.take() {
                    Some(error) => Err(error),
                    None => zip.finish_entry(),
                };
                let _ = reply.send(result);
                Ok(())
            }
            Job::Close(reply) => {
                let result = match failure.take() {
                    Some(error) => Err(error),
                    None => std::mem::take(&mut zip).finish().map(|last| {
                        pack.update(&last);
                        let total = bytes + last.len() as u64;
                        (last, hex::encode(std::mem::take(&mut pack).finalize()), total)
                    }),
                };
                let _ = reply.send(result);
                return;
            }
        };
        if let Err(error) = step {
            failure.get_or_insert(error);
        }
        let output = zip.take_output();
        if output.is_empty() {
            continue;
        }
        pack.update(&output);
        bytes += output.len() as u64;
        if out.blocking_send(Ok(Bytes::from(output))).is_err() {
            // The reader went away: stop, which fails the builder's next send.
            return;
        }
    }
}
