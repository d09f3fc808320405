//! CSV out (RFC 4180) that is safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`,
//! `@`, a tab or a carriage return is prefixed with a single quote (`'`), so spreadsheet
//! programs show it as text instead of running it as a formula (CSV injection). The original
//! value is the cell without that first quote; a cell that already starts with a quote is
//! prefixed too, so removing exactly one leading quote always recovers the value.

/// One cell, quoted when needed and neutralised against formulas.
pub fn cell(value: &str) -> String {
    let mut line = Line::new();
    line.push(value);
    line.text
}

/// Builds one CSV line cell by cell, without a string per cell.
#[derive(Debug, Default)]
pub struct Line {
    text: String,
    cells: usize,
}

impl Line {
    pub fn new() -> Self {
        Line::default()
    }

    /// The next cell (formula-safe, quoted when needed).
    pub fn push(&mut self, value: &str) -> &mut Self {
        if self.cells > 0 {
            self.text.push(',');
        }
        self.cells += 1;
        let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']);
        let quoted = value.contains([',', '"', '\n', '\r']);
        if quoted {
            self.text.push('"');
        }
        if risky {
            self.text.push('\'');
        }
        if quoted {
            self.text.push_str(&value.replace('"', "\"\""));
            self.text.push('"');
        } else {
            self.text.push_str(value);
        }
        self
    }

    /// A number with `decimals` places, written as is: a formatted float is digits, a point and
    /// at most a leading minus, never a formula, so a negative value stays a number. Not finite:
    /// an empty cell.
    pub fn number(&mut self, value: f64, decimals: usize) -> &mut Self {
        if !value.is_finite() {
            return self.push("");
        }
        if self.cells > 0 {
            self.text.push(',');
        }
        self.cells += 1;
        self.text.push_str(&format!("{value:.decimals$}"));
        self
    }

    /// A cell that is empty for `None`.
    pub fn opt(&mut self, value: Option<&str>) -> &mut Self {
        self.push(value.unwrap_or(""))
    }

    /// The line, ended with CRLF.
    pub fn finish(mut self) -> String {
        self.text.push_str("\r\n");
        self.text
    }
}

/// A CSV line (with CRLF) from cells.
pub fn line<'a>(cells: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = Line::new();
    for value in cells {
        out.push(value);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negative_number_stays_a_number_and_text_that_looks_like_one_does_not() {
        let mut line = Line::new();
        line.number(-0.5, 4).push("-0.5").number(f64::NAN, 2);
        assert_eq!(line.finish(), "-0.5000,'-0.5,\r\n");
    }

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
        let mut built = Line::new();
        for value in ["=HYPERLINK(\"http://evil\",\"x\")", "plain", "a,b", "", "-1", "multi\nline"] {
            built.push(value);
        }
        let expected: Vec<&str> = vec!["=HYPERLINK(\"http://evil\",\"x\")", "plain", "a,b", "", "-1", "multi\nline"];
        assert_eq!(built.finish(), line(expected));
    }
}
