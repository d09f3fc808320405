//! Push-based body decoders: bytes arrive in chunks of any size, rows come out as soon as they
//! are complete, so a request of any size is parsed in constant memory.

use serde_json::{Map, Value};

use super::{Cell, RawRow, RowError};

/// The three body formats of docs/ingestion.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    JsonArray,
    Ndjson,
    Csv,
}

impl BodyFormat {
    /// The format for a `Content-Type` header value, ignoring parameters such as `charset`.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/json" => Some(BodyFormat::JsonArray),
            "application/x-ndjson" | "application/ndjson" | "application/jsonl" => Some(BodyFormat::Ndjson),
            "text/csv" => Some(BodyFormat::Csv),
            _ => None,
        }
    }

    /// A format chosen by name (`csv`, `json`, `ndjson` or `jsonl`), or else read from a file
    /// name's extension; `None` when neither says.
    pub fn from_choice(choice: &str, file_name: &str) -> Option<Self> {
        let by_name = |text: &str| match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(BodyFormat::Csv),
            "json" => Some(BodyFormat::JsonArray),
            "ndjson" | "jsonl" => Some(BodyFormat::Ndjson),
            _ => None,
        };
        by_name(choice).or_else(|| file_name.rsplit_once('.').and_then(|(_, extension)| by_name(extension)))
    }

    pub fn name(self) -> &'static str {
        match self {
            BodyFormat::JsonArray => "json",
            BodyFormat::Ndjson => "ndjson",
            BodyFormat::Csv => "csv",
        }
    }
}

/// The body cannot be read as its declared format; `message` says where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FormatError {
    pub message: String,
}

fn format_error(message: impl Into<String>) -> FormatError {
    FormatError { message: message.into() }
}

/// One decoded row, or a problem confined to that row.
pub type DecodedRow = Result<RawRow, RowError>;

/// Largest single JSON element or NDJSON line accepted.
const MAX_RECORD_BYTES: usize = 1 << 20;
/// Most columns (CSV) or fields (a JSON object) a record may have. Every kind has fewer than
/// 30 and exports a few dozen; the bound keeps the per-row field checks cheap.
pub const MAX_COLUMNS: usize = 1000;
const BOM: &[u8] = b"\xEF\xBB\xBF";

pub enum Decoder {
    Json(JsonArrayDecoder),
    Ndjson(NdjsonDecoder),
    Csv(Box<CsvDecoder>),
}

impl Decoder {
    pub fn new(format: BodyFormat) -> Self {
        match format {
            BodyFormat::JsonArray => Decoder::Json(JsonArrayDecoder::default()),
            BodyFormat::Ndjson => Decoder::Ndjson(NdjsonDecoder::default()),
            BodyFormat::Csv => Decoder::Csv(Box::default()),
        }
    }

    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        match self {
            Decoder::Json(d) => d.push(chunk, out),
            Decoder::Ndjson(d) => d.push(chunk, out),
            Decoder::Csv(d) => d.push(chunk, out),
        }
    }

    /// Signals the end of the body.
    pub fn finish(&mut self, out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        match self {
            Decoder::Json(d) => d.finish(),
            Decoder::Ndjson(d) => d.finish(out),
            Decoder::Csv(d) => d.finish(out),
        }
    }

    /// The CSV header, once read (JSON formats have none).
    pub fn columns(&self) -> Option<&[String]> {
        match self {
            Decoder::Csv(d) => d.header.as_deref(),
            _ => None,
        }
    }
}

fn object_to_row(number: u64, object: Map<String, Value>) -> RawRow {
    RawRow { number, cells: object.into_iter().map(|(k, v)| (k, Cell::Json(v))).collect() }
}

fn parse_object(number: u64, bytes: &[u8]) -> Result<RawRow, FormatError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(object)) if object.len() > MAX_COLUMNS => {
            Err(format_error(format!("row {number}: more than {MAX_COLUMNS} fields")))
        }
        Ok(Value::Object(object)) => Ok(object_to_row(number, object)),
        Ok(_) => Err(format_error(format!("row {number}: expected a JSON object"))),
        Err(e) => Err(format_error(format!("row {number}: invalid JSON: {e}"))),
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum JsonState {
    #[default]
    Start,
    FirstValueOrEnd,
    InValue,
    CommaOrEnd,
    Value,
    Done,
}

