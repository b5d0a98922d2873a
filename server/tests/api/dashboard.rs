//! The dashboard: counts, what needs attention first, the matrix, filters
//! from the URL, expiring credentials, permissions beyond need, setting a
//! problem aside, and its CSV; all read from stored checks, all scoped to
//! the caller's organisation.

use crate::support::dashboard::{count, fleet, EXTRA};
use crate::support::{app_error, spawn_app, PASSWORD};
use app::error::AppError;
use domain::dashboard::{ExpiryGroup, Remedy};
use domain::evaluation::Status;
use domain::finding::FindingCode;
use reqwest::StatusCode;
use std::time::Duration;
use time::macros::datetime;

#[tokio::test]
async fn the_dashboard_counts_every_status_and_lists_what_needs_attention_most_urgent_first() {
    let fleet = fleet().await;
    let view = fleet.dashboard(&[]).await;

    let counted: Vec<(Status, usize)> = view.counts.iter().map(|c| (c.status, c.count)).collect();
    assert_eq!(
        counted,
        vec![
            (Status::Healthy, 1),
            (Status::Warning, 2),
            (Status::Failing, 2),
            (Status::CouldNotCheck, 1),
            (Status::Stale, 0),
            (Status::NeverChecked, 1),
        ]
    );
    assert_eq!(view.shown, 7);

    let order: Vec<String> = view
        .attention
        .iter()
        .map(|a| a.registration_id.to_string())
        .collect();
    let expected: Vec<String> = [
        "fabrikam",
        "contoso-consent",
        "northwind",
        "litware",
        "contoso-extra",
    ]
    .iter()
    .map(|key| fleet.id(key))
    .collect();
    assert_eq!(order, expected, "failing (wrong secret before missing consent), could not check, then warnings (expiring first)");
    let wrong_secret = &view.attention[0];
    assert_eq!(wrong_secret.code, Some(FindingCode::InvalidSecret));
    assert_eq!(wrong_secret.headline, "The client secret is wrong");
    assert_eq!(wrong_secret.remedy, Remedy::ReplaceSecret);
    assert_eq!(wrong_secret.tenant_name, "Fabrikam");
    assert!(wrong_secret.since.is_some());
    assert_eq!(view.attention[1].remedy, Remedy::GrantConsent);
    assert_eq!(view.attention[2].status, Status::CouldNotCheck);
    assert_eq!(view.attention[2].remedy, Remedy::CheckAgain);
    assert_eq!(view.attention[3].code, Some(FindingCode::SecretExpiring));
    assert!(view.watch.newest_check.is_some());
}

#[tokio::test]
async fn a_cell_shows_the_worst_registration_serving_the_product_and_leads_to_it() {
    let fleet = fleet().await;
    let view = fleet.dashboard(&[]).await;
    assert_eq!(
        view.products
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>(),
        vec!["intune-publishing", "email", "recovery", "device-inventory"]
    );
    let names: Vec<&str> = view.matrix.iter().map(|r| r.tenant_name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "Adatum",
            "Contoso",
            "Fabrikam",
            "Litware",
            "Northwind Traders",
            "Tailspin"
        ]
    );
    let contoso = &view.matrix[1];
    let email = contoso.cells[1].as_ref().expect("Contoso's e-mail cell");
    assert_eq!(
        email.status,
        Status::Failing,
        "the worst of a warning and a failing"
    );
    assert_eq!(email.registrations, 2);
    assert_eq!(
        email.registration_id.to_string(),
        fleet.id("contoso-consent")
    );
    assert_eq!(
        contoso.cells[0], None,
        "no registration serves Intune publishing there"
    );
    let tailspin = &view.matrix[5];
    assert_eq!(
        tailspin.cells[1].as_ref().unwrap().status,
        Status::NeverChecked
    );
    assert_eq!(tailspin.cloud, domain::Cloud::GccHigh.label());

    let worst_first = fleet.dashboard(&[("sort", "worst")]).await;
    assert!(["Contoso", "Fabrikam"].contains(&worst_first.matrix[0].tenant_name.as_str()));
    let last: Vec<&str> = worst_first.matrix[4..]
        .iter()
        .map(|r| r.tenant_name.as_str())
        .collect();
    assert_eq!(
        last,
        vec!["Tailspin", "Adatum"],
        "never checked is of more concern than healthy"
    );
}

