//! The process's counters and histograms, written out in the Prometheus text format. Label
//! values come from bounded sets only (route patterns, record kinds, job kinds, outcomes), never
//! from raw URLs or user input, so the number of series stays small.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{LazyLock, Mutex};

/// Upper bounds of the duration histograms, in seconds.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

type Labels = Vec<(&'static str, String)>;

enum Series {
    Counter(f64),
    Histogram { counts: [u64; BUCKETS.len()], sum: f64, count: u64 },
}

struct Family {
    help: &'static str,
    histogram: bool,
    series: BTreeMap<Labels, Series>,
}

#[derive(Default)]
pub struct Registry {
    families: Mutex<BTreeMap<&'static str, Family>>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::default);

/// The process's registry.
pub fn global() -> &'static Registry {
    &REGISTRY
}

fn labels(pairs: &[(&'static str, &str)]) -> Labels {
    pairs.iter().map(|(name, value)| (*name, (*value).to_owned())).collect()
}

impl Registry {
    fn with_family(&self, name: &'static str, help: &'static str, histogram: bool, update: impl FnOnce(&mut Family)) {
        if let Ok(mut families) = self.families.lock() {
            let family = families.entry(name).or_insert_with(|| Family { help, histogram, series: BTreeMap::new() });
            update(family);
        }
    }

    /// Adds `by` to the counter `name` with `pairs` as labels.
    pub fn count(&self, name: &'static str, help: &'static str, pairs: &[(&'static str, &str)], by: f64) {
        self.with_family(name, help, false, |family| {
            let series = family.series.entry(labels(pairs)).or_insert(Series::Counter(0.0));
            if let Series::Counter(value) = series {
                *value += by;
            }
        });
    }

    /// Records one observation of `seconds` in the histogram `name`.
    pub fn observe(&self, name: &'static str, help: &'static str, pairs: &[(&'static str, &str)], seconds: f64) {
        self.with_family(name, help, true, |family| {
            let series = family.series.entry(labels(pairs)).or_insert(Series::Histogram {
                counts: [0; BUCKETS.len()],
                sum: 0.0,
                count: 0,
            });
            if let Series::Histogram { counts, sum, count } = series {
                for (bound, bucket) in BUCKETS.iter().zip(counts.iter_mut()) {
                    if seconds <= *bound {
                        *bucket += 1;
                    }
                }
                *sum += seconds;
                *count += 1;
            }
        });
    }

    /// Every family in the text exposition format.
    pub fn render(&self, out: &mut String) {
        let Ok(families) = self.families.lock() else { return };
        for (name, family) in families.iter() {
            let kind = if family.histogram { "histogram" } else { "counter" };
            let _ = writeln!(out, "# HELP {name} {}\n# TYPE {name} {kind}", family.help);
            for (labels, series) in &family.series {
                match series {
                    Series::Counter(value) => {
                        let _ = writeln!(out, "{name}{} {value}", label_text(labels, None));
                    }
                    Series::Histogram { counts, sum, count } => {
                        for (bound, bucket) in BUCKETS.iter().zip(counts) {
                            let le = bound.to_string();
                            let _ = writeln!(out, "{name}_bucket{} {bucket}", label_text(labels, Some(&le)));
                        }
                        let _ = writeln!(out, "{name}_bucket{} {count}", label_text(labels, Some("+Inf")));
                        let _ = writeln!(out, "{name}_sum{} {sum}", label_text(labels, None));
                        let _ = writeln!(out, "{name}_count{} {count}", label_text(labels, None));
                    }
                }
            }
        }
    }
}

/// Writes a gauge family (values read at scrape time).
pub fn render_gauge(out: &mut String, name: &str, help: &str, series: &[(Labels, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for (labels, value) in series {
        let _ = writeln!(out, "{name}{} {value}", label_text(labels, None));
    }
}

/// `{a="x",b="y"}` (with `le` last for buckets), escaped as the format requires.
fn label_text(labels: &Labels, le: Option<&str>) -> String {
    let mut parts: Vec<String> = labels.iter().map(|(name, value)| format!("{name}=\"{}\"", escape(value))).collect();
    if let Some(le) = le {
        parts.push(format!("le=\"{le}\""));
    }
    if parts.is_empty() { String::new() } else { format!("{{{}}}", parts.join(",")) }
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_are_written_in_the_text_format() {
        let registry = Registry::default();
        registry.count("t_total", "Things.", &[("kind", "a\"b")], 2.0);
        registry.count("t_total", "Things.", &[("kind", "a\"b")], 1.0);
        registry.observe("t_seconds", "Durations.", &[("route", "/x/{id}")], 0.02);
        registry.observe("t_seconds", "Durations.", &[("route", "/x/{id}")], 3.0);
        let mut out = String::new();
        registry.render(&mut out);
        assert!(out.contains("# TYPE t_total counter\nt_total{kind=\"a\\\"b\"} 3\n"), "{out}");
        assert!(out.contains("t_seconds_bucket{route=\"/x/{id}\",le=\"0.01\"} 0\n"), "{out}");
        assert!(out.contains("t_seconds_bucket{route=\"/x/{id}\",le=\"0.025\"} 1\n"), "{out}");
        assert!(out.contains("t_seconds_bucket{route=\"/x/{id}\",le=\"+Inf\"} 2\n"), "{out}");
        assert!(out.contains("t_seconds_count{route=\"/x/{id}\"} 2\n"), "{out}");
        assert!(out.contains("t_seconds_sum{route=\"/x/{id}\"} 3.02\n"), "{out}");
    }
}
