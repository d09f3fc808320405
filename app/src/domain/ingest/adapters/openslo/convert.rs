//! One OpenSLO file into native rows: the mapping the module documentation describes.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::json;
use serde_yaml_ng::Value as Yaml;

use super::objective::{CalendarReading, Window, budgeting, objective_percent, unused_slo_fields, window};
use super::yaml::{Document, at, document_lines, key, label, text, untagged, unused_keys, yaml_error};

use super::super::budget::{Budget, allowance, exceeded_message};
use super::super::{
    Context, Converted, DecodedRow, FormatError, IgnoredFields, Problems, RawRow, format_error, slugify,
};
use crate::domain::ingest::Cell;
use crate::domain::records::{Indicator, PrometheusSource, Slug};

const INDICATOR_LABELS: [&str; 2] = ["indicator", "plumbline.dev/indicator"];
const TIER_LABELS: [&str; 2] = ["tier", "plumbline.dev/tier"];

pub(in super::super) fn convert(bytes: &[u8], context: &Context) -> Result<Converted, FormatError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let source = std::str::from_utf8(bytes)
        .map_err(|e| format_error(format!("not UTF-8 text: invalid byte at offset {}", e.valid_up_to())))?;
    // Walk the file once without keeping it, so aliases cannot grow it without bound.
    let mut budget = Budget::new(allowance(bytes.len()));
    for (index, document) in serde_yaml_ng::Deserializer::from_str(source).enumerate() {
        if let Err(error) = budget.check(document) {
            return Err(if budget.exceeded() {
                format_error(exceeded_message(bytes.len()))
            } else {
                yaml_error(&error, index + 1)
            });
        }
    }
    let mut values = Vec::new();
    for (index, document) in serde_yaml_ng::Deserializer::from_str(source).enumerate() {
        values.push(Yaml::deserialize(document).map_err(|e| yaml_error(&e, index + 1))?);
    }
    let lines = document_lines(source, values.len());
    let documents: Vec<Document> = (values.iter().enumerate())
        .filter(|(_, value)| !value.is_null())
        .map(|(index, value)| Document { number: index + 1, line: lines.get(index).copied(), value })
        .collect();
    let declares_openslo = |d: &Document| {
        at(d.value, "apiVersion").and_then(text).is_some_and(|v| v.to_ascii_lowercase().starts_with("openslo/"))
    };
    if documents.is_empty() {
        return Err(format_error("no YAML documents: expected OpenSLO v1 definitions (apiVersion: openslo/v1)"));
    }
    if !documents.iter().any(declares_openslo) {
        // A whole file of something else (JSON incidents, CSV) is the wrong file, not bad rows.
        return Err(format_error("not OpenSLO: no document has apiVersion: openslo/v1"));
    }
    let named = |kind: &str| -> Vec<(String, &Yaml)> {
        (documents.iter())
            .filter_map(|d| d.header().ok().filter(|(k, _)| k.eq_ignore_ascii_case(kind)).map(|(_, n)| (n, d.value)))
            .collect()
    };
    let mut state = State {
        context,
        service_documents: named("Service"),
        sli_documents: named("SLI"),
        data_sources: named("DataSource"),
        rows: Vec::new(),
        services: Vec::new(),
        notes: Notes::default(),
        ignored_slo: IgnoredFields::new(("SLO document", "SLO documents")),
        ignored_service: IgnoredFields::new(("Service document", "Service documents")),
    };
    for document in &documents {
        state.read(document);
    }
    Ok(state.finish())
}

/// An SLI's `ratioMetric` counting good and total events with Prometheus queries.
struct RatioQueries {
    good: String,
    total: String,
    /// The good query's `metricSourceRef`: a DataSource document's name.
    source_ref: Option<String>,
}

/// The SLI's [`RatioQueries`], when its `ratioMetric` is counters (`counter` not false) read
/// from Prometheus.
fn prometheus_queries(sli: &Yaml) -> Option<RatioQueries> {
    let ratio = at(sli, "spec.ratioMetric")?;
    if key(ratio, "counter").and_then(|counter| untagged(counter).as_bool()) == Some(false) {
        return None;
    }
    let source = |part: &str| key(key(ratio, part)?, "metricSource");
    let query = |part: &str| {
        let source = source(part)?;
        let kind = key(source, "type").and_then(text)?;
        if !kind.eq_ignore_ascii_case("prometheus") {
            return None;
        }
        key(key(source, "spec")?, "query").and_then(text)
    };
    let source_ref = source("good").and_then(|s| key(s, "metricSourceRef")).and_then(text);
    Some(RatioQueries { good: query("good")?, total: query("total")?, source_ref })
}