#[tokio::test]
async fn each_filter_narrows_the_view_and_counts_matrix_and_export_agree() {
    let fleet = fleet().await;
    let views: [&[(&str, &str)]; 10] = [
        &[],
        &[("status", "failing")],
        &[("status", "warning")],
        &[("product", "email")],
        &[("cloud", "gcc-high")],
        &[("finding", "consent_missing")],
        &[("expiring", "30")],
        &[("q", "conto")],
        &[("extra", EXTRA)],
        &[("q", "o"), ("status", "warning"), ("product", "email")],
    ];
    let mut shown = Vec::new();
    for pairs in views {
        let view = fleet.dashboard(pairs).await;
        let rows = fleet.export(pairs).await;
        let in_matrix: usize = view
            .matrix
            .iter()
            .flat_map(|row| row.cells.iter().flatten())
            .map(|cell| cell.registrations)
            .sum();
        assert_eq!(
            view.shown,
            rows.len(),
            "the export of {pairs:?} lists what the view shows"
        );
        assert_eq!(
            in_matrix, view.shown,
            "the matrix of {pairs:?} holds what the view shows"
        );
        let counted = match pairs.iter().find(|(name, _)| *name == "status") {
            Some((_, status)) => count(&view, Status::parse(status).unwrap()),
            None => view.counts.iter().map(|c| c.count).sum(),
        };
        assert_eq!(
            counted, view.shown,
            "the counts of {pairs:?} add up to what the view shows"
        );
        assert!(view.problems.is_empty(), "{:?}", view.problems);
        shown.push(view.shown);
    }
    assert_eq!(shown, vec![7, 2, 2, 7, 1, 1, 1, 2, 2, 1]);

    let conto = fleet.dashboard(&[("q", "CONTO")]).await;
    assert!(conto.matrix.iter().all(|row| row.tenant_name == "Contoso"));
    let rows = fleet.export(&[("q", "conto")]).await;
    assert!(rows.iter().all(|row| row.starts_with("Contoso,")));
    let combined = fleet
        .export(&[("q", "o"), ("status", "warning"), ("product", "email")])
        .await;
    assert_eq!(combined.len(), 1);
    assert!(combined[0].starts_with("Contoso,"), "Litware has no 'o'");
}

#[tokio::test]
async fn an_address_the_dashboard_cannot_read_is_named_and_the_rest_still_applies() {
    let fleet = fleet().await;
    let view = fleet
        .dashboard(&[
            ("status", "green"),
            ("product", "email"),
            ("expiring", "soon"),
            ("page", "99"),
        ])
        .await;
    assert_eq!(view.problems.len(), 2, "{:?}", view.problems);
    assert!(view.problems[0].contains("'green' is not a status"));
    assert!(view.problems[1].contains("not 'soon'"));
    assert_eq!(view.query.product.as_deref(), Some("email"));
    assert_eq!(view.query.status, None);
    assert_eq!(view.page, 1, "a page past the end shows the last one");
}

#[tokio::test]
async fn permissions_beyond_need_are_counted_across_tenants_and_lead_to_them() {
    let fleet = fleet().await;
    let view = fleet.dashboard(&[]).await;
    assert_eq!(view.beyond_need.len(), 1);
    let held = &view.beyond_need[0];
    assert_eq!(held.permission, EXTRA);
    assert_eq!((held.tenants, held.registrations), (2, 2));

    let rows = fleet.export(&[("extra", EXTRA)]).await;
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter().all(|row| row.contains(EXTRA)),
        "the export's extra_permissions column says what the filter matched: {rows:?}"
    );
    let drilled = fleet.dashboard(&[("extra", EXTRA)]).await;
    let names: Vec<&str> = drilled
        .matrix
        .iter()
        .map(|r| r.tenant_name.as_str())
        .collect();
    assert_eq!(names, vec!["Contoso", "Litware"]);
}

