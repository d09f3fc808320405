//! A ZIP writer that streams: entries are deflated as they are written and their sizes and CRC
//! follow the data (data descriptors), so nothing needs seeking and the bytes can leave as soon
//! as they exist. Every entry carries the same fixed timestamp (1980-01-01 00:00, the DOS
//! epoch) so the same content always gives the same archive. ZIP64 records are added only when
//! a size, offset or count outgrows the classic fields.

use std::io::{self, Write};

use flate2::Compression;
use flate2::write::DeflateEncoder;
use sha2::{Digest, Sha256};

const LOCAL_HEADER: u32 = 0x0403_4b50;
const DATA_DESCRIPTOR: u32 = 0x0807_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const ZIP64_END: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const END_OF_CENTRAL: u32 = 0x0605_4b50;
/// Bit 3: sizes and CRC follow the data; bit 11: names are UTF-8.
const FLAGS: u16 = 0x0808;
const DEFLATE: u16 = 8;
/// 1980-01-01 00:00:00 in MS-DOS date and time.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;
/// Regular file, rw-r--r--, in the high half of the external attributes (made by Unix).
const UNIX_FILE_MODE: u32 = 0o100_644 << 16;
const MADE_BY_UNIX: u16 = 3 << 8;
const LIMIT32: u64 = 0xFFFF_FFFF;

/// What the archive says about one finished entry (also what the manifest records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDigest {
    pub sha256: String,
    pub size: u64,
}

struct CentralEntry {
    name: String,
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    offset: u64,
}

/// Collects output bytes until they are taken, counting everything ever written.
#[derive(Default)]
struct Output {
    buffer: Vec<u8>,
    written: u64,
}

impl Write for Output {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(data);
        self.written += data.len() as u64;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct OpenEntry {
    name: String,
    offset: u64,
    data_start: u64,
    crc: crc32fast::Hasher,
    sha256: Sha256,
    uncompressed: u64,
    encoder: DeflateEncoder<Output>,
}

enum State {
    Idle(Output),
    Writing(Box<OpenEntry>),
    /// Only while switching states, or after an encoder failed.
    Broken,
}

pub struct ZipStream {
    state: State,
    entries: Vec<CentralEntry>,
    level: Compression,
}

impl Default for ZipStream {
    fn default() -> Self {
        ZipStream::new(Compression::default())
    }
}

impl ZipStream {
    pub fn new(level: Compression) -> Self {
        ZipStream { state: State::Idle(Output::default()), entries: Vec::new(), level }
    }

    fn broken() -> io::Error {
        io::Error::other("zip writer used after a failure or out of order")
    }

    /// Starts an entry; the previous one must be finished.
    pub fn start_entry(&mut self, name: &str) -> io::Result<()> {
        let State::Idle(mut out) = std::mem::replace(&mut self.state, State::Broken) else {
            return Err(Self::broken());
        };
        let offset = out.written;
        let name_len = u16::try_from(name.len()).map_err(|_| io::Error::other("entry name too long"))?;
        let mut header = Vec::with_capacity(30 + name.len());
        put32(&mut header, LOCAL_HEADER);
        put16(&mut header, 45); // version needed: ZIP64-capable descriptors
        put16(&mut header, FLAGS);
        put16(&mut header, DEFLATE);
        put16(&mut header, DOS_TIME);
        put16(&mut header, DOS_DATE);
        put32(&mut header, 0); // CRC, sizes: in the data descriptor
        put32(&mut header, 0);
        put32(&mut header, 0);
        put16(&mut header, name_len);
        put16(&mut header, 0);
        header.extend_from_slice(name.as_bytes());
        out.write_all(&header)?;
        let data_start = out.written;
        self.state = State::Writing(Box::new(OpenEntry {
            name: name.to_owned(),
            offset,
            data_start,
            crc: crc32fast::Hasher::new(),
            sha256: Sha256::new(),
            uncompressed: 0,
            encoder: DeflateEncoder::new(out, self.level),
        }));
        Ok(())
    }

    /// Appends to the open entry.
    pub fn write(&mut self, data: &[u8]) -> io::Result<()> {
        let State::Writing(entry) = &mut self.state else {
            return Err(Self::broken());
        };
        entry.crc.update(data);
        entry.sha256.update(data);
        entry.uncompressed += data.len() as u64;
        entry.encoder.write_all(data)
    }

    /// Ends the open entry, returning the SHA-256 and size of its uncompressed content.
    pub fn finish_entry(&mut self) -> io::Result<EntryDigest> {
        let State::Writing(entry) = std::mem::replace(&mut self.state, State::Broken) else {
            return Err(Self::broken());
        };
        let OpenEntry { name, offset, data_start, crc, sha256, uncompressed, encoder } = *entry;
        let mut out = encoder.finish()?;
        let compressed = out.written - data_start;
        let crc = crc.finalize();
        let mut descriptor = Vec::with_capacity(24);
        put32(&mut descriptor, DATA_DESCRIPTOR);
        put32(&mut descriptor, crc);
        if compressed >= LIMIT32 || uncompressed >= LIMIT32 {
            put64(&mut descriptor, compressed);
            put64(&mut descriptor, uncompressed);
        } else {
            put32(&mut descriptor, compressed as u32);
            put32(&mut descriptor, uncompressed as u32);
        }
        out.write_all(&descriptor)?;
        self.entries.push(CentralEntry { name, crc, compressed, uncompressed, offset });
        self.state = State::Idle(out);
        Ok(EntryDigest { sha256: hex::encode(sha256.finalize()), size: uncompressed })
    }