/// Splits a top-level JSON array into its elements without holding the whole array.
#[derive(Debug, Default)]
pub struct JsonArrayDecoder {
    state: JsonState,
    depth: u32,
    in_string: bool,
    escaped: bool,
    element: Vec<u8>,
    offset: u64,
    rows: u64,
}

impl JsonArrayDecoder {
    fn push(&mut self, chunk: &[u8], out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        for &byte in chunk {
            self.offset += 1;
            self.step(byte, out)?;
        }
        Ok(())
    }

    fn step(&mut self, byte: u8, out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        let at = self.offset;
        let whitespace = matches!(byte, b' ' | b'\t' | b'\r' | b'\n');
        match self.state {
            JsonState::Start if whitespace || (at <= 3 && BOM.get(at as usize - 1) == Some(&byte)) => {}
            JsonState::Start if byte == b'[' => self.state = JsonState::FirstValueOrEnd,
            JsonState::Start => {
                return Err(format_error(format!("byte {at}: expected a JSON array of objects starting with '['")));
            }
            JsonState::FirstValueOrEnd | JsonState::Value | JsonState::CommaOrEnd | JsonState::Done if whitespace => {}
            JsonState::FirstValueOrEnd if byte == b']' => self.state = JsonState::Done,
            JsonState::FirstValueOrEnd | JsonState::Value if byte == b'{' => {
                self.element.clear();
                self.element.push(byte);
                self.depth = 1;
                self.in_string = false;
                self.escaped = false;
                self.state = JsonState::InValue;
            }
            JsonState::FirstValueOrEnd | JsonState::Value => {
                let row = self.rows + 1;
                return Err(format_error(format!("byte {at}: row {row} must be a JSON object")));
            }
            JsonState::InValue => {
                self.element.push(byte);
                if self.element.len() > MAX_RECORD_BYTES {
                    let row = self.rows + 1;
                    return Err(format_error(format!("row {row} is larger than {MAX_RECORD_BYTES} bytes")));
                }
                if self.in_string {
                    if self.escaped {
                        self.escaped = false;
                    } else if byte == b'\\' {
                        self.escaped = true;
                    } else if byte == b'"' {
                        self.in_string = false;
                    }
                } else {
                    match byte {
                        b'"' => self.in_string = true,
                        b'{' | b'[' => self.depth += 1,
                        b'}' | b']' => {
                            self.depth -= 1;
                            if self.depth == 0 {
                                self.rows += 1;
                                out.push(Ok(parse_object(self.rows, &self.element)?));
                                self.state = JsonState::CommaOrEnd;
                            }
                        }
                        _ => {}
                    }
                }
            }
            JsonState::CommaOrEnd if byte == b',' => self.state = JsonState::Value,
            JsonState::CommaOrEnd if byte == b']' => self.state = JsonState::Done,
            JsonState::CommaOrEnd => {
                return Err(format_error(format!("byte {at}: expected ',' or ']' after row {}", self.rows)));
            }
            JsonState::Done => return Err(format_error(format!("byte {at}: unexpected data after the closing ']'"))),
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), FormatError> {
        match self.state {
            JsonState::Done => Ok(()),
            JsonState::Start => Err(format_error("empty body: expected a JSON array")),
            _ => Err(format_error(format!(
                "byte {}: the body ended before the JSON array was closed (after row {})",
                self.offset, self.rows
            ))),
        }
    }
}

/// One JSON object per line; blank lines are skipped.
#[derive(Debug, Default)]
pub struct NdjsonDecoder {
    line: Vec<u8>,
    line_number: u64,
    rows: u64,
}

impl NdjsonDecoder {
    fn push(&mut self, chunk: &[u8], out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        let mut rest = chunk;
        while let Some(newline) = rest.iter().position(|b| *b == b'\n') {
            self.line.extend_from_slice(&rest[..newline]);
            rest = &rest[newline + 1..];
            self.end_line(out)?;
        }
        self.line.extend_from_slice(rest);
        if self.line.len() > MAX_RECORD_BYTES {
            return Err(format_error(format!("line {} is longer than {MAX_RECORD_BYTES} bytes", self.line_number + 1)));
        }
        Ok(())
    }

