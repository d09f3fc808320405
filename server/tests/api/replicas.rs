//! Several servers on one Postgres behave as one: an import through one is read through
//! another, and the sign-in and token rate limits are counted once for all of them.

use serde_json::json;

use crate::helpers::{Backend, eventually, spawn_app};
use crate::warm_figures::high_sev;

/// Two servers on one Postgres: an import through one is read through the other at once on
/// the REST API, and on its pages within seconds.
#[tokio::test]
async fn an_import_through_one_replica_is_read_through_the_other() {
    let a = spawn_app(Backend::Postgres).await;
    crate::kpis::load(&a).await;
    let b = a.replica(1).await;
    let page_b = |path: &'static str| {
        let (client, base) = (a.client.clone(), b.clone());
        async move {
            let response = client.get(format!("{base}{path}")).send().await.expect("request");
            assert_eq!(response.status().as_u16(), 200);
            response.text().await.expect("html").replace("<!>", "")
        }
    };
    let before = high_sev(&page_b("/?period=2026-Q3").await);
    assert_eq!(before, "1");

    let late = json!([{"external_id": "INC-LATE", "title": "Late", "severity": "SEV1", "services": ["search"],
                       "started_at": "2026-08-20T00:00:00Z"}]);
    assert_eq!(a.post_json("incidents", &late).await.0, 200);
    let imported = std::time::Instant::now();
    let api: serde_json::Value = a
        .client
        .get(format!("{b}/api/v1/kpis?period=2026-Q3&scope=org"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(api["kpis"]["high_sev_count"], 2, "replica B's API sees A's import at once");
    eventually("replica B's overview shows A's import", || async {
        (high_sev(&page_b("/?period=2026-Q3").await) == "2").then_some(())
    })
    .await;
    let took = imported.elapsed();
    assert!(took < std::time::Duration::from_secs(10), "within 10 s: {took:?}");
    a.cleanup().await;
}

/// The token-creation limit (20 a minute per client) is one limit across replicas.
#[tokio::test]
async fn replicas_share_the_rate_limits() {
    let a = spawn_app(Backend::Postgres).await;
    let b = a.replica(0).await;
    let create = |base: String, n: usize| {
        let client = a.client.clone();
        async move {
            client
                .post(format!("{base}/api/v1/tokens"))
                .json(&json!({"name": format!("t{n}"), "scopes": ["read"]}))
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        }
    };
    crate::helpers::early_in_a_minute().await;
    // Alternating replicas: twenty pass whichever answers.
    for n in 0..20 {
        let base = if n % 2 == 0 { a.base.clone() } else { b.clone() };
        assert_eq!(create(base, n).await, 201, "token {n}");
    }
    assert_eq!(create(a.base.clone(), 20).await, 429, "the 21st, on A");
    assert_eq!(create(b.clone(), 21).await, 429, "and on B");
    a.cleanup().await;
}
