use super::*;

fn digest() -> Digest {
    Digest {
        team: "shop".into(),
        team_name: "Shop <&> Co".into(),
        week: "2026-W49".into(),
        link: "https://plumbline.example/teams/shop".into(),
        levels: BTreeMap::from([("cart".into(), Some(Level::Silver)), ("<script>".into(), None)]),
        level_changes: Some(vec![LevelChange {
            service: "cart".into(),
            before: Some(Level::Gold),
            after: Some(Level::Silver),
        }]),
        ahead: vec![Ahead { day: "2026-12-20".parse().unwrap(), headline: "cart drops Silver → Bronze".into() }],
        overdue: vec![Overdue { action: "SHOP-A1".into(), service: "cart".into(), days_overdue: 61 }],
        overdue_total: 12,
        campaigns: vec![CampaignLine {
            title: "DR <b>now</b>".into(),
            deadline: "2027-03-31".parse().unwrap(),
            met: 1,
            total: 2,
        }],
    }
}

#[test]
fn a_subscription_names_a_team_a_channel_and_a_plausible_address() {
    let ok = check_subscription("shop", "email", " sre@example.com ").unwrap();
    assert_eq!((ok.channel, ok.target.as_str()), (Channel::Email, "sre@example.com"));
    assert_eq!(check_subscription("shop", "webhook", "http://127.0.0.1:9/hook").unwrap().channel, Channel::Webhook);
    assert_eq!(check_subscription(ADMIN_NOTICES, "email", "admins@example.com").unwrap().team, None);
    assert!(check_subscription("Shop!", "email", "a@b").unwrap_err().contains("team"));
    assert!(check_subscription("shop", "sms", "a@b").unwrap_err().contains("not a channel"));
    assert_eq!(check_subscription("shop", "calendar", "ignored").unwrap().target, "");
    assert!(check_subscription(ADMIN_NOTICES, "calendar", "").is_err(), "a feed is a team's");
    for bad in ["nobody", "a@", "@b", "a b@c", "a@b@c", "<a@b>"] {
        assert!(check_subscription("shop", "email", bad).is_err(), "{bad}");
    }
    for bad in ["ftp://x", "javascript:alert(1)", "https://a b"] {
        assert!(check_subscription("shop", "webhook", bad).is_err(), "{bad}");
    }
}

#[test]
fn weeks_are_iso_weeks_and_level_changes_compare_services_present_in_both() {
    assert_eq!(iso_week("2026-12-07".parse().unwrap()), "2026-W50");
    // 2027-01-01 is a Friday: still the last ISO week of 2026.
    assert_eq!(iso_week("2027-01-01".parse().unwrap()), "2026-W53");
    let before =
        BTreeMap::from([("a".to_owned(), Some(Level::Gold)), ("b".to_owned(), None), ("gone".to_owned(), None)]);
    let now = BTreeMap::from([("a".to_owned(), Some(Level::Silver)), ("b".to_owned(), None), ("new".to_owned(), None)]);
    assert_eq!(
        level_changes(&before, &now),
        vec![LevelChange { service: "a".into(), before: Some(Level::Gold), after: Some(Level::Silver) }]
    );
}

#[test]
fn a_digest_reads_the_same_in_text_html_and_a_webhook_and_escapes_what_it_quotes() {
    let message = render_digest(&digest(), Some("https://plumbline.example/unsubscribe/t0k"));
    assert_eq!(message.subject, "Shop <&> Co · weekly reliability digest · 2026-W49");
    for line in [
        "- cart: Gold → Silver",
        "- 2026-12-20: cart drops Silver → Bronze",
        "- SHOP-A1 (cart): 61 days overdue",
        "- … and 11 more.",
        "- DR <b>now</b>: 1 of 2 services meet it, deadline 2027-03-31",
        "Stop these emails: https://plumbline.example/unsubscribe/t0k",
    ] {
        assert!(message.text.contains(line), "{line} in {}", message.text);
    }
    assert!(message.html.contains("<li>DR &lt;b&gt;now&lt;/b&gt;: 1 of 2 services meet it, deadline 2027-03-31</li>"));
    assert!(message.html.contains("<title>Shop &lt;&amp;&gt; Co"));
    assert!(!message.html.contains("<b>now"));
    let text = message.webhook["text"].as_str().unwrap();
    assert!(text.starts_with("Shop &lt;&amp;&gt; Co"), "{text}");
    let blocks = message.webhook["blocks"].to_string();
    assert!(blocks.contains("DR &lt;b&gt;now&lt;/b&gt;"), "{blocks}");
    assert_eq!(message.webhook["plumbline"]["week"], "2026-W49");

    let first =
        Digest { level_changes: None, ahead: vec![], overdue: vec![], overdue_total: 0, campaigns: vec![], ..digest() };
    let message = render_digest(&first, None);
    assert!(message.text.contains("This is the first digest"));
    assert!(message.text.contains("No postmortem action is overdue."));
    assert!(!message.text.contains("Stop these emails"), "webhooks carry no unsubscribe link");
}

#[test]
fn a_notice_reads_the_same_in_every_format_and_escapes_what_it_quotes() {
    let notice = Notice {
        event: Event::CampaignDeadline,
        team: "shop".into(),
        team_name: "Shop".into(),
        title: "Campaign <DR> ends in 14 days".into(),
        lines: vec!["1 of 2 services meet it; still open: cart".into()],
        link: "https://plumbline.example/campaigns/dr".into(),
    };
    let message = render_notice(&notice, Some("https://plumbline.example/unsubscribe/t"));
    assert_eq!(message.subject, "Shop · Campaign <DR> ends in 14 days");
    assert!(message.text.contains("- 1 of 2 services meet it; still open: cart"));
    assert!(message.text.contains("Details: https://plumbline.example/campaigns/dr"));
    assert!(message.html.contains("<h1>Shop · Campaign &lt;DR&gt; ends in 14 days</h1>"));
    assert!(message.webhook["text"].as_str().unwrap().contains("Campaign &lt;DR&gt;"));
    assert_eq!(message.webhook["plumbline"]["event"], "campaign_deadline");
    assert_eq!(Event::parse("waiver_ending"), Some(Event::WaiverEnding));
}