    fn end_line(&mut self, out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        self.line_number += 1;
        let mut line = std::mem::take(&mut self.line);
        if self.line_number == 1 && line.starts_with(BOM) {
            line.drain(..BOM.len());
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        self.rows += 1;
        let row = parse_object(self.rows, &line)
            .map_err(|e| format_error(format!("line {}: {}", self.line_number, e.message)))?;
        out.push(Ok(row));
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        if !self.line.is_empty() {
            self.end_line(out)?;
        }
        if self.line_number == 0 {
            return Err(format_error("empty body: expected one JSON object per line"));
        }
        Ok(())
    }
}

/// RFC 4180 CSV with a header row; UTF-8 with or without a BOM.
pub struct CsvDecoder {
    reader: csv_core::Reader,
    field_bytes: Vec<u8>,
    field_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    start: Vec<u8>,
    started: bool,
    header: Option<Vec<String>>,
    rows: u64,
}

impl Default for CsvDecoder {
    fn default() -> Self {
        CsvDecoder {
            reader: csv_core::Reader::new(),
            field_bytes: vec![0; 4096],
            field_len: 0,
            ends: vec![0; 32],
            ends_len: 0,
            start: Vec::new(),
            started: false,
            header: None,
            rows: 0,
        }
    }
}

impl CsvDecoder {
    fn push(&mut self, chunk: &[u8], out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        if self.started {
            return self.feed(chunk, out);
        }
        // Hold the first bytes back until we know whether they are a byte-order mark.
        self.start.extend_from_slice(chunk);
        if self.start.len() < BOM.len() {
            return Ok(());
        }
        self.begin(out)
    }

    fn begin(&mut self, out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        self.started = true;
        let start = std::mem::take(&mut self.start);
        let body = start.strip_prefix(BOM).unwrap_or(&start);
        self.feed(body, out)
    }

    fn feed(&mut self, mut input: &[u8], out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        while !input.is_empty() {
            let consumed = self.read_one(input, out)?;
            input = &input[consumed..];
        }
        Ok(())
    }

    /// Runs the CSV reader once; returns how much input it consumed.
    fn read_one(&mut self, input: &[u8], out: &mut Vec<DecodedRow>) -> Result<usize, FormatError> {
        let (result, read, written, ended) =
            self.reader.read_record(input, &mut self.field_bytes[self.field_len..], &mut self.ends[self.ends_len..]);
        self.field_len += written;
        self.ends_len += ended;
        match result {
            csv_core::ReadRecordResult::OutputFull => {
                if self.field_bytes.len() >= MAX_RECORD_BYTES {
                    let row = self.rows + 1;
                    return Err(format_error(format!("row {row} is larger than {MAX_RECORD_BYTES} bytes")));
                }
                let doubled = self.field_bytes.len() * 2;
                self.field_bytes.resize(doubled, 0);
            }
            csv_core::ReadRecordResult::OutputEndsFull => self.more_columns()?,
            csv_core::ReadRecordResult::Record => self.take_record(out)?,
            csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => {}
        }
        Ok(read)
    }

    /// Room for more fields in the record being read, up to [`MAX_COLUMNS`].
    fn more_columns(&mut self) -> Result<(), FormatError> {
        if self.ends.len() >= MAX_COLUMNS {
            let at = if self.header.is_some() { format!("row {}", self.rows + 1) } else { "header".into() };
            return Err(format_error(format!("{at}: more than {MAX_COLUMNS} columns")));
        }
        let doubled = (self.ends.len() * 2).min(MAX_COLUMNS);
        self.ends.resize(doubled, 0);
        Ok(())
    }

