//! Text for the PDF's standard Helvetica fonts: WinAnsi encoding of Unicode text (characters
//! it lacks become readable ASCII) and the fonts' advance widths, for wrapping and alignment.

/// Helvetica's widths (1/1000 em) for ASCII 32–126, from the standard font metrics.
const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
];

/// Helvetica-Bold's widths for ASCII 32–126.
const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611,
    556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389,
    280, 389, 584,
];

/// `text` as WinAnsi bytes. Characters outside it are spelled out (≤ as <=, − as -), so the
/// PDF never shows a missing glyph.
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' '..='~' => out.push(c as u8),
            // Latin-1 letters and signs share their code points in WinAnsi.
            '\u{a0}'..='\u{ff}' => out.push(c as u32 as u8),
            '–' => out.push(0x96),
            '—' => out.push(0x97),
            '…' => out.push(0x85),
            '•' => out.push(0x95),
            '‘' => out.push(0x91),
            '’' => out.push(0x92),
            '“' => out.push(0x93),
            '”' => out.push(0x94),
            '€' => out.push(0x80),
            '−' => out.push(b'-'),
            '≤' => out.extend_from_slice(b"<="),
            '≥' => out.extend_from_slice(b">="),
            '≠' => out.extend_from_slice(b"!="),
            'Σ' => out.extend_from_slice(b"sum "),
            '→' => out.extend_from_slice(b"->"),
            '↑' | '▲' => out.push(b'+'),
            '↓' | '▼' => out.push(b'-'),
            '\t' | '\n' | '\r' => out.push(b' '),
            _ => out.push(b'?'),
        }
    }
    out
}

/// The width of `text` in points at `size`.
pub fn width(text: &str, size: f32, bold: bool) -> f32 {
    let table = if bold { &BOLD } else { &REGULAR };
    let units: u32 = encode(text)
        .iter()
        .map(|b| match b {
            32..=126 => u32::from(table[usize::from(b - 32)]),
            0x96 | 0xd7 | 0xf7 | 0xb1 => 556,
            0x97 => 1000,
            0x95 | 0xb7 => 350,
            0x85 => 1000,
            0xa0 => 278,
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// `text` cut to fit `max` points, with an ellipsis when cut.
pub fn fit(text: &str, max: f32, size: f32, bold: bool) -> String {
    if width(text, size, bold) <= max {
        return text.to_owned();
    }
    let mut cut: String = text.to_owned();
    while !cut.is_empty() && width(&format!("{cut}…"), size, bold) > max {
        cut.pop();
    }
    format!("{}…", cut.trim_end())
}

/// `text` broken into lines of at most `max` points: at spaces, and a word longer than a line
/// is broken across lines (never cut: a title in the report is shown whole).
pub fn wrap(text: &str, max: f32, size: f32, bold: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if width(&candidate, size, bold) <= max || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_owned();
        }
        while width(&line, size, bold) > max {
            // The longest prefix that fits (at least one character, so this always ends).
            let mut end = 0;
            for (index, _) in line.char_indices().skip(1) {
                if width(&line[..index], size, bold) > max {
                    break;
                }
                end = index;
            }
            if end == 0 {
                end = line.chars().next().map_or(line.len(), char::len_utf8);
            }
            let rest = line.split_off(end);
            lines.push(std::mem::replace(&mut line, rest));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_outside_winansi_is_spelled_out() {
        assert_eq!(encode("≤ 7 days − ok"), b"<= 7 days - ok");
        assert_eq!(encode("SEV0–1 · 97.5\u{a0}%"), b"SEV0\x961 \xb7 97.5\xa0%");
        assert_eq!(encode("日本"), b"??");
    }

    #[test]
    fn widths_follow_the_font_metrics_and_lines_wrap_within_the_width() {
        assert!((width("Hello", 10.0, false) - 22.78).abs() < 0.01);
        assert!(width("Hello", 10.0, true) > width("Hello", 10.0, false));
        let lines = wrap("one two three four five six seven", 60.0, 10.0, false);
        assert!(lines.len() > 1 && lines.iter().all(|l| width(l, 10.0, false) <= 60.0));
        assert_eq!(lines.join(" "), "one two three four five six seven");
        let long = wrap("supercalifragilisticexpialidocious-and-more", 40.0, 10.0, false);
        assert!(long.len() > 2 && long.iter().all(|l| width(l, 10.0, false) <= 40.0));
        assert_eq!(long.concat(), "supercalifragilisticexpialidocious-and-more");
        let cut = fit("a very long service name indeed", 50.0, 10.0, false);
        assert!(cut.ends_with('…') && width(&cut, 10.0, false) <= 50.0);
    }
}
