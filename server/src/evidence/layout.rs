//! The pack's ZIP container, checked byte for byte against the layout Plumbline writes
//! (`zip.rs`): every byte of the archive is either compared with its duplicate (local header
//! against central directory, data descriptor against both), compared with the constant the
//! writer always puts there, or compressed content (checked by CRC-32 on reading and by SHA-256
//! against SHA256SUMS). So a changed byte anywhere fails `plumbline verify-pack`, including the
//! metadata ZIP readers ignore.

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const DESCRIPTOR: u32 = 0x0807_4b50;
const END: u32 = 0x0605_4b50;
const ZIP64_END: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
/// ZIP 4.5 (ZIP64), made on Unix.
const VERSION_NEEDED: u16 = 45;
const MADE_BY: u16 = 0x0300 | VERSION_NEEDED;
/// Sizes and CRC follow the data (a data descriptor).
const FLAGS: u16 = 0x0008;
const DEFLATE: u16 = 8;
/// 1980-01-01 00:00, the DOS epoch, on every entry.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;
/// Regular file, mode 0644.
const EXTERNAL_ATTRIBUTES: u32 = 0o100_644 << 16;
const ZIP64_EXTRA: u16 = 0x0001;

struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn u16(&self, at: usize) -> Option<u16> {
        Some(u16::from_le_bytes(self.0.get(at..at + 2)?.try_into().ok()?))
    }
    fn u32(&self, at: usize) -> Option<u32> {
        Some(u32::from_le_bytes(self.0.get(at..at + 4)?.try_into().ok()?))
    }
    fn u64(&self, at: usize) -> Option<u64> {
        Some(u64::from_le_bytes(self.0.get(at..at + 8)?.try_into().ok()?))
    }
    fn slice(&self, at: usize, len: usize) -> Option<&'a [u8]> {
        self.0.get(at..at.checked_add(len)?)
    }
}

/// One entry as the central directory describes it.
struct Central<'a> {
    name: &'a [u8],
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    offset: u64,
}

/// Where the layout first departs from Plumbline's, in words naming the entry where there is one.
pub fn check(archive: &[u8]) -> Result<(), String> {
    let b = Bytes(archive);
    let (count, directory_start, directory_end) = end_records(&b)?;
    let mut entries = Vec::new();
    let mut at = directory_start;
    for index in 0..count {
        let (entry, next) = central(&b, at).ok_or_else(|| format!("central directory record {index} is altered"))?;
        entries.push(entry);
        at = next;
    }
    if at != directory_end {
        return Err("the central directory's size is altered".to_owned());
    }
    let mut position = 0u64;
    for entry in &entries {
        let name = String::from_utf8_lossy(entry.name);
        if entry.offset != position {
            return Err(format!("{name}: bytes were inserted or removed before its local header"));
        }
        position = local(&b, entry)
            .ok_or_else(|| format!("{name}: its local header or data descriptor differs from the central directory"))?;
    }
    if position != directory_start as u64 {
        return Err("bytes were inserted or removed before the central directory".to_owned());
    }
    Ok(())
}

/// The entry count and the central directory's start and end, from the end records (ZIP64 when
/// the classic record overflows), which must end the archive exactly.
fn end_records(b: &Bytes<'_>) -> Result<(u64, usize, usize), String> {
    let altered = || "the archive's end records are altered or the archive has trailing bytes".to_owned();
    let end = b.0.len().checked_sub(22).ok_or_else(altered)?;
    let fixed = (b.u32(end), b.u16(end + 4), b.u16(end + 6), b.u16(end + 20));
    if fixed != (Some(END), Some(0), Some(0), Some(0)) {
        return Err(altered());
    }
    let (on_disk, total) = (b.u16(end + 8).ok_or_else(altered)?, b.u16(end + 10).ok_or_else(altered)?);
    let (size, offset) = (b.u32(end + 12).ok_or_else(altered)?, b.u32(end + 16).ok_or_else(altered)?);
    if on_disk != total {
        return Err(altered());
    }
    if total != u16::MAX && size != u32::MAX && offset != u32::MAX {
        let (start, size) = (offset as usize, size as usize);
        return if start.checked_add(size) == Some(end) { Ok((u64::from(total), start, end)) } else { Err(altered()) };
    }
    // ZIP64 (the writer's rule: more entries or bytes than the classic record holds): the
    // locator just before the classic record, the ZIP64 record just before it, and the classic
    // record's fields saturated.
    let locator = end.checked_sub(20).ok_or_else(altered)?;
    let record = locator.checked_sub(56).ok_or_else(altered)?;
    let locator_ok = (b.u32(locator), b.u32(locator + 4), b.u64(locator + 8), b.u32(locator + 16))
        == (Some(ZIP64_LOCATOR), Some(0), Some(record as u64), Some(1));
    let record_ok = (b.u32(record), b.u64(record + 4), b.u16(record + 12), b.u16(record + 14))
        == (Some(ZIP64_END), Some(44), Some(VERSION_NEEDED), Some(VERSION_NEEDED))
        && (b.u32(record + 16), b.u32(record + 20)) == (Some(0), Some(0));
    let (on_disk, count) = (b.u64(record + 24).ok_or_else(altered)?, b.u64(record + 32).ok_or_else(altered)?);
    let (size64, start) = (b.u64(record + 40).ok_or_else(altered)?, b.u64(record + 48).ok_or_else(altered)?);
    let classic_ok = u64::from(total) == count.min(u64::from(u16::MAX))
        && size == u32::MAX
        && u64::from(offset) == start.min(u64::from(u32::MAX));
    if !(locator_ok && record_ok && classic_ok && on_disk == count) || start.checked_add(size64) != Some(record as u64)
    {
        return Err(altered());
    }
    Ok((count, usize::try_from(start).map_err(|_| altered())?, record))
}