    fn take_record(&mut self, out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        let mut fields = Vec::with_capacity(self.ends_len);
        let mut previous = 0;
        for &end in &self.ends[..self.ends_len] {
            let bytes = &self.field_bytes[previous..end];
            previous = end;
            match std::str::from_utf8(bytes) {
                Ok(text) => fields.push(text.to_owned()),
                Err(_) => {
                    let at = if self.header.is_some() { format!("row {}", self.rows + 1) } else { "header".into() };
                    return Err(format_error(format!("{at}: not valid UTF-8")));
                }
            }
        }
        self.field_len = 0;
        self.ends_len = 0;
        let Some(header) = &self.header else {
            let header: Vec<String> = fields.into_iter().map(|f| f.trim().to_owned()).collect();
            let mut seen = std::collections::HashSet::with_capacity(header.len());
            for (i, name) in header.iter().enumerate() {
                if name.is_empty() {
                    return Err(format_error(format!("header: column {} has no name", i + 1)));
                }
                if !seen.insert(name.as_str()) {
                    return Err(format_error(format!("header: column '{name}' appears twice")));
                }
            }
            self.header = Some(header);
            return Ok(());
        };
        self.rows += 1;
        if fields.len() != header.len() {
            out.push(Err(RowError {
                row: Some(self.rows),
                field: None,
                message: format!("has {} fields, the header has {}", fields.len(), header.len()),
            }));
            return Ok(());
        }
        let cells = header.iter().cloned().zip(fields.into_iter().map(Cell::Text)).collect();
        out.push(Ok(RawRow { number: self.rows, cells }));
        Ok(())
    }

