//! `/import`: upload a CSV, JSON or NDJSON file for a record kind, or a file in a format teams
//! already have (OpenSLO YAML, Statuspage or PagerDuty exports, read by the adapters), preview
//! what it would do (a dry run: counts, and every row problem with its row, field and message),
//! then apply exactly the previewed file; below, the history of import batches.

use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{BatchRow, ImportHistory, ImportOutcome, ImportUpload, get_import_history, import_file};
use crate::components::page_error::PageError;
use crate::domain::format::count_of;
use crate::domain::ingest::RecordKind;
use crate::domain::ingest::adapters::Adapter;

/// The chosen file's name and text. Only the browser can read it: the form needs JavaScript.
#[cfg(feature = "hydrate")]
async fn read_chosen_file(input: NodeRef<Input>) -> Result<(String, String), String> {
    let element = input.get_untracked().ok_or("The file field is missing.")?;
    let file = element.files().and_then(|files| files.get(0)).ok_or("Choose a file first.")?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|_| "The file could not be read.".to_owned())?;
    Ok((file.name(), text.as_string().unwrap_or_default()))
}

#[cfg(not(feature = "hydrate"))]
async fn read_chosen_file(_input: NodeRef<Input>) -> Result<(String, String), String> {
    Err("Reading a file needs the browser.".to_owned())
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let query = use_query_map();
    let before = query.read_untracked().get("before").and_then(|b| b.parse::<i64>().ok());
    view! { <Title text="Import"/> <ImportApp before/> }
}

