//! The evidence pack's ZIP, written with the `zip` crate in streaming mode: entries are deflated
//! as they are written and their sizes and CRC follow the data (data descriptors), so nothing
//! needs seeking and the bytes can leave as soon as they exist. Every entry carries the same
//! fixed timestamp (1980-01-01 00:00, the DOS epoch) and mode, so the same content always gives
//! the same archive. Entries are marked ZIP64-capable up front: their sizes are not known when
//! they start.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use sha2::{Digest, Sha256};
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, DateTime, ZipWriter};

/// What the archive says about one finished entry (also what the manifest records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDigest {
    pub sha256: String,
    pub size: u64,
}

/// Collects the archive's bytes until they are taken.
#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The open entry's digest, computed over what the caller wrote.
struct OpenEntry {
    sha256: Sha256,
    size: u64,
}

pub struct ZipStream {
    /// `None` once finished.
    zip: Option<ZipWriter<StreamWriter<Sink>>>,
    sink: Sink,
    options: SimpleFileOptions,
    open: Option<OpenEntry>,
}

impl Default for ZipStream {
    fn default() -> Self {
        ZipStream::new(6)
    }
}

fn to_io(error: zip::result::ZipError) -> io::Error {
    io::Error::other(error)
}

impl ZipStream {
    /// A writer deflating at `level` (0–9).
    pub fn new(level: i64) -> Self {
        let sink = Sink::default();
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(level))
            .last_modified_time(DateTime::default())
            .unix_permissions(0o644)
            .large_file(true);
        ZipStream { zip: Some(ZipWriter::new_stream(sink.clone())), sink, options, open: None }
    }

    fn broken() -> io::Error {
        io::Error::other("zip writer used after a failure or out of order")
    }

    /// Starts an entry; the previous one must be finished.
    pub fn start_entry(&mut self, name: &str) -> io::Result<()> {
        let (Some(zip), None) = (self.zip.as_mut(), &self.open) else { return Err(Self::broken()) };
        zip.start_file(name, self.options).map_err(to_io)?;
        self.open = Some(OpenEntry { sha256: Sha256::new(), size: 0 });
        Ok(())
    }

    /// Appends to the open entry.
    pub fn write(&mut self, data: &[u8]) -> io::Result<()> {
        let (Some(zip), Some(entry)) = (self.zip.as_mut(), self.open.as_mut()) else { return Err(Self::broken()) };
        entry.sha256.update(data);
        entry.size += data.len() as u64;
        zip.write_all(data)
    }

    /// Ends the open entry, returning the SHA-256 and size of its uncompressed content. The
    /// entry's data descriptor is written when the next entry starts or the archive ends.
    pub fn finish_entry(&mut self) -> io::Result<EntryDigest> {
        let Some(entry) = self.open.take() else { return Err(Self::broken()) };
        Ok(EntryDigest { sha256: hex::encode(entry.sha256.finalize()), size: entry.size })
    }

    /// A whole entry at once.
    pub fn entry(&mut self, name: &str, content: &[u8]) -> io::Result<EntryDigest> {
        self.start_entry(name)?;
        self.write(content)?;
        self.finish_entry()
    }

    /// The bytes produced since the last call (compressed data may lag behind what was written).
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut *self.sink.0.borrow_mut())
    }

    /// Writes the central directory and returns the archive's last bytes.
    pub fn finish(mut self) -> io::Result<Vec<u8>> {
        let (Some(zip), None) = (self.zip.take(), &self.open) else { return Err(Self::broken()) };
        zip.finish().map_err(to_io)?;
        Ok(self.take_output())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = ZipStream::default();
        let mut bytes = Vec::new();
        for (name, content) in entries {
            zip.start_entry(name).expect("start");
            // In pieces, taking output in between, as the pack does.
            for piece in content.chunks(7) {
                zip.write(piece).expect("write");
                bytes.extend(zip.take_output());
            }
            zip.finish_entry().expect("finish");
            bytes.extend(zip.take_output());
        }
        bytes.extend(zip.finish().expect("close"));
        bytes
    }

    #[test]
    fn the_same_content_gives_the_same_bytes() {
        let entries: [(&str, &[u8]); 2] = [("a.txt", b"hello, world\n"), ("dir/b.csv", b"x,y\r\n1,2\r\n")];
        assert_eq!(archive(&entries), archive(&entries));
        assert_ne!(archive(&entries), archive(&entries[..1]));
    }

    #[test]
    fn the_archive_reads_back_with_its_content_and_fixed_time() {
        let bytes = archive(&[("a.txt", b"hello"), ("empty", b""), ("dir/b.csv", &b"x,y\r\n".repeat(1000))]);
        let mut read = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid archive");
        assert_eq!(read.len(), 3);
        let mut a = read.by_name("a.txt").expect("a.txt");
        assert_eq!(a.last_modified(), Some(DateTime::default()));
        assert_eq!(a.unix_mode(), Some(0o100_644));
        let mut text = String::new();
        a.read_to_string(&mut text).expect("read");
        assert_eq!(text, "hello");
        drop(a);
        assert_eq!(read.by_name("dir/b.csv").expect("b.csv").size(), 5000);
    }

    #[test]
    fn entry_digest_is_of_the_uncompressed_content() {
        let mut zip = ZipStream::default();
        let digest = zip.entry("a", b"abc").expect("entry");
        assert_eq!(digest.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(digest.size, 3);
        assert!(zip.write(b"late").is_err(), "no entry is open");
    }
}
