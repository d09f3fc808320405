//! Escaping for the places Leptos does not escape for us: SVG built as a string (charts) and the
//! document title, which `leptos_meta` writes into the server-rendered `<title>` as it is.

pub use crate::domain::format::escape_html as escape_text;

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
