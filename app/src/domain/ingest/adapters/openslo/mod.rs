//! OpenSLO v1 YAML (one or more documents, `apiVersion: openslo/v1`) into native SLOs, and the
//! services they need.
//!
//! Documents:
//! - `kind: SLO` → one native SLO row per objective (rows are numbered by objective; a document
//!   that cannot be read at all takes one row number for its error).
//! - `kind: SLI` → read when an SLO names it in `spec.indicatorRef` (an unknown name is a row
//!   error). A `ratioMetric` of Prometheus counter queries makes the SLO pulled (its counter
//!   selectors and server, docs/ingestion.md §15); other metric queries are not imported
//!   (noted): Plumbline reads daily counts.
//! - `kind: DataSource` → read when an SLI's `metricSourceRef` names it, for the server's URL.
//! - `kind: Service` → a native service when it is missing and `team` is given (below).
//! - Other kinds (AlertPolicy, …) are ignored and listed in a note. Another
//!   `apiVersion`, or no `kind` or `metadata.name`, is a row error for that document.
//!
//! Mapping of one SLO objective:
//! - `service` = `spec.service` through service matching (parent module); when nothing matches
//!   and `team` is given, the service is created (below), else it is a row error.
//! - `slug` = `metadata.name` for a single objective; with several, `name-<slugified
//!   objective displayName>`, or `name-<1-based index>` when it has none or it is not unique.
//! - `name` = `metadata.displayName`, else `metadata.name`, plus the objective's displayName
//!   in parentheses (`objective N` with several objectives and none).
//! - `objective` = `targetPercent`, or `target` × 100; it must be strictly between 0 and 100.
//! - A rolling window (`isRolling: true`, or no `calendar`): `window_days` from
//!   `spec.timeWindow[0].duration`, `Nd`, `Nw`, or `Nh`/`Nm` making whole days; months,
//!   quarters and years (`M`, `Q`, `Y`) vary in length, so a rolling one is a row error.
//! - A calendar window (`isRolling: false`, or a `calendar`): `calendar_window` from the
//!   duration (`Nd`, `Nw`, `NM`, `NQ`, `NY`, at most a year) and `calendar_start` from the date of
//!   `calendar.startTime`. Measurements are daily counts in the reporting time zone, so the
//!   start's time of day and `calendar.timeZone` cannot be kept: the window starts with the start
//!   day (noted). A duration in minutes that makes no whole days (`1m`, as in OpenSLO's own
//!   calendar example) is read as months, noted: no calendar window is shorter than a day.
//! - `budgeting` = Occurrences → occurrences, Timeslices → timeslices, RatioTimeslices →
//!   ratio_timeslices (each day one slice, judged by the mean of the daily ratios; the
//!   objective's `timeSliceWindow` is not kept). A missing method is a row error.
//! - `indicator` = the SLO's label `indicator` (or `plumbline.dev/indicator`), else the SLI's,
//!   when it is a native value; otherwise `other`, listed in a note.
//! - Objective `value`/`op`/`timeSliceTarget`/`timeSliceWindow`, `spec.description`,
//!   `alertPolicies`, … have no native field: ignored and listed in a note.
//!
//! Services created (only with `team`): every `kind: Service` document and every SLO
//! `spec.service` that matches no known service. slug = the name (it must be a valid slug, or
//! a row error says to map it), name = the Service document's `displayName`, else the name,
//! tier = label `tier` (or `plumbline.dev/tier`) when 0–3, else 3 (noted), team = `team`.
//! Service documents for services that exist are not applied (noted).

mod convert;
mod objective;
mod yaml;

pub(super) use convert::convert;