#[tokio::test]
async fn expiring_credentials_fall_into_their_groups_at_exact_boundaries() {
    let app = spawn_app().await;
    let at = datetime!(2026-12-01 00:00:00 UTC);
    // Recorded a while before, when none had expired yet.
    app.clock().set(at - time::Duration::days(10));
    let staff = app
        .admin_of("Northwind IT", "nadia@northwind.example")
        .await;
    let fleet = crate::support::dashboard::Fleet::without_microsoft(app, staff);
    let tenant = fleet
        .add_tenant("Boundary", "b0000000-0000-0000-0000-000000000001", "global")
        .await;
    // Secrets expire at midnight UTC of the date entered.
    for (n, date) in [
        "2026-12-01",
        "2026-12-08",
        "2026-12-09",
        "2026-12-15",
        "2026-12-31",
        "2027-01-01",
    ]
    .iter()
    .enumerate()
    {
        let client = format!("d0000000-0000-0000-0000-00000000000{n}");
        fleet
            .add_registration_expiring(&tenant, &client, date)
            .await;
    }
    fleet.app.clock().set(at);
    let staff = fleet
        .app
        .signed_in("nadia@northwind.example", PASSWORD)
        .await;
    let view = fleet.dashboard_as(&staff, &[]).await;
    let group = |group: ExpiryGroup| {
        view.expiring
            .iter()
            .find(|g| g.group == group)
            .map(|g| {
                g.items
                    .iter()
                    .map(|i| i.expires_at.date().to_owned())
                    .collect::<Vec<_>>()
            })
            .unwrap()
    };
    assert_eq!(
        group(ExpiryGroup::Expired),
        vec!["2026-12-01"],
        "expiring this instant is expired"
    );
    assert_eq!(
        group(ExpiryGroup::Within7Days),
        vec!["2026-12-08"],
        "exactly 7 days is within 7"
    );
    assert_eq!(
        group(ExpiryGroup::Within14Days),
        vec!["2026-12-09", "2026-12-15"]
    );
    assert_eq!(
        group(ExpiryGroup::Within30Days),
        vec!["2026-12-31"],
        "exactly 30 days is within 30; 31 is not"
    );
    let item = &view.expiring[1].items[0];
    assert_eq!(item.contacts, vec!["it@boundary.example".to_owned()]);
    assert_eq!(item.credential, "client secret");
    assert_eq!(item.remedy, Remedy::ReplaceSecret);

    // A day later the 8-day secret has crossed into the 7-day group.
    fleet.app.clock().set(at + time::Duration::days(1));
    let staff = fleet
        .app
        .signed_in("nadia@northwind.example", PASSWORD)
        .await;
    let later = fleet.dashboard_as(&staff, &[]).await;
    let within_7: Vec<String> = later.expiring[1]
        .items
        .iter()
        .map(|i| i.expires_at.date().to_owned())
        .collect();
    assert_eq!(within_7, vec!["2026-12-08", "2026-12-09"]);
}

#[tokio::test]
async fn a_registration_turns_stale_on_the_dashboard_when_checks_stop_without_anyone_writing() {
    let fleet = fleet().await;
    assert_eq!(count(&fleet.dashboard(&[]).await, Status::Stale), 0);
    fleet
        .app
        .clock()
        .advance(time::Duration::hours(2) + time::Duration::seconds(2));
    let staff = fleet
        .app
        .signed_in("nadia@northwind.example", PASSWORD)
        .await;
    let view = fleet.dashboard_as(&staff, &[]).await;
    assert_eq!(
        count(&view, Status::Healthy),
        0,
        "nothing unchecked stays green"
    );
    assert_eq!(
        count(&view, Status::Stale),
        6,
        "every checked registration, whatever it last showed"
    );
    assert_eq!(count(&view, Status::NeverChecked), 1);
}

