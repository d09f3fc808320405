//! CSV out (RFC 4180) that is safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`,
//! `@`, a tab or a carriage return is prefixed with a single quote (`'`), so spreadsheet
//! programs show it as text instead of running it as a formula (CSV injection). The original
//! value is the cell without that first quote; a cell that already starts with a quote is
//! prefixed too, so removing exactly one leading quote always recovers the value.

/// One cell, quoted when needed and neutralised against formulas.
pub fn cell(value: &str) -> String {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']);
    let text = if risky { format!("'{value}") } else { value.to_owned() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// A CSV line (with CRLF) from cells.
pub fn line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = cells.into_iter().map(cell).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_recoverable() {
        assert_eq!(cell("=HYPERLINK(\"http://evil\",\"x\")"), "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "\rx", "'quoted"] {
            let out = cell(risky);
            let unquoted = out.trim_matches('"');
            assert!(unquoted.starts_with('\''), "{risky:?} → {out:?}");
        }
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(line(["x", "y\"z"]), "x,\"y\"\"z\"\r\n");
    }
}
