//! `GET /unsubscribe/{token}`: the link at the foot of every notification email; and
//! `GET /calendar/{token}`: a calendar subscription's private iCalendar feed of its team's
//! forecast. Public: the token is the credential (24 random bytes, one per subscription).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::problem::Problem;
use crate::state::AppState;

fn page(title: &str, text: &str) -> String {
    // Fixed words and a team slug (a-z, 0-9, '.', '_', '-'): nothing to escape.
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Plumbline</title></head>\
         <body style=\"font-family:sans-serif;max-width:40rem;margin:3rem auto\"><h1>{title}</h1><p>{text}</p></body></html>"
    )
}

/// Ends the subscription the link names.
#[utoipa::path(get, path = "/unsubscribe/{token}", tag = "notifications", security(()),
    params(("token" = String, Path, description = "The subscription's unsubscribe token, from its emails")),
    responses((status = 200, description = "The subscription has ended (an HTML page)", content_type = "text/html"),
        (status = 404, description = "No subscription has this token", body = crate::problem::Problem)))]
pub async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let valid = token.len() == 48 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if !valid {
        return Problem::new(StatusCode::NOT_FOUND, "Unknown link", "this unsubscribe link is not valid")
            .into_response();
    }
    match state.notifier.unsubscribe(&token, crate::clock_now()).await {
        Ok(Some(sub)) => {
            tracing::info!(subscription = sub.id, "unsubscribed through the email link");
            let text = format!("The weekly digest of team {} is no longer sent to this address.", sub.team);
            Html(page("Unsubscribed", &text)).into_response()
        }
        Ok(None) => {
            Problem::new(StatusCode::NOT_FOUND, "Unknown link", "this unsubscribe link is not valid").into_response()
        }
        Err(error) => Problem::internal("ending a subscription", &error).into_response(),
    }
}

/// A calendar subscription's feed: its team's forecast over the next 90 days.
#[utoipa::path(get, path = "/calendar/{token}", tag = "notifications", security(()),
    params(("token" = String, Path, description = "The calendar subscription's token, optionally followed by `.ics`")),
    responses((status = 200, description = "The team's forecast as an iCalendar feed", content_type = "text/calendar"),
        (status = 404, description = "No active calendar subscription has this token", body = crate::problem::Problem)))]
pub async fn calendar(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let token = token.strip_suffix(".ics").unwrap_or(&token);
    let unknown =
        || Problem::new(StatusCode::NOT_FOUND, "Unknown link", "this calendar link is not valid").into_response();
    if token.len() != 48 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return unknown();
    }
    match state.notifier.calendar_feed(token).await {
        Ok(Some(team)) => super::forecast::team_feed(&state, team, super::forecast::DEFAULT_HORIZON_DAYS).await,
        Ok(None) => unknown(),
        Err(error) => Problem::internal("reading a calendar subscription", &error).into_response(),
    }
}