#[tokio::test]
async fn acknowledging_sets_a_problem_aside_keeps_it_counted_and_it_returns_when_the_problem_changes(
) {
    let fleet = fleet().await;
    let consent = fleet.id("contoso-consent");
    let viewer = fleet
        .app
        .add_member(&fleet.staff, "val@northwind.example", "viewer")
        .await;

    let refused = fleet
        .app
        .call(
            &viewer,
            "acknowledge_problem",
            &[
                ("registration_id", consent.as_str()),
                ("form[note]", "x"),
                ("form[until]", ""),
            ],
        )
        .await;
    assert_eq!(app_error(refused).await, AppError::Forbidden);
    assert!(!fleet.dashboard_as(&viewer, &[]).await.can_acknowledge);

    let invalid = fleet
        .app
        .call(
            &fleet.staff,
            "acknowledge_problem",
            &[
                ("registration_id", consent.as_str()),
                ("form[note]", " "),
                ("form[until]", "2001-01-01"),
            ],
        )
        .await;
    let AppError::Invalid(problems) = app_error(invalid).await else {
        panic!("refused as invalid")
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, vec!["note", "until"]);

    let healthy = fleet
        .app
        .call(
            &fleet.staff,
            "acknowledge_problem",
            &[
                ("registration_id", fleet.id("adatum").as_str()),
                ("form[note]", "fine"),
                ("form[until]", ""),
            ],
        )
        .await;
    assert!(
        matches!(app_error(healthy).await, AppError::Conflict(_)),
        "nothing to acknowledge"
    );

    let done = fleet
        .app
        .call(
            &fleet.staff,
            "acknowledge_problem",
            &[
                ("registration_id", consent.as_str()),
                ("form[note]", "Customer's admin consents on Friday"),
                ("form[until]", ""),
            ],
        )
        .await;
    assert_eq!(done.status(), StatusCode::OK);
    let view = fleet.dashboard(&[]).await;
    assert_eq!(count(&view, Status::Failing), 2, "still counted");
    assert!(view
        .attention
        .iter()
        .all(|a| a.registration_id.to_string() != consent));
    let aside = &view.acknowledged[0];
    assert_eq!(aside.registration_id.to_string(), consent);
    let ack = aside.acknowledgement.as_ref().unwrap();
    assert_eq!(ack.note, "Customer's admin consents on Friday");
    assert_eq!(ack.by, "Admin of Northwind IT");
    assert_eq!(view.attention_total, 4);

    // The customer grants consent to the wrong permission set: the
    // problem is now another one, and the acknowledgement no longer holds.
    fleet.grant("contoso-consent", &["Mail.Send"]).await;
    crate::support::watch::admin(
        fleet.sim(),
        "/_admin/faults",
        serde_json::json!({"scope": {"client_id": "c0000000-0000-0000-0000-000000000003", "endpoint": "token"}, "kind": "status", "code": 503}),
    )
    .await;
    assert_eq!(fleet.check(&consent).await, Status::CouldNotCheck);
    let view = fleet.dashboard(&[]).await;
    assert!(view.acknowledged.is_empty());
    assert!(view
        .attention
        .iter()
        .any(|a| a.registration_id.to_string() == consent));

    // Withdrawn by hand: another acknowledgement, then brought back.
    let again = fleet
        .app
        .call(
            &fleet.staff,
            "acknowledge_problem",
            &[
                ("registration_id", consent.as_str()),
                ("form[note]", "Microsoft is down"),
                ("form[until]", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(fleet.dashboard(&[]).await.acknowledged.len(), 1);
    let back = fleet
        .app
        .call(
            &fleet.staff,
            "withdraw_acknowledgement",
            &[("registration_id", consent.as_str())],
        )
        .await;
    assert_eq!(back.status(), StatusCode::OK);
    assert!(fleet.dashboard(&[]).await.acknowledged.is_empty());
}

#[tokio::test]
async fn another_organisation_sees_nothing_of_the_dashboard_nor_its_export() {
    let fleet = fleet().await;
    let other = fleet
        .app
        .admin_of("Elsewhere MSP", "eve@elsewhere.example")
        .await;
    let view = fleet.dashboard_as(&other, &[]).await;
    assert_eq!(view.shown, 0);
    assert!(view.matrix.is_empty() && view.attention.is_empty() && view.beyond_need.is_empty());
    assert!(view.counts.iter().all(|c| c.count == 0));
    let text = other
        .get(fleet.app.url("/export/dashboard.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text.lines().count(), 1, "only the header");
    let refused = fleet
        .app
        .call(
            &other,
            "acknowledge_problem",
            &[
                ("registration_id", fleet.id("fabrikam").as_str()),
                ("form[note]", "mine now"),
                ("form[until]", ""),
            ],
        )
        .await;
    assert_eq!(app_error(refused).await, AppError::NotFound);
    let signed_out = crate::support::browser()
        .get(fleet.app.url("/export/dashboard.csv"))
        .send()
        .await
        .unwrap();
    assert!(
        signed_out.status().is_redirection(),
        "signed out, the export sends to sign-in"
    );
}

#[tokio::test]
async fn a_view_asked_for_while_another_reading_is_under_way_still_shows_the_check_just_stored() {
    let fleet = fleet().await;
    assert_eq!(count(&fleet.dashboard(&[]).await, Status::Failing), 2);

    // A reading is under way (the background refresh, another viewer)
    // when the check is stored and this viewer opens the dashboard.
    let under_way = fleet.app.hold_dashboard_reading("Northwind IT").await;
    fleet.grant("contoso-consent", &["Mail.Send"]).await;
    assert_eq!(
        fleet.check(&fleet.id("contoso-consent")).await,
        Status::Healthy
    );
    let (view, ()) = tokio::join!(fleet.dashboard(&[]), async move {
        // The view meets the reading under way, then the reading ends. (Had
        // the view come later, it would read for itself: no false alarm.)
        tokio::time::sleep(Duration::from_millis(300)).await;
        drop(under_way);
    });

    assert_eq!(
        count(&view, Status::Failing),
        1,
        "the reading kept from before the check is not served in its place"
    );
}

#[tokio::test]
async fn every_change_after_the_dashboard_was_read_shows_on_the_next_view() {
    let fleet = fleet().await;
    let before = fleet.dashboard(&[]).await;
    assert_eq!(count(&before, Status::Failing), 2);

    // A Contoso admin grants the missing consent; the check stored next
    // changes one registration, and the view read again shows it.
    fleet.grant("contoso-consent", &["Mail.Send"]).await;
    assert_eq!(
        fleet.check(&fleet.id("contoso-consent")).await,
        Status::Healthy
    );
    let consented = fleet.dashboard(&[]).await;
    assert_eq!(count(&consented, Status::Failing), 1);
    assert_eq!(count(&consented, Status::Healthy), 2);
    assert!(!consented
        .attention
        .iter()
        .any(|a| a.registration_id.to_string() == fleet.id("contoso-consent")));

    // A tenant renamed, then one archived: rows move, and both show.
    let renamed = fleet
        .app
        .call(
            &fleet.staff,
            "update_tenant",
            &[
                ("customer_tenant_id", fleet.tenants["Fabrikam"].as_str()),
                ("form[display_name]", "Fabrikam Inc"),
                ("form[tenant_id]", "a0000000-0000-0000-0000-000000000004"),
                ("form[primary_domain]", ""),
                ("form[cloud]", "global"),
                ("form[contacts]", "it@fabrikam.example"),
                ("form[notes]", ""),
            ],
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let after_rename = fleet.dashboard(&[]).await;
    let shown: Vec<(&str, Status)> = after_rename
        .attention
        .iter()
        .map(|a| (a.tenant_name.as_str(), a.status))
        .collect();
    assert_eq!(
        after_rename.attention[0].tenant_name, "Fabrikam Inc",
        "attention after the rename: {shown:?}"
    );
    let archived = fleet
        .app
        .call(
            &fleet.staff,
            "archive_tenant",
            &[
                ("customer_tenant_id", fleet.tenants["Fabrikam"].as_str()),
                ("archived", "true"),
            ],
        )
        .await;
    assert_eq!(archived.status(), StatusCode::OK);
    let after_archive = fleet.dashboard(&[]).await;
    assert_eq!(count(&after_archive, Status::Failing), 0);
    assert_eq!(after_archive.shown, 6);

    // A check stored after the layout changed is read into the new one.
    crate::support::watch::admin(
        fleet.sim(),
        "/_admin/apps/c0000000-0000-0000-0000-000000000001/roles",
        serde_json::json!({"revoke": ["Mail.Send"]}),
    )
    .await;
    assert_eq!(fleet.check(&fleet.id("adatum")).await, Status::Failing);
    let revoked = fleet.dashboard(&[]).await;
    assert_eq!(count(&revoked, Status::Failing), 1);
    assert_eq!(revoked.attention[0].tenant_name, "Adatum");
}

#[tokio::test]
async fn a_dashboard_looked_at_lately_is_brought_up_to_date_in_the_background() {
    let fleet = fleet().await;
    let before = fleet.dashboard(&[]).await;
    assert_eq!(count(&before, Status::Failing), 2);

    // Consent is granted and a check stored; nobody opens the dashboard.
    fleet.app.clock().advance(time::Duration::seconds(10));
    let stored_at = fleet.app.clock().now().unix_timestamp();
    fleet.grant("contoso-consent", &["Mail.Send"]).await;
    assert_eq!(
        fleet.check(&fleet.id("contoso-consent")).await,
        Status::Healthy
    );
    let mut waited = 0;
    while fleet.app.dashboard_read_at("Northwind IT").await != Some(stored_at) {
        assert!(waited < 200, "the reading was not brought up to date");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }

    fleet.app.clock().advance(time::Duration::seconds(5));
    let after = fleet.dashboard(&[]).await;
    assert_eq!(
        after.as_of.unix(),
        stored_at,
        "the page is served from the reading made in the background"
    );
    assert_eq!(count(&after, Status::Failing), 1);
}

#[tokio::test]
async fn the_dashboard_page_offers_each_reader_what_they_may_do_and_shows_a_refusal_only_to_whoever_was_refused(
) {
    let fleet = fleet().await;
    let viewer = fleet
        .app
        .add_member(&fleet.staff, "val@northwind.example", "viewer")
        .await;
    let page = |client: reqwest::Client| {
        let url = fleet.app.url("/");
        async move {
            let page = client.get(url).send().await.unwrap();
            let status = page.status();
            let location = page.headers().get("location").cloned();
            let text = page.text().await.unwrap();
            assert_eq!(
                status,
                StatusCode::OK,
                "{location:?} {}",
                &text[..text.len().min(600)]
            );
            text
        }
    };
    let form = "id=\"acknowledge\"";
    assert!(page(fleet.staff.clone()).await.contains(form));
    let viewers = page(viewer.clone()).await;
    assert!(
        !viewers.contains(form),
        "a viewer's page offers no acknowledgement, though a technician's was made just before"
    );
    assert!(
        viewers.contains("Contoso"),
        "the viewer sees the same lines"
    );

    // "Set aside" sent by the browser itself, without a note.
    let refused = fleet
        .staff
        .post(fleet.app.url("/api/acknowledge_problem"))
        .header(
            reqwest::header::ACCEPT,
            "text/html,application/xhtml+xml,*/*;q=0.8",
        )
        .header(reqwest::header::REFERER, fleet.app.url("/"))
        .form(&[
            ("registration_id", fleet.id("contoso-consent").as_str()),
            ("form[note]", ""),
            ("form[until]", ""),
        ])
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_redirection(), "{}", refused.status());
    let back = refused.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let answered = fleet
        .staff
        .get(&back)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    let status = answered.status();
    let answered = answered.text().await.unwrap();
    let why = "Say what is being done about it, so colleagues know.";
    assert!(
        answered.contains(why),
        "the page says why: {status} {back} {}",
        answered
            .find("<main")
            .map_or("", |at| &answered[at..(at + 1500).min(answered.len())])
    );
    assert!(
        !page(fleet.staff.clone()).await.contains(why),
        "the dashboard itself does not keep the refusal"
    );
}

#[tokio::test]
async fn a_dashboard_nobody_looked_at_for_a_quarter_of_an_hour_is_let_go_and_read_again_when_opened(
) {
    let fleet = fleet().await;
    let before = fleet.dashboard(&[]).await;
    assert!(fleet.app.dashboard_read_at("Northwind IT").await.is_some());

    fleet.app.clock().advance(time::Duration::minutes(15));
    let mut waited = 0;
    while fleet.app.dashboard_read_at("Northwind IT").await.is_some() {
        assert!(waited < 200, "the reading was kept");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }

    let again = fleet.dashboard(&[]).await;
    assert_eq!(again.counts, before.counts);
    assert_eq!(
        again.as_of.unix(),
        fleet.app.clock().now().unix_timestamp(),
        "read afresh"
    );
}
