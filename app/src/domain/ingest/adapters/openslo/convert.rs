//! One OpenSLO file into native rows: the mapping the module documentation describes.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::json;
use serde_yaml_ng::Value as Yaml;

use super::objective::{budgeting, objective_percent, unused_slo_fields, window_days};
use super::yaml::{Document, at, document_lines, key, label, text, untagged, unused_keys, yaml_error};

use super::super::budget::{Budget, allowance, exceeded_message};
use super::super::{
    Context, Converted, DecodedRow, FormatError, IgnoredFields, Problems, RawRow, format_error, slugify,
};
use crate::domain::ingest::Cell;
use crate::domain::records::{Indicator, Slug};

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

struct NewService {
    slug: String,
    name: String,
    tier: i64,
}

#[derive(Default)]
struct Notes {
    other_documents: Vec<String>,
    saw_sli: bool,
    other_indicator: Vec<String>,
    existing_services: Vec<String>,
    services_without_team: Vec<String>,
    tier_assumed: Vec<String>,
}

struct State<'a> {
    context: &'a Context<'a>,
    service_documents: Vec<(String, &'a Yaml)>,
    sli_documents: Vec<(String, &'a Yaml)>,
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
            "sli" => self.notes.saw_sli = true,
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
        let indicator = self.indicator(slo, name, &mut problems);
        let window_days = window_days(slo, &mut problems);
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
            let row = match (&service, indicator, percent, window_days, budgeting) {
                (Some(service), Some(indicator), Some(percent), Some(days), Some(budgeting)) if own.0.is_empty() => {
                    Ok(RawRow::new(number)
                        .with("service", Cell::Json(json!(service)))
                        .with("slug", Cell::Json(json!(slug)))
                        .with("name", Cell::Json(json!(title)))
                        .with("indicator", Cell::Json(json!(indicator)))
                        .with("objective", Cell::Json(json!(percent)))
                        .with("window_days", Cell::Json(json!(days)))
                        .with("budgeting", Cell::Json(json!(budgeting))))
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

    fn indicator(&mut self, slo: &Yaml, name: &str, problems: &mut Problems) -> Option<&'static str> {
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
        self.notes.saw_sli = true;
        let labelled = label(slo, &INDICATOR_LABELS).or_else(|| label(sli, &INDICATOR_LABELS));
        match labelled.as_deref().and_then(Indicator::parse) {
            Some(indicator) => Some(indicator.as_str()),
            None => {
                let why = labelled.map(|l| format!(" (label '{l}')")).unwrap_or_default();
                self.notes.other_indicator.push(format!("{name}{why}"));
                Some(Indicator::Other.as_str())
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
