//! The dashboard's Settings and Automation pages: each section shows what
//! is stored, a good save changes it (read back through the API), a bad
//! value shows its error next to the field and changes nothing, only the
//! owner changes settings, and another business's ids are not found.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use common::dashboard::Html;
use common::{Owner, TestApp, on_every_backend};
use serde_json::{Value, json};

/// The text of the field error after the (invalid) input named `name`.
fn error_after(page: &Html, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\"");
    page.body.match_indices(&needle).find_map(|(at, _)| {
        let rest = &page.body[at..];
        let input_end = rest.find('>')?;
        if !rest[..input_end].contains("aria-invalid=\"true\"") {
            return None;
        }
        let after = &rest[input_end..];
        let start = after.find("class=\"field-error\"")?;
        let text = &after[start..];
        let open = text.find('>')? + 1;
        let close = text.find("</p>")?;
        Some(text[open..close].to_string())
    })
}

async fn api(app: &TestApp, owner: &Owner, path: &str) -> Value {
    let r = app.get(path, &owner.token).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
    r.body
}

#[tokio::test]
async fn business_details_show_save_and_refuse_a_bad_timezone() {
    on_every_backend(|app| async move {
        let owner = app.register("set-biz", "tailor").await;
        let web = app.web(&owner).await;
        let page = app.page(&web, "/app/settings/business").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.shows("Business set-biz"));
        assert!(page.shows("value=\"Africa/Lagos\""));
        assert!(page.shows("NGN"), "the currency is shown");

        let good = app
            .form(
                &web,
                "/app/settings/business",
                &[
                    ("business_name", "Amaka Stitches"),
                    ("phone", "+2348031234567"),
                    ("timezone", "Africa/Accra"),
                    ("locale", "en-NG"),
                    ("country", "NG"),
                    ("order_prefix", "AMK"),
                ],
            )
            .await;
        assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
        let s = api(&app, &owner, "/api/v1/settings").await;
        assert_eq!(s["business_name"], "Amaka Stitches");
        assert_eq!(s["timezone"], "Africa/Accra");
        assert_eq!(s["order_prefix"], "AMK");

        let bad = app
            .form(
                &web,
                "/app/settings/business",
                &[
                    ("business_name", "Renamed"),
                    ("phone", ""),
                    ("timezone", "Mars/Olympus_Mons"),
                    ("locale", "en-NG"),
                    ("country", "NG"),
                    ("order_prefix", "AMK"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let e = error_after(&bad, "timezone").expect("the error is next to the timezone");
        assert!(e.contains("IANA timezone"), "{e}");
        assert!(
            bad.shows("value=\"Mars/Olympus_Mons\""),
            "what was typed stays"
        );
        let s = api(&app, &owner, "/api/v1/settings").await;
        assert_eq!(s["business_name"], "Amaka Stitches", "nothing changed");
        assert_eq!(s["timezone"], "Africa/Accra");

        // Ordering: delivery off and pickup off together is refused.
        let none = app
            .form(
                &web,
                "/app/settings/ordering",
                &[("consume_stock_on", "payment"), ("handoff_hours", "12")],
            )
            .await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(none.shows("offer delivery, pickup or both"));
        let ok = app
            .form(
                &web,
                "/app/settings/ordering",
                &[
                    ("offers_pickup", "1"),
                    ("consume_stock_on", "payment"),
                    ("handoff_hours", "12"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let o = api(&app, &owner, "/api/v1/settings/ordering").await;
        assert_eq!(o["offers_delivery"], false);
        assert_eq!(o["handoff_hours"], 12);
        assert_eq!(o["consume_stock_on"], "payment");
    })
    .await;
}

#[tokio::test]
async fn opening_hours_save_and_a_shift_that_closes_when_it_opens_is_refused() {
    on_every_backend(|app| async move {
        let owner = app.register("set-hours", "restaurant").await;
        let web = app.web(&owner).await;
        let saved = app
            .form(
                &web,
                "/app/settings/hours",
                &[
                    ("mon_0_opens", "11:00"),
                    ("mon_0_closes", "15:00"),
                    ("mon_1_opens", "19:00"),
                    ("mon_1_closes", "23:30"),
                    ("fri_0_opens", "19:00"),
                    ("fri_0_closes", "02:00"),
                    ("last_order_minutes", "30"),
                    ("closed_dates", "2026-12-25\n2027-01-01"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let h = api(&app, &owner, "/api/v1/hours").await;
        assert_eq!(h["weekly"]["mon"][1]["closes"], "23:30");
        assert_eq!(h["weekly"]["fri"][0]["closes"], "02:00");
        assert_eq!(h["closed_dates"][1], "2027-01-01");
        let page = app.page(&web, "/app/settings/hours").await;
        assert!(page.shows("value=\"23:30\""));
        assert!(page.shows("2026-12-25"));

        let bad = app
            .form(
                &web,
                "/app/settings/hours",
                &[("tue_0_opens", "09:00"), ("tue_0_closes", "09:00")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let e = error_after(&bad, "tue_0_opens").expect("the error is on Tuesday's row");
        assert!(e.contains("must differ from the opening time"), "{e}");
        let overlap = app
            .form(
                &web,
                "/app/settings/hours",
                &[
                    ("wed_0_opens", "09:00"),
                    ("wed_0_closes", "14:00"),
                    ("wed_1_opens", "13:00"),
                    ("wed_1_closes", "18:00"),
                ],
            )
            .await;
        assert_eq!(overlap.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_after(&overlap, "wed_1_opens").is_some_and(|e| e.contains("overlaps")));
        let after = api(&app, &owner, "/api/v1/hours").await;
        assert_eq!(after["weekly"], h["weekly"], "nothing changed");
    })
    .await;
}

#[tokio::test]
async fn zones_are_added_edited_deleted_and_a_negative_fee_is_refused() {
    on_every_backend(|app| async move {
        let owner = app.register("set-zones", "shop").await;
        let web = app.web(&owner).await;
        let add = app
            .form(
                &web,
                "/app/settings/zones",
                &[
                    ("name", "Westlands"),
                    ("fee", "250"),
                    ("min_order", "1,000"),
                    ("is_active", "1"),
                ],
            )
            .await;
        assert_eq!(add.status, StatusCode::SEE_OTHER, "{}", add.body);
        let z = api(&app, &owner, "/api/v1/zones").await;
        assert_eq!(z["items"][0]["fee"], 25_000, "KES 250 in cents");
        assert_eq!(z["items"][0]["min_order"], 100_000);
        let id = z["items"][0]["id"].as_str().unwrap().to_string();
        let page = app.page(&web, "/app/settings/zones").await;
        assert!(page.shows("Westlands"));
        assert!(page.shows("value=\"250\""));

        let bad = app
            .form(
                &web,
                "/app/settings/zones",
                &[("name", "Kilimani"), ("fee", "-5")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let e = error_after(&bad, "fee").expect("the error is next to the fee");
        assert!(e.contains("0 or more"), "{e}");
        // The same post from a script: the envelope with the field.
        let json = app
            .form_json(
                &web,
                "/app/settings/zones",
                &[("name", "Kilimani"), ("fee", "-5")],
            )
            .await;
        assert_eq!(json.status, StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(body["error"]["code"], "validation_failed");
        assert!(
            body["error"]["fields"]["fee"]
                .as_str()
                .unwrap()
                .contains("0 or more")
        );
        let dup = app
            .form(
                &web,
                "/app/settings/zones",
                &[("name", "Westlands"), ("fee", "1")],
            )
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert!(error_after(&dup, "name").is_some_and(|e| e.contains("already exists")));
        assert_eq!(
            api(&app, &owner, "/api/v1/zones").await["items"]
                .as_array()
                .unwrap()
                .len(),
            1,
            "nothing added"
        );

        let edit = app
            .form(
                &web,
                &format!("/app/settings/zones/{id}"),
                &[("name", "Westlands"), ("fee", "300.50"), ("min_order", "0")],
            )
            .await;
        assert_eq!(edit.status, StatusCode::SEE_OTHER, "{}", edit.body);
        let z = api(&app, &owner, "/api/v1/zones").await;
        assert_eq!(z["items"][0]["fee"], 30_050);
        assert_eq!(z["items"][0]["is_active"], false, "the box was unticked");

        // Another business's zone: not found, to edit or delete.
        let other = app.register("set-zones-2", "shop").await;
        let other_web = app.web(&other).await;
        let path = format!("/app/settings/zones/{id}");
        let r = app
            .form(&other_web, &path, &[("name", "Mine"), ("fee", "1")])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.form(&other_web, &format!("{path}/delete"), &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.form(&web, "/app/settings/zones/not-an-id", &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(
            api(&app, &owner, "/api/v1/zones").await["items"][0]["fee"],
            30_050
        );

        let del = app.form(&web, &format!("{path}/delete"), &[]).await;
        assert_eq!(del.status, StatusCode::SEE_OTHER);
        assert!(
            api(&app, &owner, "/api/v1/zones").await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn payment_methods_save_and_a_provider_secret_never_shows() {
    on_every_backend(|app| async move {
        let owner = app.register("set-pay", "tailor").await;
        let web = app.web(&owner).await;
        let m = app
            .form(
                &web,
                "/app/settings/payments",
                &[
                    ("payment_methods", "transfer"),
                    ("payment_methods", "card"),
                    ("bank_details", "GTBank 0123456789"),
                    ("deposit_percent", "40"),
                ],
            )
            .await;
        assert_eq!(m.status, StatusCode::SEE_OTHER, "{}", m.body);
        let o = api(&app, &owner, "/api/v1/settings/ordering").await;
        assert_eq!(o["payment_methods"], json!(["transfer", "card"]));
        assert_eq!(o["deposit_percent"], 40);
        let bad = app
            .form(
                &web,
                "/app/settings/payments",
                &[("payment_methods", "cash"), ("deposit_percent", "140")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_after(&bad, "deposit_percent").is_some_and(|e| e.contains("0 to 100")));
        assert_eq!(
            api(&app, &owner, "/api/v1/settings/ordering").await["deposit_percent"],
            40
        );

        let secret = "sk_test_TOPSECRET_4242";
        let r = app
            .form(
                &web,
                "/app/settings/payments/paystack",
                &[("secret_key", secret), ("is_active", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let providers = api(&app, &owner, "/api/v1/payments/providers").await;
        let ps = providers
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["provider"] == "paystack")
            .unwrap();
        assert_eq!(ps["has_keys"], true);
        let page = app.page(&web, "/app/settings/payments").await;
        assert!(page.shows("Keys stored"));
        assert!(!page.body.contains(secret), "the secret is never rendered");
        assert!(!page.body.contains("TOPSECRET"));

        // Flutterwave needs two keys: one alone is refused next to the form.
        let half = app
            .form(
                &web,
                "/app/settings/payments/flutterwave",
                &[("secret_key", "FLWSECK-x"), ("is_active", "1")],
            )
            .await;
        assert_eq!(half.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(half.shows("missing its secret_hash"));
        assert!(!half.body.contains("FLWSECK-x"));
    })
    .await;
}

#[tokio::test]
async fn whatsapp_numbers_are_added_and_turned_off() {
    on_every_backend(|app| async move {
        let owner = app.register("set-wa", "shop").await;
        let web = app.web(&owner).await;
        let bad = app
            .form(
                &web,
                "/app/settings/whatsapp",
                &[
                    ("display_phone_number", "+254 700 000 001"),
                    ("phone_number_id", "abc"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_after(&bad, "phone_number_id").is_some_and(|e| e.contains("numeric")));
        let r = app
            .form(
                &web,
                "/app/settings/whatsapp",
                &[
                    ("display_phone_number", "+254 700 000 001"),
                    ("phone_number_id", "1098765432"),
                    ("access_token", "EAAG-never-shown"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let n = api(&app, &owner, "/api/v1/whatsapp/numbers").await;
        let id = n["items"][0]["id"].as_str().unwrap().to_string();
        assert_eq!(n["items"][0]["active"], true);
        let page = app.page(&web, "/app/settings/whatsapp").await;
        assert!(page.shows("+254 700 000 001"));
        assert!(!page.body.contains("EAAG-never-shown"));

        let off = app
            .form(
                &web,
                &format!("/app/settings/whatsapp/{id}"),
                &[("active", "0")],
            )
            .await;
        assert_eq!(off.status, StatusCode::SEE_OTHER);
        let n = api(&app, &owner, "/api/v1/whatsapp/numbers").await;
        assert_eq!(n["items"][0]["active"], false);

        let other = app.register("set-wa-2", "shop").await;
        let other_web = app.web(&other).await;
        let r = app
            .form(
                &other_web,
                &format!("/app/settings/whatsapp/{id}"),
                &[("active", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let n = api(&app, &owner, "/api/v1/whatsapp/numbers").await;
        assert_eq!(n["items"][0]["active"], false);
    })
    .await;
}

#[tokio::test]
async fn the_team_grows_roles_change_and_the_last_owner_stays() {
    on_every_backend(|app| async move {
        let owner = app.register("set-team", "tailor").await;
        let web = app.web(&owner).await;
        let add = app
            .form(
                &web,
                "/app/settings/team",
                &[
                    ("name", "Chidi"),
                    ("email", "chidi@set-team.example"),
                    ("password", "password123"),
                    ("role", "staff"),
                ],
            )
            .await;
        assert_eq!(add.status, StatusCode::SEE_OTHER, "{}", add.body);
        let users = api(&app, &owner, "/api/v1/users").await;
        let chidi = users["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == "chidi@set-team.example")
            .unwrap()
            .clone();
        assert_eq!(chidi["role"], "staff");
        let page = app.page(&web, "/app/settings/team").await;
        assert!(page.shows("chidi@set-team.example"));

        let dup = app
            .form(
                &web,
                "/app/settings/team",
                &[
                    ("name", "Other Chidi"),
                    ("email", "chidi@set-team.example"),
                    ("password", "password123"),
                    ("role", "viewer"),
                ],
            )
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert!(error_after(&dup, "email").is_some_and(|e| e.contains("already exists")));
        assert_eq!(
            api(&app, &owner, "/api/v1/users").await["items"]
                .as_array()
                .unwrap()
                .len(),
            2
        );

        let id = chidi["id"].as_str().unwrap();
        let r = app
            .form(
                &web,
                &format!("/app/settings/team/{id}"),
                &[("role", "viewer")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = app
            .form(
                &web,
                &format!("/app/settings/team/{id}"),
                &[("is_active", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let users = api(&app, &owner, "/api/v1/users").await;
        let c = users["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id)
            .unwrap();
        assert_eq!(c["role"], "viewer");
        assert_eq!(c["is_active"], false);

        // The only owner can neither step down nor leave.
        let me = format!("/app/settings/team/{}", owner.user_id);
        let r = app.form(&web, &me, &[("is_active", "0")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.shows("at least one active owner"));
        let r = app.form(&web, &me, &[("role", "staff")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let users = api(&app, &owner, "/api/v1/users").await;
        let o = users["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == owner.user_id.as_str())
            .unwrap();
        assert_eq!(o["role"], "owner");
        assert_eq!(o["is_active"], true);

        let other = app.register("set-team-2", "tailor").await;
        let other_web = app.web(&other).await;
        let r = app
            .form(
                &other_web,
                &format!("/app/settings/team/{id}"),
                &[("is_active", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .form(
                &other_web,
                &format!("/app/settings/team/{id}"),
                &[("role", "bogus")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn wording_overrides_are_checked_saved_and_reset() {
    on_every_backend(|app| async move {
        let owner = app.register("set-words", "restaurant").await;
        let web = app.web(&owner).await;
        let page = app
            .page(&web, "/app/settings/wording?lang=es&q=hello")
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.shows("Hola {name}"), "the built-in Spanish text");

        let bad = app
            .form(
                &web,
                "/app/settings/wording",
                &[
                    ("lang", "es"),
                    ("key", "hello"),
                    ("text", "Buenas {nombre}"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let e = error_after(&bad, "text").expect("the error is next to the text");
        assert!(e.contains("{nombre} is not available here"), "{e}");
        assert!(bad.shows("Buenas {nombre}"), "what was typed stays");
        let o = api(&app, &owner, "/api/v1/settings/ordering").await;
        assert_eq!(o["texts"], json!({}), "nothing stored");

        let good = app
            .form(
                &web,
                "/app/settings/wording",
                &[("lang", "es"), ("key", "hello"), ("text", "Buenas, {name}")],
            )
            .await;
        assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
        let o = api(&app, &owner, "/api/v1/settings/ordering").await;
        assert_eq!(o["texts"]["es"]["hello"], "Buenas, {name}");
        let page = app
            .page(&web, "/app/settings/wording?lang=es&q=hello")
            .await;
        assert!(page.shows("Buenas, {name}"));

        let reset = app
            .form(
                &web,
                "/app/settings/wording/reset",
                &[("lang", "es"), ("key", "hello")],
            )
            .await;
        assert_eq!(reset.status, StatusCode::SEE_OTHER);
        let o = api(&app, &owner, "/api/v1/settings/ordering").await;
        assert_eq!(o["texts"], json!({}));
    })
    .await;
}

#[tokio::test]
async fn staff_and_viewers_read_settings_but_their_posts_are_refused() {
    on_every_backend(|app| async move {
        let owner = app.register("set-roles", "shop").await;
        let staff = app
            .add_user(&owner, "staff@set-roles.example", "staff")
            .await;
        let viewer = app
            .add_user(&owner, "viewer@set-roles.example", "viewer")
            .await;
        let owner_web = app.web(&owner).await;
        let tid = app.page(&owner_web, "/app/automation").await;
        assert_eq!(tid.status, StatusCode::OK);
        for who in [&staff, &viewer] {
            let web = app.web(who).await;
            let page = app.page(&web, "/app/settings/business").await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.shows("Only the owner can change these settings."));
            assert!(
                !page.body.contains("type=\"submit\">Save"),
                "no save button"
            );
            let r = app
                .form(
                    &web,
                    "/app/settings/business",
                    &[("business_name", "Taken over"), ("timezone", "UTC")],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            let r = app
                .form(
                    &web,
                    "/app/settings/zones",
                    &[("name", "Sneaky"), ("fee", "1")],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            let r = app
                .form(
                    &web,
                    "/app/automation/quiet",
                    &[("quiet_start", "20:00"), ("quiet_end", "09:00")],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            let pay = app.page(&web, "/app/settings/payments").await;
            assert!(pay.shows("Only the owner sees the payment providers."));
        }
        let s = api(&app, &owner, "/api/v1/settings").await;
        assert_eq!(s["business_name"], "Business set-roles");
        assert!(
            api(&app, &owner, "/api/v1/zones").await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            api(&app, &owner, "/api/v1/automation/settings").await["quiet_start"],
            "21:00"
        );
    })
    .await;
}

async fn trigger(app: &TestApp, owner: &Owner, kind: &str) -> Value {
    api(app, owner, "/api/v1/automation/triggers").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == kind)
        .unwrap()
        .clone()
}

#[tokio::test]
async fn automation_toggles_persist_thresholds_are_checked_and_the_preview_lists_recipients() {
    on_every_backend(|app| async move {
        let owner = app.register("set-auto", "tailor").await;
        let web = app.web(&owner).await;
        let t = trigger(&app, &owner, "birthday").await;
        let id = t["id"].as_str().unwrap().to_string();
        let page = app.page(&web, "/app/automation").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.shows("Birthday greetings"));
        assert!(page.shows("value=\"21:00\""), "the quiet hours");

        let off = app
            .form(
                &web,
                &format!("/app/automation/triggers/{id}"),
                &[("enabled", "0")],
            )
            .await;
        assert_eq!(off.status, StatusCode::SEE_OTHER);
        assert_eq!(trigger(&app, &owner, "birthday").await["enabled"], false);
        assert_eq!(trigger(&app, &owner, "birthday").await["params"], "days=14");

        let bad = app
            .form(
                &web,
                &format!("/app/automation/triggers/{id}"),
                &[("thresholds", "1"), ("enabled", "1"), ("days", "99")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            error_after(&bad, "days").is_some_and(|e| e.contains("between 0 and 60")),
            "the error is next to days"
        );
        assert_eq!(trigger(&app, &owner, "birthday").await["enabled"], false);
        let good = app
            .form(
                &web,
                &format!("/app/automation/triggers/{id}"),
                &[("thresholds", "1"), ("enabled", "1"), ("days", "7")],
            )
            .await;
        assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
        let t = trigger(&app, &owner, "birthday").await;
        assert_eq!(t["enabled"], true);
        assert_eq!(t["params"], "days=7");

        // A customer with an order whose birthday is in seven days (local
        // time) is who it would reach.
        let lagos: chrono_tz::Tz = "Africa/Lagos".parse().unwrap();
        let today = app
            .state
            .services
            .clock
            .now()
            .with_timezone(&lagos)
            .date_naive();
        let bd = today + chrono::Duration::days(7);
        let r = app
            .post(
                "/api/v1/customers",
                &owner.token,
                json!({"name": "Ada Obi", "phone": "+2348030000031", "birthday": bd}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let customer_id = r.body["id"].as_str().unwrap().to_string();
        app.order(&owner, &customer_id, json!({})).await;
        let preview = app
            .page(&web, &format!("/app/automation/triggers/{id}/preview"))
            .await;
        assert_eq!(preview.status, StatusCode::OK);
        assert!(preview.shows("Ada Obi"), "{}", preview.body);
        let api_preview = app
            .post(
                &format!("/api/v1/automation/test/{id}"),
                &owner.token,
                json!({}),
            )
            .await;
        let item = &api_preview.body["items"][0];
        assert!(
            preview.shows(item["text"].as_str().unwrap()),
            "the same text as the API's dry run"
        );

        let quiet = app
            .form(
                &web,
                "/app/automation/quiet",
                &[("quiet_start", "25:00"), ("quiet_end", "08:00")],
            )
            .await;
        assert_eq!(quiet.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_after(&quiet, "quiet_start").is_some());
        let quiet = app
            .form(
                &web,
                "/app/automation/quiet",
                &[("quiet_start", "22:00"), ("quiet_end", "07:00")],
            )
            .await;
        assert_eq!(quiet.status, StatusCode::SEE_OTHER);
        assert_eq!(
            api(&app, &owner, "/api/v1/automation/settings").await["quiet_start"],
            "22:00"
        );

        // Another business's trigger is not found, to change or preview.
        let other = app.register("set-auto-2", "tailor").await;
        let other_web = app.web(&other).await;
        let r = app
            .form(
                &other_web,
                &format!("/app/automation/triggers/{id}"),
                &[("enabled", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .page(
                &other_web,
                &format!("/app/automation/triggers/{id}/preview"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(trigger(&app, &owner, "birthday").await["enabled"], true);
    })
    .await;
}
