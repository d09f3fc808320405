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
