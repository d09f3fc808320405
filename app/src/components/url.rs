//! Links that carry a page's state in the query string.

/// `name=value` pairs as a query string, values percent-encoded; absent and empty values are
/// left out.
pub fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .filter_map(|(name, value)| value.as_deref().filter(|v| !v.is_empty()).map(|v| format!("{name}={}", encode(v))))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_are_encoded_and_empty_ones_left_out() {
        let pairs = [
            ("q", Some("a&b c".to_owned())),
            ("team", Some(String::new())),
            ("page", None),
            ("tier", Some("1".into())),
        ];
        assert_eq!(super::query_string(&pairs), "q=a%26b%20c&tier=1");
    }
}

/// An imported link (a postmortem document, DR evidence) if it is safe to follow: http or
/// https only, so a `javascript:` or `data:` URL from a source system never becomes a link.
pub fn safe_link(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| url.to_owned())
}

#[cfg(test)]
mod link_tests {
    use super::safe_link;

    #[test]
    fn only_web_links_are_followed() {
        assert_eq!(safe_link(" https://wiki.example/pm/1 ").as_deref(), Some("https://wiki.example/pm/1"));
        assert_eq!(safe_link("HTTP://x.example").as_deref(), Some("HTTP://x.example"));
        for bad in ["javascript:alert(1)", "data:text/html,<b>", "//evil.example", "wiki/pm/1", ""] {
            assert_eq!(safe_link(bad), None, "{bad}");
        }
    }
}
