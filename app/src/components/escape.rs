//! Escaping for the places Leptos does not escape for us: SVG built as a string (charts) and the
//! document title, which `leptos_meta` writes into the server-rendered `<title>` as it is.

/// Text made safe for an HTML or XML element, or a double-quoted attribute.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// The browser tab's title for a page's own text: "Services · Plumbline", or "Plumbline" alone.
/// Escaped, since it reaches the server-rendered `<title>` unescaped and may hold record names.
pub fn page_title(text: String) -> String {
    if text.is_empty() { "Plumbline".to_owned() } else { format!("{} · Plumbline", escape_text(&text)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_cannot_close_the_title_element() {
        assert_eq!(
            page_title("</title><script>x</script>".into()),
            "&lt;/title&gt;&lt;script&gt;x&lt;/script&gt; · Plumbline"
        );
        assert_eq!(page_title(String::new()), "Plumbline");
    }
}
