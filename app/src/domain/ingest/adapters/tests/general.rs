//! What holds for every adapter: format errors, options, detection, determinism, robustness.

use super::*;

#[test]
fn malformed_or_misshapen_json_is_a_format_error_saying_where() {
    let broken = "{\n  \"incidents\": [\n    {\"id\": \"x\",, }\n  ]\n}";
    for adapter in [Adapter::Statuspage, Adapter::PagerDuty] {
        let error = convert(adapter, broken.as_bytes(), &AdapterOptions::default(), &[]).expect_err("broken");
        assert!(error.message.contains("line 3 column"), "{}", error.message);
    }
    let error = convert(Adapter::Statuspage, br#"{"data": []}"#, &AdapterOptions::default(), &[]).expect_err("shape");
    assert!(error.message.contains("\"incidents\""), "{}", error.message);
    let error =
        convert(Adapter::Statuspage, br#"{"incidents": {}}"#, &AdapterOptions::default(), &[]).expect_err("shape");
    assert!(error.message.starts_with("$.incidents must be an array"), "{}", error.message);
    let error =
        convert(Adapter::PagerDuty, br#"{"incidents": []}"#, &AdapterOptions::default(), &[]).expect_err("REST");
    assert!(error.message.contains("Analytics"), "{}", error.message);
    let error = convert(Adapter::Statuspage, br#"  "x" "#, &AdapterOptions::default(), &[]).expect_err("a string");
    assert!(error.message.ends_with("got a string"), "{}", error.message);
}

#[test]
fn pairs_are_split_on_commas_and_on_the_last_equals_sign() {
    let pairs = |text: &str| AdapterOptions::parse_pairs(text);
    assert_eq!(pairs(""), Ok(vec![]));
    assert_eq!(pairs("  ,  "), Ok(vec![]));
    let expected = vec![("a".to_owned(), "b".to_owned()), ("c=d".to_owned(), "e".to_owned())];
    assert_eq!(pairs(" a = b , c=d=e, "), Ok(expected.clone()));
    assert_eq!(pairs("a=b\nc=d=e"), Ok(expected));
    assert!(pairs("a=b,oops").is_err_and(|e| e.contains("'oops'")));
    assert!(pairs("=b").is_err_and(|e| e.contains("'=b'")));
    assert!(pairs("a= ").is_err_and(|e| e.contains("'a='")));
    assert!(pairs("P1=SEV1,p1=SEV2").is_err_and(|e| e.contains("'p1' is given twice")));
}

#[test]
fn options_are_checked_when_built_from_texts() {
    let built = AdapterOptions::from_texts("P1=sev0, minor = SEV2", "Legacy=checkout-api", "id=Key", " platform ");
    let built = built.expect("valid");
    assert_eq!(built.severity_map, vec![("P1".into(), Severity::Sev0), ("minor".into(), Severity::Sev2)]);
    assert_eq!(built.team.as_deref(), Some("platform"));
    let error = |s: &str, m: &str, c: &str, t: &str| AdapterOptions::from_texts(s, m, c, t).expect_err("invalid");
    assert!(error("P1=SEV9", "", "", "").contains("severity_map: 'P1=SEV9'"));
    assert!(error("", "Legacy=Checkout API", "", "").starts_with("service_map: 'Legacy=Checkout API'"));
    assert!(error("", "", "team=Team", "").contains("'team' is not a field"));
    assert!(error("", "", "", "Platform Team").starts_with("team: 'Platform Team'"));
    assert_eq!(AdapterOptions::from_texts("", "", "", "").expect("empty"), AdapterOptions::default());
}

#[test]
fn adapters_have_names_labels_and_kinds() {
    for adapter in Adapter::ALL {
        assert_eq!(Adapter::from_name(&adapter.name().to_uppercase()), Some(adapter));
        assert!(!adapter.label().is_empty());
    }
    assert_eq!(Adapter::from_name("jira"), None);
    assert_eq!(Adapter::OpenSlo.kind(), RecordKind::Slos);
    assert_eq!(Adapter::PagerDuty.kind(), RecordKind::Incidents);
}

#[test]
fn detect_recognises_each_sample_from_its_first_bytes() {
    let head = |text: &'static str| &text.as_bytes()[..text.len().min(1024)];
    assert_eq!(Adapter::detect(head(OPENSLO), "slos.yaml"), Some(Adapter::OpenSlo));
    for file in [STATUSPAGE, STATUSPAGE_BARE, STATUSPAGE_UNMAPPED] {
        assert_eq!(Adapter::detect(head(file), "incidents.json"), Some(Adapter::Statuspage));
    }
    assert_eq!(Adapter::detect(head(PAGERDUTY_JSON), "export.json"), Some(Adapter::PagerDuty));
    assert_eq!(Adapter::detect(head(PAGERDUTY_CSV), "export.csv"), Some(Adapter::PagerDuty));
    assert_eq!(Adapter::detect(b"{}", "data.json"), None);
    assert_eq!(Adapter::detect(b"[]", "statuspage-march.json"), Some(Adapter::Statuspage));
    assert_eq!(Adapter::detect(b"external_id,title,severity,services\n", "x.csv"), None);
    assert_eq!(Adapter::detect(br#"[{"impact": "major", "service_name": "x"}]"#, "x.json"), None);
    assert_eq!(Adapter::detect(b"\xEF\xBB\xBF  {\"data\": [", "x.json"), Some(Adapter::PagerDuty));
}

#[test]
fn converting_the_same_bytes_twice_gives_the_same_result() {
    let options = options("", "", "", "platform");
    for (adapter, file) in [
        (Adapter::OpenSlo, OPENSLO),
        (Adapter::Statuspage, STATUSPAGE),
        (Adapter::PagerDuty, PAGERDUTY_JSON),
        (Adapter::PagerDuty, PAGERDUTY_CSV),
    ] {
        let once = convert(adapter, file.as_bytes(), &options, &known());
        assert_eq!(once, convert(adapter, file.as_bytes(), &options, &known()), "{adapter:?}");
    }
}

/// Never a panic, whatever the bytes: random ones, and the samples mutated byte by byte and
/// value by value (so the per-object code sees nulls, huge numbers and wrong types).
mod robustness {
    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;
    use crate::domain::ingest::{BodyFormat, Decoder};

    const FIXTURES: [(Adapter, &str); 6] = [
        (Adapter::OpenSlo, OPENSLO),
        (Adapter::Statuspage, STATUSPAGE),
        (Adapter::Statuspage, STATUSPAGE_BARE),
        (Adapter::Statuspage, STATUSPAGE_UNMAPPED),
        (Adapter::PagerDuty, PAGERDUTY_JSON),
        (Adapter::PagerDuty, PAGERDUTY_CSV),
    ];

    fn everything(bytes: &[u8], chunk: usize) {
        let options = AdapterOptions {
            team: Some("platform".into()),
            severity_map: vec![("maintenance".into(), Severity::Sev4)],
            ..AdapterOptions::default()
        };
        for adapter in Adapter::ALL {
            let _ = convert(adapter, bytes, &options, &known());
            let _ = convert(adapter, bytes, &AdapterOptions::default(), &[]);
        }
        let _ = Adapter::detect(bytes, "file.json");
        for format in [BodyFormat::Csv, BodyFormat::JsonArray, BodyFormat::Ndjson] {
            let mut decoder = Decoder::new(format);
            let mut out = Vec::new();
            let pushed = bytes.chunks(chunk.max(1)).try_for_each(|piece| decoder.push(piece, &mut out));
            if pushed.is_ok() {
                let _ = decoder.finish(&mut out);
            }
        }
    }

    fn odd_value(choice: u8) -> Value {
        match choice % 12 {
            0 => Value::Null,
            1 => json!(-1),
            2 => json!(1e308),
            3 => json!(u64::MAX),
            4 => json!(""),
            5 => json!("P9"),
            6 => json!([[[]]]),
            7 => json!({"name": {}}),
            8 => json!(true),
            9 => json!("2026-13-45T99:99:99Z"),
            10 => json!("9999999999d"),
            _ => json!("\u{0}\u{7f}é"),
        }
    }

    /// Replaces the value at a path chosen by `steps` (each taken modulo the width there).
    fn replace(value: &mut Value, steps: &[usize], replacement: Value) {
        let Some((step, rest)) = steps.split_first() else {
            *value = replacement;
            return;
        };
        match value {
            Value::Array(items) if !items.is_empty() => {
                let index = step % items.len();
                replace(&mut items[index], rest, replacement);
            }
            Value::Object(map) if !map.is_empty() => {
                let index = step % map.len();
                let child = map.values_mut().nth(index).expect("in range");
                replace(child, rest, replacement);
            }
            other => *other = replacement,
        }
    }

    /// How deep `replace` goes with `steps` in `value` (a scalar stops the walk).
    fn depth(value: &Value, steps: &[usize]) -> usize {
        let Some((step, rest)) = steps.split_first() else { return 0 };
        match value {
            Value::Array(items) if !items.is_empty() => 1 + depth(&items[step % items.len()], rest),
            Value::Object(map) if !map.is_empty() => {
                1 + map.values().nth(step % map.len()).map_or(0, |child| depth(child, rest))
            }
            _ => 0,
        }
    }

    /// The sample with one value replaced, written back as JSON (one JSON document per YAML
    /// document for OpenSLO, JSON being YAML too).
    fn mutate_values(adapter: Adapter, text: &str, steps: &[usize], choice: u8) -> Option<String> {
        match adapter {
            Adapter::OpenSlo => {
                let mut documents: Vec<Value> = serde_yaml_ng::Deserializer::from_str(text)
                    .map(|d| Value::deserialize(d).expect("the sample is valid YAML"))
                    .collect();
                let index = steps.first().copied().unwrap_or_default() % documents.len();
                replace(&mut documents[index], steps.get(1..).unwrap_or_default(), odd_value(choice));
                Some(documents.iter().map(Value::to_string).collect::<Vec<_>>().join("\n---\n"))
            }
            _ if text.starts_with(['{', '[']) => {
                let mut document: Value = serde_json::from_str(text).expect("the sample is valid JSON");
                replace(&mut document, steps, odd_value(choice));
                Some(document.to_string())
            }
            _ => None,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), chunk in 1usize..64) {
            everything(&bytes, chunk);
        }

        #[test]
        fn yaml_and_json_like_text_never_panics(
            text in concat!(
                r"(apiVersion: openslo/v1\n|kind: (SLO|SLI|Service)\n|---\n|\.\.\.\n|  |- |spec:|metadata:|name: x",
                r#"|target: |[{}\[\]",:&*!|>]|[a-z0-9.]{1,6}|\n)*"#
            )
        ) {
            everything(text.as_bytes(), 7);
        }

        #[test]
        fn byte_mutated_samples_never_panic(
            fixture in 0..FIXTURES.len(),
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8),
        ) {
            let (_, text) = FIXTURES[fixture];
            let mut bytes = text.as_bytes().to_vec();
            for (position, byte, operation) in edits {
                let at = position % bytes.len().max(1);
                match operation {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at.min(bytes.len()), byte),
                    _ if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ => {}
                }
            }
            everything(&bytes, 97);
        }

        #[test]
        fn value_mutated_samples_never_panic(
            fixture in 0..FIXTURES.len(),
            steps in proptest::collection::vec(any::<usize>(), 0..6),
            choice in any::<u8>(),
        ) {
            let (adapter, text) = FIXTURES[fixture];
            if let Some(mutated) = mutate_values(adapter, text, &steps, choice) {
                everything(mutated.as_bytes(), 4096);
                // Below the top level, an odd value is an object's problem (a top-level field
                // such as PagerDuty's time_zone is the file's). YAML refuses some characters JSON
                // leaves unescaped, so OpenSLO is left out of this check.
                let below_top = serde_json::from_str::<Value>(text).is_ok_and(|d| depth(&d, &steps) >= 2);
                if adapter != Adapter::OpenSlo && below_top {
                    let converted = convert(adapter, mutated.as_bytes(), &AdapterOptions::default(), &known());
                    prop_assert!(converted.is_ok(), "an odd value is a row problem, not a format error: {converted:?}");
                }
            }
        }
    }
}
