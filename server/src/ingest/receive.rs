//! Receiving a file before anything is written, and the limits on files an adapter reads.
//!
//! An import holds a database transaction (and on SQLite the one writer lock) while it writes,
//! so a body must have arrived in full before the import starts: otherwise a client sending
//! slowly would hold the database for as long as the request timeout. Bodies are therefore
//! spooled first — in memory when small, else in an anonymous temporary file — and then read
//! from there at full speed.
//!
//! Adapters parse a whole file into a value tree (see the domain's adapter budget), so files
//! for them have their own, smaller size limit, and only a few are parsed at once.

use std::pin::Pin;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::IngestError;

/// Bodies up to this size stay in memory; larger ones go to a temporary file.
const IN_MEMORY_BYTES: usize = 1 << 20;
/// Bytes read from a spooled file at a time.
const READ_CHUNK: usize = 64 * 1024;
/// How long a caller refused for want of an adapter slot is asked to wait.
pub const BUSY_RETRY_AFTER_SECS: u64 = 5;

/// A stream of a received body's bytes, as the decoders read it.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// A body received in full.
pub enum Spooled {
    Memory(Bytes),
    File(tokio::fs::File),
}

impl Spooled {
    /// Receives all of `body` (at most `limit` bytes) before returning.
    pub async fn receive<B, E>(mut body: B, limit: u64) -> Result<Spooled, IngestError>
    where
        B: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let mut memory = BytesMut::new();
        let mut file: Option<tokio::fs::File> = None;
        let mut received: u64 = 0;
        let spool_error = |error: std::io::Error| IngestError::Body(format!("cannot spool the body: {error}"));
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|error| IngestError::Body(error.to_string()))?;
            received += chunk.len() as u64;
            if received > limit {
                return Err(IngestError::TooLarge { limit });
            }
            if let Some(file) = file.as_mut() {
                file.write_all(&chunk).await.map_err(spool_error)?;
                continue;
            }
            memory.extend_from_slice(&chunk);
            if memory.len() > IN_MEMORY_BYTES {
                // An anonymous file: removed by the system when closed, even after a crash.
                let std_file = tokio::task::spawn_blocking(tempfile::tempfile)
                    .await
                    .map_err(|error| IngestError::Body(format!("cannot spool the body: {error}")))?
                    .map_err(spool_error)?;
                let mut spool = tokio::fs::File::from_std(std_file);
                spool.write_all(&memory).await.map_err(spool_error)?;
                memory = BytesMut::new();
                file = Some(spool);
            }
        }
        match file {
            None => Ok(Spooled::Memory(memory.freeze())),
            Some(mut file) => {
                file.flush().await.map_err(spool_error)?;
                file.seek(std::io::SeekFrom::Start(0)).await.map_err(spool_error)?;
                Ok(Spooled::File(file))
            }
        }
    }

    /// The body's bytes from the start, read back in chunks; again each time it is asked for
    /// (an import that met a concurrent writer is tried again).
    pub async fn stream(&self) -> std::io::Result<ByteStream> {
        match self {
            Spooled::Memory(bytes) => Ok(Box::pin(futures::stream::iter([Ok(bytes.clone())]))),
            Spooled::File(file) => {
                let mut file = file.try_clone().await?;
                file.seek(std::io::SeekFrom::Start(0)).await?;
                Ok(read_chunks(file))
            }
        }
    }
}

fn read_chunks(file: tokio::fs::File) -> ByteStream {
    Box::pin(futures::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buffer = BytesMut::zeroed(READ_CHUNK);
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(read) => {
                buffer.truncate(read);
                Some((Ok(buffer.freeze()), Some(file)))
            }
            Err(error) => Some((Err(error), None)),
        }
    }))
}

/// The limits on files an adapter reads: their size, and how many are parsed at once.
#[derive(Debug, Clone)]
pub struct AdapterLimits {
    pub max_bytes: u64,
    slots: Arc<Semaphore>,
}

impl AdapterLimits {
    pub fn new(max_bytes: u64, concurrent: usize) -> Self {
        AdapterLimits { max_bytes, slots: Arc::new(Semaphore::new(concurrent.max(1))) }
    }

    /// A slot to parse one file in, or [`IngestError::Busy`] when all are taken.
    pub fn admit(&self) -> Result<OwnedSemaphorePermit, IngestError> {
        Arc::clone(&self.slots)
            .try_acquire_owned()
            .map_err(|_| IngestError::Busy { retry_after_secs: BUSY_RETRY_AFTER_SECS })
    }

    /// Refuses a file larger than the adapter limit.
    pub fn check_size(&self, bytes: u64) -> Result<(), IngestError> {
        if bytes > self.max_bytes { Err(IngestError::AdapterTooLarge { limit: self.max_bytes }) } else { Ok(()) }
    }
}

impl Default for AdapterLimits {
    /// 32 MiB files, two at a time (the README's defaults).
    fn default() -> Self {
        AdapterLimits::new(32 * 1024 * 1024, 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: Vec<Vec<u8>>) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Unpin {
        futures::stream::iter(parts.into_iter().map(|p| Ok(Bytes::from(p))))
    }

    async fn read_back(spooled: &Spooled) -> Vec<u8> {
        let mut stream = spooled.stream().await.expect("stream");
        let mut all = Vec::new();
        while let Some(chunk) = stream.next().await {
            all.extend_from_slice(&chunk.expect("read"));
        }
        all
    }

    #[tokio::test]
    async fn small_bodies_stay_in_memory_and_large_ones_are_spooled_to_a_file_unchanged() {
        let small = Spooled::receive(chunks(vec![b"a,b\n".to_vec(), b"1,2\n".to_vec()]), 100).await.expect("small");
        assert!(matches!(small, Spooled::Memory(_)));
        assert_eq!(read_back(&small).await, b"a,b\n1,2\n");
        let parts: Vec<Vec<u8>> = (0..40u8).map(|i| vec![i; 100_000]).collect();
        let whole: Vec<u8> = parts.concat();
        let large = Spooled::receive(chunks(parts), 10_000_000).await.expect("large");
        assert!(matches!(large, Spooled::File(_)));
        assert_eq!(read_back(&large).await, whole);
        assert_eq!(read_back(&large).await, whole, "read again from the start");
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_and_adapter_slots_run_out() {
        let refused = Spooled::receive(chunks(vec![vec![0; 60], vec![0; 60]]), 100).await;
        assert!(matches!(refused, Err(IngestError::TooLarge { limit: 100 })));
        let limits = AdapterLimits::new(10, 1);
        let held = limits.admit().expect("one slot");
        assert!(matches!(limits.admit(), Err(IngestError::Busy { .. })));
        drop(held);
        assert!(limits.admit().is_ok());
        assert!(matches!(limits.check_size(11), Err(IngestError::AdapterTooLarge { limit: 10 })));
    }
}
