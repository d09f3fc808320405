//! `GET /unsubscribe/{token}`: the link at the foot of every notification email; and
//! `GET /calendar/{token}`: a calendar subscription's private iCalendar feed of its team's
//! forecast. Public: the token is the credential (24 random bytes, one per subscription).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::problem::Problem;
use crate::state::AppState;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Plumbline</title></head>\
         <body style=\"font-family:sans-serif;max-width:40rem;margin:3rem auto\"><h1>{title}</h1>{body}</body></html>"
    )
}

fn valid(token: &str) -> bool {
    token.len() == 48 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

fn unknown() -> Response {
    Problem::new(StatusCode::NOT_FOUND, "Unknown link", "this unsubscribe link is not valid").into_response()
}

/// Asks to confirm: opening the link ends nothing (mail scanners open links on their own).
#[utoipa::path(get, path = "/unsubscribe/{token}", tag = "notifications", security(()),
    params(("token" = String, Path, description = "The subscription's unsubscribe token, from its emails")),
    responses((status = 200, description = "A page with the button that ends the subscription (HTML)", content_type = "text/html"),
        (status = 404, description = "No subscription has this token", body = crate::problem::Problem)))]
pub async fn confirm_unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if !valid(&token) {
        return unknown();
    }
    match state.notifier.subscription_by_token(&token).await {
        // A token is 48 hex digits and a team a slug: nothing here needs escaping.
        Ok(Some(sub)) if sub.ended_at.is_none() => {
            let body = format!(
                "<p>Stop sending team {}'s notifications to this address?</p>\
                 <form method=\"post\" action=\"/unsubscribe/{token}\"><button type=\"submit\">Unsubscribe</button></form>",
                sub.team
            );
            Html(page("Unsubscribe", &body)).into_response()
        }
        Ok(Some(_)) => Html(page("Unsubscribed", "<p>This subscription has ended already.</p>")).into_response(),
        Ok(None) => unknown(),
        Err(error) => Problem::internal("reading a subscription", &error).into_response(),
    }
}

/// Ends the subscription the link names (the confirmation page's button).
#[utoipa::path(post, path = "/unsubscribe/{token}", tag = "notifications", security(()),
    params(("token" = String, Path, description = "The subscription's unsubscribe token, from its emails")),
    responses((status = 200, description = "The subscription has ended (an HTML page)", content_type = "text/html"),
        (status = 404, description = "No subscription has this token", body = crate::problem::Problem)))]
pub async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    if !valid(&token) {
        return unknown();
    }
    match state.notifier.unsubscribe(&token, crate::clock_now()).await {
        Ok(Some(sub)) => {
            tracing::info!(subscription = sub.id, "unsubscribed through the email link");
            let text = format!("<p>Team {}'s notifications are no longer sent to this address.</p>", sub.team);
            Html(page("Unsubscribed", &text)).into_response()
        }
        Ok(None) => unknown(),
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
    if !valid(token) {
        return unknown();
    }
    match state.notifier.calendar_feed(token).await {
        Ok(Some(team)) => super::forecast::team_feed(&state, team, super::forecast::DEFAULT_HORIZON_DAYS).await,
        Ok(None) => unknown(),
        Err(error) => Problem::internal("reading a calendar subscription", &error).into_response(),
    }
}
