//! The document shell and the router: which page answers which path.

use leptos::prelude::*;
use leptos_meta::{Link, MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use crate::components::{chrome, escape, theme};
use crate::pages::{
    access, audit, campaigns, drill_down, evidence, import, jobs, kpis, notifications, oncall, overview, readiness,
    report, reports, restatements, samples, service, services, team, teams, tokens, waivers,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let theme = theme::current().attribute();
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=theme>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <chrome::ContentSecurityPolicy/>
                // Content-hashed by the server (`output_name` is `plumbline-<hash>`).
                <link rel="stylesheet" id="plumbline" href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name)/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    chrome::provide_viewer();
    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        // Each page names itself ("Services", "checkout-api · 2026-Q3"); the tab reads
        // "… · Plumbline", or "Plumbline" alone.
        <Title formatter=escape::page_title text=""/>
        <Router>
            <chrome::LocalModeBanner/>
            <header class="site-header">
                <A href="/" attr:class="brand">"Plumbline"</A>
                <nav aria-label="Main">
                    <A href="/">"Overview"</A>
                    <A href="/teams">"Teams"</A>
                    <A href="/kpis">"KPIs"</A>
                    <A href="/services">"Services"</A>
                    <A href="/reports">"Reports"</A>
                    <A href="/import">"Import"</A>
                    <A href="/waivers">"Waivers"</A>
                    <A href="/campaigns">"Campaigns"</A>
                    <chrome::AuditNavLink/>
                </nav>
                <div class="viewer">
                    <theme::ThemeSwitch/>
                    <chrome::ViewerBar/>
                </div>
            </header>
            <main id="main">
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=overview::OverviewPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("audit") view=audit::AuditPage/>
                    <Route path=StaticSegment("access") view=access::AccessPage/>
                    <Route path=StaticSegment("jobs") view=jobs::JobsPage/>
                    <Route path=StaticSegment("notifications") view=notifications::NotificationsPage/>
                    <Route path=StaticSegment("tokens") view=tokens::TokensPage/>
                    <Route path=StaticSegment("evidence") view=evidence::EvidencePage/>
                    <Route path=StaticSegment("samples") view=samples::SamplesPage/>
                    <Route path=StaticSegment("services") view=services::ServicesPage/>
                    <Route path=StaticSegment("import") view=import::ImportPage/>
                    <Route path=StaticSegment("waivers") view=waivers::WaiversPage/>
                    <Route path=StaticSegment("campaigns") view=campaigns::CampaignsPage/>
                    <Route
                        path=(StaticSegment("campaigns"), ParamSegment("slug"))
                        view=campaigns::CampaignPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("reports") view=reports::ReportsPage/>
                    <Route path=StaticSegment("teams") view=teams::TeamsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("kpis") view=kpis::KpisPage ssr=SsrMode::Async/>
                    // Rendered whole before sending, so an unknown service can answer 404.
                    <Route
                        path=(StaticSegment("services"), ParamSegment("slug"))
                        view=service::ServicePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("kpis"), ParamSegment("kpi"))
                        view=drill_down::DrillDownPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("reports"), ParamSegment("period"))
                        view=report::ReportPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("restatements"), ParamSegment("period"))
                        view=restatements::RestatementsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("teams"), ParamSegment("slug"))
                        view=team::TeamPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("teams"), ParamSegment("slug"), StaticSegment("self-assessment"))
                        view=readiness::ReadinessPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("teams"), ParamSegment("slug"), StaticSegment("oncall"))
                        view=oncall::OncallPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <section class="panel">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <A href="/">"Go to the overview"</A> "."</p>
        </section>
    }
}