/// The whole page is interactive (the form reads a file, the history reloads after an import):
/// one island.
#[island]
fn ImportApp(before: Option<i64>) -> impl IntoView {
    // Bumped after an applied import, so the history shows the new batch.
    let reload = RwSignal::new(0_u32);
    let history = Resource::new(move || reload.get(), move |_| get_import_history(before));
    let can_import = move || history.get().and_then(Result::ok).is_some_and(|h| h.can_import);
    view! {
        <section class="hero">
            <h1>"Import"</h1>
            <p class="lede">
                "Upload a file of one record kind. Preview first: nothing is written until you apply, and "
                "a file with any invalid row is refused whole."
            </p>
        </section>
        // A transition, not a suspense: reloading the history keeps the form (and its result).
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the import history…"</p> }>
            <Show
                when=can_import
                fallback=|| view! { <p class="note panel">"Importing needs the editor or admin role; you can see the history."</p> }
            >
                <UploadForm on_applied=move |_| reload.update(|n| *n += 1)/>
            </Show>
            {move || history.get().map(|result| match result {
                Ok(history) => view! { <History history/> }.into_any(),
                Err(error) => view! { <PageError error title="Import history"/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn UploadForm(#[prop(into)] on_applied: Callback<()>) -> impl IntoView {
    let file = NodeRef::<Input>::new();
    let kind = RwSignal::new(RecordKind::Incidents);
    let format = RwSignal::new(String::new());
    let source = RwSignal::new("upload".to_owned());
    let severity_map = RwSignal::new(String::new());
    let service_map = RwSignal::new(String::new());
    let column_map = RwSignal::new(String::new());
    let team = RwSignal::new(String::new());
    let time_zone = RwSignal::new(String::new());
    let prometheus_url = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<ImportOutcome, String>>);
    // The upload last previewed without errors: "Apply" sends exactly it.
    let previewed = RwSignal::new(None::<ImportUpload>);
    let run = move |upload: ImportUpload| {
        busy.set(true);
        spawn_local(async move {
            let dry_run = upload.dry_run;
            let result = import_file(upload.clone()).await.map_err(|e| e.to_string());
            let clean = matches!(&result, Ok(o) if o.accepted);
            previewed.set((dry_run && clean).then_some(ImportUpload { dry_run: false, ..upload }));
            if clean && !dry_run {
                on_applied.run(());
            }
            outcome.set(Some(result));
            busy.set(false);
        });
    };
    let preview = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        previewed.set(None);
        busy.set(true);
        spawn_local(async move {
            match read_chosen_file(file).await {
                Ok((file_name, content)) => run(ImportUpload {
                    kind: kind.get_untracked(),
                    source: source.get_untracked(),
                    file_name,
                    format: format.get_untracked(),
                    content,
                    dry_run: true,
                    severity_map: severity_map.get_untracked(),
                    service_map: service_map.get_untracked(),
                    column_map: column_map.get_untracked(),
                    team: team.get_untracked(),
                    time_zone: time_zone.get_untracked(),
                    prometheus_url: prometheus_url.get_untracked(),
                }),
                Err(message) => {
                    outcome.set(Some(Err(message)));
                    busy.set(false);
                }
            }
        });
    };
    let apply = move |_| {
        if let Some(upload) = previewed.get_untracked() {
            previewed.set(None);
            run(upload);
        }
    };
    // Changing anything after a preview asks for a new one.
    let changed = move |_| previewed.set(None);
    view! {
        <section class="panel" aria-labelledby="upload-heading">
            <h2 id="upload-heading">"Upload a file"</h2>
            <noscript>
                <p class="note">
                    "This form reads the file in your browser, so it needs JavaScript. Without it, send the file "
                    "to the API: " <code>"curl -H 'Content-Type: text/csv' --data-binary @file.csv "
                    "'http://127.0.0.1:3000/api/v1/incidents?dry_run=true'"</code>
                </p>
            </noscript>
            <form class="import-form" on:submit=preview aria-label="Upload a file">
                <label for="import-kind">"Record kind"</label>
                <select id="import-kind" name="kind" on:change=move |ev| {
                    if let Some(chosen) = RecordKind::from_slug(&event_target_value(&ev)) {
                        kind.set(chosen);
                    }
                    previewed.set(None);
                }>
                    {RecordKind::ALL.into_iter().map(|k| {
                        let slug = k.slug();
                        view! { <option value=slug selected=slug == "incidents">{slug}</option> }
                    }).collect_view()}
                </select>
                <label for="import-file">"File"</label>
                <input id="import-file" type="file" name="file" accept=".csv,.json,.ndjson,.jsonl,.yaml,.yml,text/csv,application/json,application/yaml" node_ref=file on:change=changed required/>
                <label for="import-format">"Format"</label>
                <select id="import-format" name="format" on:change=move |ev| { format.set(event_target_value(&ev)); previewed.set(None); }>
                    <option value="" selected>"Detect from the file"</option>
                    <option value="csv">"CSV (header row)"</option>
                    <option value="json">"JSON array"</option>
                    <option value="ndjson">"NDJSON (one object per line)"</option>
                    {Adapter::ALL.into_iter().map(|a| view! { <option value=a.name()>{a.label()}</option> }).collect_view()}
                </select>
                <label for="import-source">"Source"</label>
                <input id="import-source" name="source" prop:value=move || source.get() on:input=move |ev| { source.set(event_target_value(&ev)); previewed.set(None); }/>
                <details class="adapter-options">
                    <summary>"Options for OpenSLO, Statuspage and PagerDuty files"</summary>
                    <p class="note" id="adapter-options-help">
                        "Maps are " <code>"key=value"</code> " pairs separated by commas. Components and PagerDuty services "
                        "match a service by slug or name unless mapped here."
                    </p>
                    <div class="adapter-fields">
                        <AdapterField id="import-severity-map" label="Severity map" hint="critical=SEV0,major=SEV1 or P1=SEV0" value=severity_map previewed/>
                        <AdapterField id="import-service-map" label="Service map" hint="Checkout API=checkout-api" value=service_map previewed/>
                        <AdapterField id="import-column-map" label="Column map (PagerDuty CSV)" hint="created_at=Opened,title=Summary" value=column_map previewed/>
                        <AdapterField id="import-team" label="Team for new services (OpenSLO)" hint="payments" value=team previewed/>
                        <AdapterField id="import-time-zone" label="Time zone of times without an offset (PagerDuty CSV)" hint="Europe/Berlin" value=time_zone previewed/>
                        <AdapterField id="import-prometheus-url" label="Prometheus server of the SLIs' queries (OpenSLO)" hint="http://prometheus:9090" value=prometheus_url previewed/>
                    </div>
                </details>
                <div class="import-actions">
                    <button class="button" type="submit" disabled=move || busy.get()>"Preview (dry run)"</button>
                    <button class="button" type="button" on:click=apply disabled=move || busy.get() || previewed.get().is_none()>
                        "Apply"
                    </button>
                    <span class="note" aria-live="polite">{move || busy.get().then_some("Working…")}</span>
                </div>
            </form>
            <div aria-live="polite" data-testid="import-result">
                {move || outcome.get().map(|result| match result {
                    Ok(outcome) => view! { <Outcome outcome/> }.into_any(),
                    Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

/// One text option of the adapters; editing it asks for a new preview.
#[component]
fn AdapterField(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    value: RwSignal<String>,
    previewed: RwSignal<Option<ImportUpload>>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id placeholder=hint aria-describedby="adapter-options-help" prop:value=move || value.get()
            on:input=move |ev| { value.set(event_target_value(&ev)); previewed.set(None); }/>
    }
}

#[component]
fn Outcome(outcome: ImportOutcome) -> impl IntoView {
    let summary = match (&outcome.refusal, outcome.accepted, outcome.dry_run) {
        (Some(reason), _, _) => format!("Refused: {reason}. Nothing was written."),
        (None, true, true) => format!(
            "Preview: {} rows, all valid — {} would be created, {} updated, {} unchanged. Nothing is written until you apply.",
            outcome.received, outcome.created, outcome.updated, outcome.unchanged
        ),
        (None, true, false) => format!(
            "Applied as import batch {}: {} rows — {} created, {} updated, {} unchanged.",
            outcome.batch_id.map_or_else(|| "—".to_owned(), |b| b.to_string()),
            outcome.received,
            outcome.created,
            outcome.updated,
            outcome.unchanged
        ),
        (None, false, _) => format!(
            "{} in {}: nothing was written. Fix the rows below and preview again.",
            count_of(outcome.error_count, "problem", "problems"),
            count_of(outcome.received, "row", "rows")
        ),
    };
    let class = if outcome.accepted { "import-summary ok" } else { "import-summary refused" };
    let errors = outcome.errors;
    let shown = errors.len() as u64;
    let more =
        (outcome.error_count > shown).then(|| format!("{} more problems not listed.", outcome.error_count - shown));
    view! {
        <p class=class data-testid="import-summary">{summary}</p>
        {(!errors.is_empty()).then(|| view! {
            <div class="table-scroll" tabindex="0">
                <table class="data import-errors">
                    <caption>"Row problems"</caption>
                    <thead><tr><th scope="col">"Row"</th><th scope="col">"Field"</th><th scope="col">"Problem"</th></tr></thead>
                    <tbody>
                        {errors.into_iter().map(|e| view! {
                            <tr>
                                <td class="numeric">{e.row.map_or_else(|| "—".to_owned(), |r| r.to_string())}</td>
                                <td>{e.field.unwrap_or_else(|| "—".to_owned())}</td>
                                <td>{e.message}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        {more.map(|m| view! { <p class="note">{m}</p> })}
        {(!outcome.notes.is_empty()).then(|| view! {
            <ul class="import-notes" aria-label="Notes on the file">
                {outcome.notes.into_iter().map(|note| view! { <li>{note}</li> }).collect_view()}
            </ul>
        })}
    }
}

#[component]
fn History(history: ImportHistory) -> impl IntoView {
    let next = history.next.map(|id| format!("/import?before={id}"));
    let empty = history.rows.is_empty();
    view! {
        <section class="panel" aria-labelledby="history-heading">
            <h2 id="history-heading">"Import history"</h2>
            {empty.then(|| view! { <p class="empty">"Nothing imported yet."</p> })}
            <div class="table-scroll" tabindex="0" hidden=empty>
                <table class="data import-history">
                    <caption class="visually-hidden">"Import batches, newest first, with who, when, source, file hash and counts"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Batch"</th>
                            <th scope="col">"When"</th>
                            <th scope="col">"Who"</th>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Source"</th>
                            <th scope="col">"File (format)"</th>
                            <th scope="col">"SHA-256"</th>
                            <th scope="col" class="numeric">"Rows"</th>
                            <th scope="col" class="numeric">"Created"</th>
                            <th scope="col" class="numeric">"Updated"</th>
                            <th scope="col" class="numeric">"Unchanged"</th>
                            <th scope="col" class="numeric">"Rejected"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {history.rows.into_iter().map(|b: BatchRow| view! {
                            <tr data-batch=b.id>
                                <td class="numeric">{b.id}</td>
                                <td>{b.started_at}</td>
                                <td>{b.actor}</td>
                                <td>{b.kind}</td>
                                <td><code>{b.source}</code></td>
                                <td>{b.file_name.unwrap_or_default()} " " <span class="note">"(" {b.format} ")"</span></td>
                                <td><code title=b.sha256.clone()>{b.sha256.get(..12).unwrap_or_default().to_owned()}</code></td>
                                <td class="numeric">{b.received}</td>
                                <td class="numeric">{b.created}</td>
                                <td class="numeric">{b.updated}</td>
                                <td class="numeric">{b.unchanged}</td>
                                <td class="numeric">{b.rejected}</td>
                                <td>{b.status}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {next.map(|link| view! { <nav class="pager" aria-label="Pages"><a href=link rel="next">"Older batches →"</a></nav> })}
        </section>
    }
}