    /// A whole entry at once.
    pub fn entry(&mut self, name: &str, content: &[u8]) -> io::Result<EntryDigest> {
        self.start_entry(name)?;
        self.write(content)?;
        self.finish_entry()
    }

    /// The bytes produced since the last call (compressed data may lag behind what was written).
    pub fn take_output(&mut self) -> Vec<u8> {
        match &mut self.state {
            State::Idle(out) => std::mem::take(&mut out.buffer),
            State::Writing(entry) => std::mem::take(&mut entry.encoder.get_mut().buffer),
            State::Broken => Vec::new(),
        }
    }

    /// Writes the central directory and returns the archive's last bytes.
    pub fn finish(mut self) -> io::Result<Vec<u8>> {
        let State::Idle(mut out) = std::mem::replace(&mut self.state, State::Broken) else {
            return Err(Self::broken());
        };
        let directory_start = out.written;
        for entry in &self.entries {
            out.write_all(&central_header(entry)?)?;
        }
        let directory_size = out.written - directory_start;
        let count = self.entries.len() as u64;
        let needs_zip64 = count >= 0xFFFF || directory_start >= LIMIT32 || directory_size >= LIMIT32;
        let mut tail = Vec::with_capacity(98);
        if needs_zip64 {
            let zip64_end = out.written;
            put32(&mut tail, ZIP64_END);
            put64(&mut tail, 44); // size of the rest of this record
            put16(&mut tail, MADE_BY_UNIX | 45);
            put16(&mut tail, 45);
            put32(&mut tail, 0); // this disk
            put32(&mut tail, 0); // disk with the directory
            put64(&mut tail, count);
            put64(&mut tail, count);
            put64(&mut tail, directory_size);
            put64(&mut tail, directory_start);
            put32(&mut tail, ZIP64_LOCATOR);
            put32(&mut tail, 0);
            put64(&mut tail, zip64_end);
            put32(&mut tail, 1); // disks
        }
        put32(&mut tail, END_OF_CENTRAL);
        put16(&mut tail, 0);
        put16(&mut tail, 0);
        let short_count = if needs_zip64 { 0xFFFF } else { count as u16 };
        put16(&mut tail, short_count);
        put16(&mut tail, short_count);
        put32(&mut tail, clamp32(directory_size, needs_zip64));
        put32(&mut tail, clamp32(directory_start, needs_zip64));
        put16(&mut tail, 0); // comment length
        out.write_all(&tail)?;
        Ok(out.buffer)
    }
}

fn clamp32(value: u64, zip64: bool) -> u32 {
    if zip64 || value >= LIMIT32 { u32::MAX } else { value as u32 }
}

fn central_header(entry: &CentralEntry) -> io::Result<Vec<u8>> {
    // ZIP64 extra field: the values that do not fit, in this order.
    let mut extra = Vec::new();
    for value in [entry.uncompressed, entry.compressed, entry.offset] {
        if value >= LIMIT32 {
            put64(&mut extra, value);
        }
    }
    let mut zip64 = Vec::new();
    if !extra.is_empty() {
        put16(&mut zip64, 0x0001);
        put16(&mut zip64, extra.len() as u16);
        zip64.extend_from_slice(&extra);
    }
    let name_len = u16::try_from(entry.name.len()).map_err(|_| io::Error::other("entry name too long"))?;
    let mut header = Vec::with_capacity(46 + entry.name.len() + zip64.len());
    put32(&mut header, CENTRAL_HEADER);
    put16(&mut header, MADE_BY_UNIX | 45);
    put16(&mut header, 45);
    put16(&mut header, FLAGS);
    put16(&mut header, DEFLATE);
    put16(&mut header, DOS_TIME);
    put16(&mut header, DOS_DATE);
    put32(&mut header, entry.crc);
    put32(&mut header, clamp32(entry.compressed, false));
    put32(&mut header, clamp32(entry.uncompressed, false));
    put16(&mut header, name_len);
    put16(&mut header, zip64.len() as u16);
    put16(&mut header, 0); // comment length
    put16(&mut header, 0); // disk number
    put16(&mut header, 0); // internal attributes
    put32(&mut header, UNIX_FILE_MODE);
    put32(&mut header, clamp32(entry.offset, false));
    header.extend_from_slice(entry.name.as_bytes());
    header.extend_from_slice(&zip64);
    Ok(header)
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
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
    fn structure_is_well_formed() {
        let bytes = archive(&[("a.txt", b"hello"), ("empty", b"")]);
        assert_eq!(&bytes[..4], &LOCAL_HEADER.to_le_bytes());
        let end = bytes.len() - 22;
        assert_eq!(&bytes[end..end + 4], &END_OF_CENTRAL.to_le_bytes());
        let count = u16::from_le_bytes([bytes[end + 10], bytes[end + 11]]);
        assert_eq!(count, 2);
        let directory_start = u32::from_le_bytes(bytes[end + 16..end + 20].try_into().expect("4 bytes")) as usize;
        assert_eq!(&bytes[directory_start..directory_start + 4], &CENTRAL_HEADER.to_le_bytes());
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