/// The counter selector a query counts with: the query itself when it is one, or the one
/// inside `rate`, `irate` or `increase` over a range, optionally summed (`sum(rate(x[5m]))`):
/// Plumbline takes each day's `increase` of that counter, which is what those rates measure.
/// `None` for anything else (ratios, histograms, `by` clauses).
fn counter_selector(query: &str) -> Option<String> {
    let query = query.trim();
    if PrometheusSource::check_selector(query).is_ok() {
        return Some(query.to_owned());
    }
    let inner = |text: &str, function: &str| -> Option<String> {
        let rest = text.strip_prefix(function)?.trim_start().strip_prefix('(')?;
        Some(rest.strip_suffix(')')?.trim().to_owned())
    };
    let unsummed = inner(query, "sum").unwrap_or_else(|| query.to_owned());
    let ranged = ["rate", "irate", "increase"].iter().find_map(|f| inner(&unsummed, f))?;
    let (selector, range) = ranged.rsplit_once('[')?;
    let selector = selector.trim();
    (range.ends_with(']') && PrometheusSource::check_selector(selector).is_ok()).then(|| selector.to_owned())
}

struct NewService {
    slug: String,
    name: String,
    tier: i64,
}

#[derive(Default)]
struct Notes {
    other_documents: Vec<String>,
    /// An SLI whose metric queries are not imported.
    saw_sli: bool,
    /// SLOs whose SLI counts good and total events with Prometheus queries: pulled...
    pulled: Vec<String>,
    /// ...not pulled, because no `prometheus_url` was given...
    prometheus_without_url: Vec<String>,
    /// ...or because a query is not a counter selector.
    prometheus_not_selectors: Vec<String>,
    other_indicator: Vec<String>,
    existing_services: Vec<String>,
    services_without_team: Vec<String>,
    tier_assumed: Vec<String>,
    /// Calendar windows whose start time of day or time zone cannot be kept on daily counts.
    calendar_in_reporting_days: Vec<String>,
    /// Calendar windows of `Nm`, read as N months.
    minutes_as_months: Vec<String>,
}