/// A central directory record at `at` and where the next begins.
fn central<'a>(b: &Bytes<'a>, at: usize) -> Option<(Central<'a>, usize)> {
    let constants =
        (b.u32(at)?, b.u16(at + 4)?, b.u16(at + 6)?, b.u16(at + 8)?, b.u16(at + 10)?, b.u16(at + 12)?, b.u16(at + 14)?);
    if constants != (CENTRAL, MADE_BY, VERSION_NEEDED, FLAGS, DEFLATE, DOS_TIME, DOS_DATE) {
        return None;
    }
    let crc = b.u32(at + 16)?;
    let (compressed, uncompressed) = (b.u32(at + 20)?, b.u32(at + 24)?);
    let (name_len, extra_len) = (b.u16(at + 28)? as usize, b.u16(at + 30)? as usize);
    // No comment, first disk, no internal attributes, a regular file of mode 0644.
    if (b.u16(at + 32)?, b.u16(at + 34)?, b.u16(at + 36)?, b.u32(at + 38)?) != (0, 0, 0, EXTERNAL_ATTRIBUTES) {
        return None;
    }
    let offset = b.u32(at + 42)?;
    let name = b.slice(at + 46, name_len)?;
    let extra = at + 46 + name_len;
    // The ZIP64 field holds, in this order, each value too large for its 32-bit field.
    let mut fields = [(uncompressed, 0u64), (compressed, 0u64), (offset, 0u64)];
    let wide = fields.iter().filter(|(narrow, _)| *narrow == u32::MAX).count();
    if wide == 0 {
        if extra_len != 0 {
            return None;
        }
    } else {
        if extra_len != 4 + 8 * wide || b.u16(extra)? != ZIP64_EXTRA || b.u16(extra + 2)? as usize != 8 * wide {
            return None;
        }
        let mut next = extra + 4;
        for (narrow, value) in &mut fields {
            if *narrow == u32::MAX {
                *value = b.u64(next)?;
                next += 8;
            }
        }
    }
    let value = |(narrow, wide): (u32, u64)| if narrow == u32::MAX { wide } else { u64::from(narrow) };
    let entry =
        Central { name, crc, uncompressed: value(fields[0]), compressed: value(fields[1]), offset: value(fields[2]) };
    Some((entry, extra + extra_len))
}

/// Checks an entry's local header and data descriptor against its central record; returns
/// where the next entry begins.
fn local(b: &Bytes<'_>, entry: &Central<'_>) -> Option<u64> {
    let at = usize::try_from(entry.offset).ok()?;
    let header = (
        b.u32(at)?,
        b.u16(at + 4)?,
        b.u16(at + 6)?,
        b.u16(at + 8)?,
        b.u16(at + 10)?,
        b.u16(at + 12)?,
        b.u32(at + 14)?,
        b.u32(at + 18)?,
        b.u32(at + 22)?,
    );
    // Sizes and CRC are zero here: they follow the data.
    if header != (LOCAL, VERSION_NEEDED, FLAGS, DEFLATE, DOS_TIME, DOS_DATE, 0, 0, 0) {
        return None;
    }
    let (name_len, extra_len) = (b.u16(at + 26)? as usize, b.u16(at + 28)? as usize);
    if b.slice(at + 30, name_len)? != entry.name {
        return None;
    }
    // A ZIP64 field reserving both sizes, left zero.
    let extra = at + 30 + name_len;
    if extra_len != 20 || b.u16(extra)? != ZIP64_EXTRA || b.u16(extra + 2)? != 16 {
        return None;
    }
    if b.slice(extra + 4, 16)?.iter().any(|byte| *byte != 0) {
        return None;
    }
    let descriptor = (extra + extra_len).checked_add(usize::try_from(entry.compressed).ok()?)?;
    let found = (b.u32(descriptor)?, b.u32(descriptor + 4)?, b.u64(descriptor + 8)?, b.u64(descriptor + 16)?);
    if found != (DESCRIPTOR, entry.crc, entry.compressed, entry.uncompressed) {
        return None;
    }
    Some(descriptor as u64 + 24)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::zip::ZipStream;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = ZipStream::new(4);
        let mut bytes = Vec::new();
        for (name, content) in entries {
            zip.entry(name, content).expect("entry");
            bytes.extend(zip.take_output());
        }
        bytes.extend(zip.finish().expect("close"));
        bytes
    }

    #[test]
    fn what_plumbline_writes_passes_and_any_changed_byte_outside_the_data_fails() {
        let bytes = archive(&[("a.csv", b"id,name\r\n1,x\r\n"), ("empty", b""), ("dir/b.txt", &b"abc".repeat(500))]);
        check(&bytes).expect("Plumbline's own layout");
        let mut read = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("zip");
        // The compressed data's byte ranges: changes there are the CRC's and SHA-256's to catch.
        let mut data = Vec::new();
        for index in 0..read.len() {
            let entry = read.by_index_raw(index).expect("entry");
            data.push(entry.data_start().expect("start")..entry.data_start().expect("start") + entry.compressed_size());
        }
        for position in 0..bytes.len() {
            if data.iter().any(|range| range.contains(&(position as u64))) {
                continue;
            }
            let mut changed = bytes.clone();
            changed[position] ^= 0x01;
            assert!(check(&changed).is_err(), "byte {position} changed, yet the layout passes");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(check(&longer).is_err(), "a trailing byte");
        assert!(check(&bytes[1..]).is_err(), "a missing first byte");
    }
}