    fn finish(&mut self, out: &mut Vec<DecodedRow>) -> Result<(), FormatError> {
        if !self.started {
            self.begin(out)?;
        }
        loop {
            let (result, _, written, ended) =
                self.reader.read_record(&[], &mut self.field_bytes[self.field_len..], &mut self.ends[self.ends_len..]);
            self.field_len += written;
            self.ends_len += ended;
            match result {
                csv_core::ReadRecordResult::Record => self.take_record(out)?,
                csv_core::ReadRecordResult::OutputFull => {
                    let doubled = self.field_bytes.len() * 2;
                    self.field_bytes.resize(doubled, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => self.more_columns()?,
                csv_core::ReadRecordResult::End | csv_core::ReadRecordResult::InputEmpty => break,
            }
        }
        if self.header.is_none() {
            return Err(format_error("empty body: expected a CSV header row"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode_in_chunks(format: BodyFormat, body: &[u8], chunk: usize) -> Result<Vec<DecodedRow>, FormatError> {
        let mut decoder = Decoder::new(format);
        let mut out = Vec::new();
        for piece in body.chunks(chunk.max(1)) {
            decoder.push(piece, &mut out)?;
        }
        decoder.finish(&mut out)?;
        Ok(out)
    }

    fn ok_rows(rows: Vec<DecodedRow>) -> Vec<RawRow> {
        rows.into_iter().map(|r| r.expect("row")).collect()
    }

    #[test]
    fn json_array_elements_come_out_in_order_with_row_numbers() {
        let body = br#" [ {"slug":"a","name":"x]}"} , {"slug":"b","name":"q\"{"} ] "#;
        let rows = ok_rows(decode_in_chunks(BodyFormat::JsonArray, body, 1).expect("valid"));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].number, 2);
        let name = rows[1].cells.iter().find(|(k, _)| k == "name").map(|(_, v)| v.clone());
        assert_eq!(name, Some(Cell::Json(Value::String("q\"{".into()))));
    }

    #[test]
    fn json_errors_say_where() {
        let err = decode_in_chunks(BodyFormat::JsonArray, br#"[{"a":1},]"#, 4).expect_err("trailing comma");
        assert!(err.message.contains("row 2 must be a JSON object"), "{}", err.message);
        let err = decode_in_chunks(BodyFormat::JsonArray, br#"[{"a":1}"#, 4).expect_err("unclosed");
        assert!(err.message.contains("ended before"), "{}", err.message);
        let err = decode_in_chunks(BodyFormat::JsonArray, br#"{"a":1}"#, 4).expect_err("not an array");
        assert!(err.message.contains("byte 1"), "{}", err.message);
    }

    #[test]
    fn ndjson_skips_blank_lines_and_counts_rows() {
        let body = b"{\"a\":1}\r\n\n{\"a\":2}";
        let rows = ok_rows(decode_in_chunks(BodyFormat::Ndjson, body, 3).expect("valid"));
        assert_eq!(rows.iter().map(|r| r.number).collect::<Vec<_>>(), vec![1, 2]);
        let err = decode_in_chunks(BodyFormat::Ndjson, b"{\"a\":1}\n{oops}\n", 5).expect_err("bad line");
        assert!(err.message.starts_with("line 2:"), "{}", err.message);
    }

    #[test]
    fn csv_handles_bom_quotes_newlines_and_ragged_rows() {
        let body = "\u{feff}slug,name\r\na,\"multi\nline, \"\"quoted\"\"\"\r\nb\r\n".as_bytes();
        let rows = decode_in_chunks(BodyFormat::Csv, body, 2).expect("valid");
        let first = rows[0].as_ref().expect("first row");
        assert_eq!(first.cells[0].0, "slug");
        assert_eq!(first.cells[1].1, Cell::Text("multi\nline, \"quoted\"".into()));
        let second = rows[1].as_ref().expect_err("ragged");
        assert_eq!(second.row, Some(2));
    }

    #[test]
    fn csv_header_must_have_unique_names() {
        let err = decode_in_chunks(BodyFormat::Csv, b"a,b,a\n1,2,3\n", 64).expect_err("duplicate");
        assert!(err.message.contains("appears twice"));
        assert!(decode_in_chunks(BodyFormat::Csv, b"", 64).is_err());
    }

    #[test]
    fn records_with_too_many_columns_are_refused() {
        let wide = |n: usize| (0..n).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
        let header = format!("{}\n", wide(MAX_COLUMNS + 1));
        let err = decode_in_chunks(BodyFormat::Csv, header.as_bytes(), 4096).expect_err("too wide");
        assert!(err.message.contains("header: more than 1000 columns"), "{}", err.message);
        let row = format!("a\n{}\n", wide(MAX_COLUMNS + 1));
        let err = decode_in_chunks(BodyFormat::Csv, row.as_bytes(), 4096).expect_err("too wide");
        assert!(err.message.contains("row 1: more than 1000 columns"), "{}", err.message);
        let fits = format!("{}\n{}\n", wide(MAX_COLUMNS), wide(MAX_COLUMNS));
        assert_eq!(ok_rows(decode_in_chunks(BodyFormat::Csv, fits.as_bytes(), 4096).expect("fits")).len(), 1);
        let fields: Vec<String> = (0..=MAX_COLUMNS).map(|i| format!("\"f{i}\": 1")).collect();
        let object = format!("[{{{}}}]", fields.join(","));
        let err = decode_in_chunks(BodyFormat::JsonArray, object.as_bytes(), 4096).expect_err("too many fields");
        assert!(err.message.contains("more than 1000 fields"), "{}", err.message);
    }

    #[test]
    fn content_types_map_to_formats() {
        assert_eq!(BodyFormat::from_content_type("text/csv; charset=utf-8"), Some(BodyFormat::Csv));
        assert_eq!(BodyFormat::from_content_type("application/x-ndjson"), Some(BodyFormat::Ndjson));
        assert_eq!(BodyFormat::from_content_type("text/plain"), None);
    }

    proptest! {
        #[test]
        fn chunk_boundaries_never_change_the_result(chunk in 1usize..40, names in proptest::collection::vec("[a-z\",\n ]{0,12}", 1..8)) {
            let mut csv = String::from("slug,name\n");
            let mut json = Vec::new();
            for (i, name) in names.iter().enumerate() {
                csv.push_str(&format!("s{i},\"{}\"\n", name.replace('"', "\"\"")));
                json.push(serde_json::json!({"slug": format!("s{i}"), "name": name}));
            }
            let json = serde_json::to_vec(&json).expect("serialise");
            for (format, body) in [(BodyFormat::Csv, csv.as_bytes()), (BodyFormat::JsonArray, &json[..])] {
                let whole = decode_in_chunks(format, body, body.len()).expect("whole");
                let pieces = decode_in_chunks(format, body, chunk).expect("pieces");
                prop_assert_eq!(&whole, &pieces);
                prop_assert_eq!(whole.len(), names.len());
            }
        }
    }

    #[test]
    fn a_format_is_chosen_by_name_or_by_the_files_extension() {
        assert_eq!(BodyFormat::from_choice("ndjson", "x.csv"), Some(BodyFormat::Ndjson));
        assert_eq!(BodyFormat::from_choice("", "Incidents.CSV"), Some(BodyFormat::Csv));
        assert_eq!(BodyFormat::from_choice("auto", "dump.jsonl"), Some(BodyFormat::Ndjson));
        assert_eq!(BodyFormat::from_choice("", "data.json"), Some(BodyFormat::JsonArray));
        assert_eq!(BodyFormat::from_choice("", "notes.txt"), None);
        assert_eq!(BodyFormat::from_choice("", "no-extension"), None);
    }
}