struct State<'a> {
    context: &'a Context<'a>,
    service_documents: Vec<(String, &'a Yaml)>,
    sli_documents: Vec<(String, &'a Yaml)>,
    /// Where an SLI's `metricSourceRef` points: a DataSource may give its server's URL.
    data_sources: Vec<(String, &'a Yaml)>,
    rows: Vec<DecodedRow>,
    services: Vec<NewService>,
    notes: Notes,
    ignored_slo: IgnoredFields,
    ignored_service: IgnoredFields,
}

impl State<'_> {
    fn next_row(&self) -> u64 {
        self.rows.len() as u64 + 1
    }

    fn read(&mut self, document: &Document) {
        let (kind, name) = match document.header() {
            Ok(header) => header,
            Err((field, message)) => {
                let mut problems = Problems::default();
                problems.add(field, message);
                let error = problems.into_error(self.next_row(), &format!("{}: ", document.place()));
                self.rows.extend(error.map(Err));
                return;
            }
        };
        match kind.to_ascii_lowercase().as_str() {
            "slo" => self.slo(document, &name),
            "service" => self.service_document(document, &name),
            // Read through the SLOs that name them (`prometheus_source`).
            "sli" | "datasource" => {}
            _ => self.notes.other_documents.push(format!("{kind} '{name}' ({})", document.place())),
        }
    }

    fn service_document(&mut self, document: &Document, name: &str) {
        let mut unused = BTreeSet::new();
        unused_keys(Some(document.value), "", &["apiVersion", "kind", "metadata", "spec"], &mut unused);
        unused_keys(at(document.value, "metadata"), "metadata", &["name", "displayName", "labels"], &mut unused);
        unused_keys(at(document.value, "spec"), "spec", &[], &mut unused);
        self.ignored_service.object(unused);
        if !matches!(self.context.service_slug(name), Ok(None)) {
            self.notes.existing_services.push(name.to_owned());
        } else if self.context.options.team.is_none() {
            self.notes.services_without_team.push(name.to_owned());
        } else if let Err(message) = self.create_service(name) {
            let mut problems = Problems::default();
            problems.add("metadata.name", message);
            let error = problems.into_error(self.next_row(), &format!("Service '{name}' ({}): ", document.place()));
            self.rows.extend(error.map(Err));
        }
    }

    /// Adds a services row for `name` (once), its display name and tier from its Service
    /// document when there is one.
    fn create_service(&mut self, name: &str) -> Result<String, String> {
        let slug = Slug::parse(name).map_err(|e| {
            format!("'{name}' cannot be a service slug: it {e}; map it to a service with service_map={name}=SLUG")
        })?;
        let slug = slug.as_str().to_owned();
        if self.services.iter().any(|s| s.slug == slug) {
            return Ok(slug);
        }
        let document = self.service_documents.iter().find(|(n, _)| n == name).map(|(_, d)| *d);
        let display = document.and_then(|d| at(d, "metadata.displayName")).and_then(text);
        let tier = document.and_then(|d| label(d, &TIER_LABELS)).and_then(|t| t.parse::<i64>().ok());
        let tier = match tier.filter(|t| (0..=3).contains(t)) {
            Some(tier) => tier,
            None => {
                self.notes.tier_assumed.push(slug.clone());
                3
            }
        };
        self.services.push(NewService { slug: slug.clone(), name: display.unwrap_or_else(|| name.to_owned()), tier });
        Ok(slug)
    }

    fn slo(&mut self, document: &Document, name: &str) {
        let slo = document.value;
        self.ignored_slo.object(unused_slo_fields(slo));
        let context = format!("SLO '{name}' ({}): ", document.place());
        let mut problems = Problems::default();
        if let Err(e) = Slug::parse(name) {
            problems.add("metadata.name", format!("'{name}' cannot be an SLO slug: it {e}"));
        }
        let service = self.slo_service(slo, &mut problems);
        let (indicator, source) = match self.indicator(slo, name, &mut problems) {
            Some((indicator, source)) => (Some(indicator), source),
            None => (None, None),
        };
        let mut reading = CalendarReading::default();
        let window = window(slo, &mut problems, &mut reading);
        if let Some(kept) = reading.day_boundary {
            self.notes.calendar_in_reporting_days.push(format!("{name} ({kept})"));
        }
        if let Some(read) = reading.minutes_as_months {
            self.notes.minutes_as_months.push(format!("{name} ({read})"));
        }
        let budgeting = budgeting(slo, &mut problems);
        let objectives = match at(slo, "spec.objectives").map(untagged) {
            Some(Yaml::Sequence(objectives)) if !objectives.is_empty() => objectives,
            _ => {
                problems.add("spec.objectives", "is missing or empty: an SLO needs at least one objective");
                self.rows.extend(problems.into_error(self.next_row(), &context).map(Err));
                return;
            }
        };
        let base_name = at(slo, "metadata.displayName").and_then(text).unwrap_or_else(|| name.to_owned());
        let displays: Vec<Option<String>> = objectives.iter().map(|o| key(o, "displayName").and_then(text)).collect();
        for (index, objective) in objectives.iter().enumerate() {
            let mut own = problems.clone();
            let percent = objective_percent(objective, &format!("spec.objectives[{index}]"), &mut own);
            let display = displays.get(index).cloned().flatten();
            let suffix = display.as_deref().map(slugify).filter(|s| {
                !s.is_empty() && displays.iter().filter(|d| d.as_deref().map(slugify).as_ref() == Some(s)).count() == 1
            });
            let slug = match (objectives.len(), suffix) {
                (1, _) => name.to_owned(),
                (_, Some(suffix)) => format!("{name}-{suffix}"),
                (_, None) => format!("{name}-{}", index + 1),
            };
            let title = match (&display, objectives.len()) {
                (Some(display), _) => format!("{base_name} ({display})"),
                (None, 1) => base_name.clone(),
                (None, _) => format!("{base_name} (objective {})", index + 1),
            };
            let number = self.next_row();
            let row = match (&service, indicator, percent, &window, budgeting) {
                (Some(service), Some(indicator), Some(percent), Some(window), Some(budgeting)) if own.0.is_empty() => {
                    let row = RawRow::new(number)
                        .with("service", Cell::Json(json!(service)))
                        .with("slug", Cell::Json(json!(slug)))
                        .with("name", Cell::Json(json!(title)))
                        .with("indicator", Cell::Json(json!(indicator)))
                        .with("objective", Cell::Json(json!(percent)))
                        .with("budgeting", Cell::Json(json!(budgeting)));
                    let row = match window {
                        Window::Rolling(days) => row.with("window_days", Cell::Json(json!(days))),
                        Window::Calendar { length, start } => {
                            let row = row.with("calendar_window", Cell::Json(json!(length)));
                            match start {
                                Some(start) => row.with("calendar_start", Cell::Json(json!(start.to_string()))),
                                None => row,
                            }
                        }
                    };
                    Ok(match &source {
                        Some(source) => row
                            .with("prometheus_url", Cell::Json(json!(source.url)))
                            .with("good_query", Cell::Json(json!(source.good_query)))
                            .with("total_query", Cell::Json(json!(source.total_query))),
                        None => row,
                    })
                }
                _ => {
                    if own.0.is_empty() {
                        own.add("spec", "could not be read");
                    }
                    own.into_error(number, &context).map_or(Ok(RawRow::new(number)), Err)
                }
            };
            self.rows.push(row);
        }
    }

    fn slo_service(&mut self, slo: &Yaml, problems: &mut Problems) -> Option<String> {
        let Some(name) = at(slo, "spec.service").and_then(text) else {
            problems.add("spec.service", "is missing: which service is the SLO for?");
            return None;
        };
        match self.context.service_slug(&name) {
            Ok(Some(slug)) => return Some(slug),
            Ok(None) => {}
            Err(ambiguous) => {
                problems.add("spec.service", ambiguous);
                return None;
            }
        }
        if self.context.options.team.is_none() {
            let message = format!(
                "service '{name}' does not exist; create it first or give team=SLUG \
                 (or map it to a service with service_map={name}=SLUG)"
            );
            problems.add("spec.service", message);
            return None;
        }
        self.create_service(&name).map_err(|message| problems.add("spec.service", message)).ok()
    }

    /// The SLO's indicator, and where its measurements are pulled from when its SLI counts them
    /// with Prometheus queries and `prometheus_url` is given.
    fn indicator(
        &mut self,
        slo: &Yaml,
        name: &str,
        problems: &mut Problems,
    ) -> Option<(&'static str, Option<PrometheusSource>)> {
        let sli = match (at(slo, "spec.indicator"), at(slo, "spec.indicatorRef")) {
            (Some(_), Some(_)) => {
                problems.add("spec.indicatorRef", "is given beside spec.indicator: keep one");
                return None;
            }
            (Some(inline), None) => inline,
            (None, Some(reference)) => {
                let reference = text(reference).unwrap_or_default();
                match self.sli_documents.iter().find(|(n, _)| *n == reference) {
                    Some((_, sli)) => *sli,
                    None => {
                        problems.add(
                            "spec.indicatorRef",
                            format!("'{reference}' names no kind: SLI document in this file"),
                        );
                        return None;
                    }
                }
            }
            (None, None) => {
                problems.add("spec.indicator", "is missing, and so is spec.indicatorRef: an SLO needs an SLI");
                return None;
            }
        };
        let source = self.prometheus_source(sli, name);
        let labelled = label(slo, &INDICATOR_LABELS).or_else(|| label(sli, &INDICATOR_LABELS));
        let indicator = match labelled.as_deref().and_then(Indicator::parse) {
            Some(indicator) => indicator.as_str(),
            None => {
                let why = labelled.map(|l| format!(" (label '{l}')")).unwrap_or_default();
                self.notes.other_indicator.push(format!("{name}{why}"));
                Indicator::Other.as_str()
            }
        };
        Some((indicator, source))
    }

    /// The SLI's `ratioMetric` as a Prometheus source: counters (`counter` not false) whose
    /// `good` and `total` each have a `metricSource` of type Prometheus with a `spec.query`
    /// that is a series selector, at the server `prometheus_url` names. Otherwise `None`, and
    /// the SLO is listed in a note saying why.
    fn prometheus_source(&mut self, sli: &Yaml, name: &str) -> Option<PrometheusSource> {
        let Some(queries) = prometheus_queries(sli) else {
            self.notes.saw_sli = true;
            return None;
        };
        let selectors = counter_selector(&queries.good).zip(counter_selector(&queries.total));
        // The import's prometheus_url wins (the DataSource's address may be one only its own
        // network reaches); else the DataSource the good query's metricSourceRef names.
        let url = self.context.options.prometheus_url.clone().or_else(|| {
            let reference = queries.source_ref.as_deref()?;
            let (_, source) = self.data_sources.iter().find(|(n, _)| n == reference)?;
            let kind = at(source, "spec.type").and_then(text)?;
            let url = at(source, "spec.connectionDetails.url").and_then(text)?;
            kind.eq_ignore_ascii_case("prometheus").then(|| PrometheusSource::parse_url(&url).ok()).flatten()
        });
        match (selectors, url) {
            (None, _) => {
                self.notes.prometheus_not_selectors.push(name.to_owned());
                None
            }
            (Some(_), None) => {
                self.notes.prometheus_without_url.push(name.to_owned());
                None
            }
            (Some((good_query, total_query)), Some(url)) => {
                self.notes.pulled.push(format!("{name} ({url})"));
                Some(PrometheusSource { url, good_query, total_query })
            }
        }
    }

    fn finish(self) -> Converted {
        let team = self.context.options.team.clone().unwrap_or_default();
        let services = (self.services.iter().enumerate())
            .map(|(index, s)| {
                RawRow::new(index as u64 + 1)
                    .with("slug", Cell::Json(json!(s.slug)))
                    .with("name", Cell::Json(json!(s.name)))
                    .with("tier", Cell::Json(json!(s.tier)))
                    .with("team", Cell::Json(json!(team)))
            })
            .collect();
        let notes = self.notes;
        let mut out = Vec::new();
        let mut note = |items: &[String], text: &str| {
            if !items.is_empty() {
                out.push(format!("{text}: {}", items.join(", ")));
            }
        };
        note(notes.other_documents.as_slice(), "ignored documents (only SLO, SLI and Service are read)");
        note(
            notes.other_indicator.as_slice(),
            "indicator 'other' for SLOs without an indicator label of availability, latency, freshness or \
             correctness (set metadata.labels.indicator)",
        );
        note(
            notes.existing_services.as_slice(),
            "Service documents of existing services were not applied (their name and tier stay)",
        );
        note(
            notes.services_without_team.as_slice(),
            "Service documents not imported because no team was given (team=SLUG creates them)",
        );
        note(
            notes.tier_assumed.as_slice(),
            "tier 3 (least critical) given to new services without a tier label from 0 to 3",
        );
        note(
            notes.pulled.as_slice(),
            "SLOs pulled from Prometheus at prometheus_url (their SLI's ratioMetric good and total queries)",
        );
        note(
            notes.prometheus_without_url.as_slice(),
            "SLOs with Prometheus queries not pulled, because no server is known: give prometheus_url=URL, or a \
             DataSource (type Prometheus, spec.connectionDetails.url) their metricSourceRef names",
        );
        note(
            notes.prometheus_not_selectors.as_slice(),
            "SLOs with Prometheus queries not pulled: each query must be a counter series selector such as \
             http_requests_total{code!~\"5..\"}, or rate, irate or increase of one, optionally summed",
        );
        note(
            notes.calendar_in_reporting_days.as_slice(),
            "calendar windows counted in whole days of Plumbline's reporting time zone, from the start of \
             calendar.startTime's day: measurements are daily counts, so a window cannot begin at another time of \
             day or another zone's midnight",
        );
        note(
            notes.minutes_as_months.as_slice(),
            "calendar windows given in minutes read as months: OpenSLO's m is minutes, but a calendar window shorter \
             than a day cannot be counted on daily counts (write M for months)",
        );
        if notes.saw_sli {
            out.push(
                "SLI metric queries (ratioMetric, thresholdMetric) are not imported: Plumbline reads daily good and \
                 total counts from slo-measurements"
                    .to_owned(),
            );
        }
        out.extend(self.ignored_slo.note());
        out.extend(self.ignored_service.note());
        Converted { services, rows: self.rows, notes: out }
    }
}
