//! The browser harness itself, in a real headless Chromium: a customer
//! writes in the chat simulator of the running demo server and the
//! business's answer appears (SQLite and PostgreSQL); screenshots have the
//! window's size, the window resizes to a phone's, dark mode is emulated;
//! pointer drags and HTML5 drag-and-drop reach the page. Skips, saying so,
//! on a machine without Chromium and ChromeDriver, except under `CI`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use base64::Engine as _;
use common::browser::{Browser, DemoServer, WINDOW, keys, png_size};
use serde_json::{Value, json};
use std::time::Duration;

const SECONDS_10: Duration = Duration::from_secs(10);
/// The reply goes through the intake, the inbound job, the chat engine
/// and the outbound job; generous for a loaded CI machine.
const REPLY_WITHIN: Duration = Duration::from_secs(30);

async fn js(b: &Browser, script: &str) -> Value {
    b.execute(script, &[]).await.unwrap()
}

#[tokio::test]
async fn a_customer_writes_in_the_simulator_and_the_business_answers() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let funmi = &server::demo::BUSINESSES[0];
    let customer = "2348039990001";
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let server = DemoServer::start(db).await.unwrap();
        let chat = format!(
            "{}/sandbox/chat?number={}&wa_id={customer}&name=Ada",
            server.url, funmi.number.0
        );
        browser.goto(&chat).await.unwrap();
        assert_eq!(browser.title().await.unwrap(), "WhatsApp sandbox · Sokoni");
        assert!(browser.url().await.unwrap().starts_with(&chat));

        // The numbers load, the business from the address is chosen and
        // the composer opens.
        browser
            .wait_until("!document.getElementById('text').disabled", SECONDS_10)
            .await
            .unwrap();
        let biz = browser.find("#biz").await.unwrap();
        assert_eq!(biz.prop("value").await.unwrap(), funmi.number.0);
        assert_eq!(browser.find_all("#biz option").await.unwrap().len(), 3);
        assert!(browser.find_all(".row").await.unwrap().is_empty());

        let text = browser.find("#text").await.unwrap();
        text.send_keys("Good morning ma").await.unwrap();
        assert_eq!(text.prop("value").await.unwrap(), "Good morning ma");
        text.send_keys(keys::ENTER).await.unwrap();
        assert_eq!(
            text.prop("value").await.unwrap(),
            "",
            "sent, the box empties"
        );

        let mine = browser.wait_for(".row.cust", SECONDS_10).await.unwrap();
        assert!(mine.text().await.unwrap().contains("Good morning ma"));
        let reply = browser.wait_for(".row.biz", REPLY_WITHIN).await.unwrap();
        assert!(reply.is_displayed().await.unwrap());
        let said = reply.text().await.unwrap();
        assert!(said.contains(funmi.name), "the tailor's welcome: {said:?}");

        // The thread lives on the server: a reload shows it again.
        browser.refresh().await.unwrap();
        let again = browser.wait_for(".row.biz", SECONDS_10).await.unwrap();
        assert!(again.text().await.unwrap().contains(funmi.name));

        // Cookies as the browser holds them.
        assert!(
            !browser
                .cookies()
                .await
                .unwrap()
                .iter()
                .any(|c| c.name == "theme")
        );
        js(
            &browser,
            "document.cookie = 'theme=dark; path=/'; return null",
        )
        .await;
        let cookies = browser.cookies().await.unwrap();
        let theme = cookies
            .iter()
            .find(|c| c.name == "theme")
            .expect("the cookie");
        assert_eq!(theme.value, "dark");
        assert!(!theme.http_only);
        js(
            &browser,
            "document.cookie = 'theme=; path=/; max-age=0'; return null",
        )
        .await;
        assert!(
            !browser
                .cookies()
                .await
                .unwrap()
                .iter()
                .any(|c| c.name == "theme")
        );

        // Away and back.
        browser
            .goto(&format!("{}/healthz", server.url))
            .await
            .unwrap();
        assert!(browser.url().await.unwrap().ends_with("/healthz"));
        browser.back().await.unwrap();
        assert!(browser.url().await.unwrap().starts_with(&chat));
        browser.wait_for(".row.biz", SECONDS_10).await.unwrap();

        server.stop().await;
    }

    // The screenshot is a PNG of the window.
    let png = browser.screenshot_png().await.unwrap();
    assert_eq!(png_size(&png), Some(WINDOW), "a PNG of the window size");
    let inner = js(&browser, "return [innerWidth, innerHeight]").await;
    assert_eq!(inner, json!([WINDOW.0, WINDOW.1]));

    // A phone's window.
    browser.set_window_size(390, 844).await.unwrap();
    assert_eq!(js(&browser, "return innerWidth").await, 390);
    assert_eq!(
        png_size(&browser.screenshot_png().await.unwrap()),
        Some((390, 844))
    );

    // Dark mode flips the media query and the simulator's colours.
    let dark = "return matchMedia('(prefers-color-scheme: dark)').matches";
    let background = "return getComputedStyle(document.body).backgroundColor";
    browser.set_dark_mode(false).await.unwrap();
    assert_eq!(js(&browser, dark).await, false);
    let light_bg = js(&browser, background).await;
    browser.set_dark_mode(true).await.unwrap();
    assert_eq!(js(&browser, dark).await, true);
    let dark_bg = js(&browser, background).await;
    assert_ne!(light_bg, dark_bg, "the page follows the colour scheme");
    browser.set_dark_mode(false).await.unwrap();
    assert_eq!(js(&browser, dark).await, false);

    browser.close().await.unwrap();
}

/// A page with a pointer-event target, a `draggable` card, a drop zone,
/// an input and a hidden element.
const FIXTURE: &str = r#"<!doctype html>
<html><head><title>fixture</title><style>
  body { margin: 0; font: 16px sans-serif; }
  div { position: absolute; width: 100px; height: 100px; }
  #knob { left: 20px; top: 20px; background: #c33; touch-action: none; }
  #card { left: 20px; top: 200px; background: #33c; }
  #zone { left: 400px; top: 200px; width: 200px; height: 200px; background: #3c3; }
  #pad { left: 400px; top: 20px; background: #cc3; }
</style></head><body>
  <div id="knob">knob</div>
  <div id="pad">pad</div>
  <div id="card" draggable="true" data-order="42">Order 42</div>
  <div id="zone">Ready</div>
  <input id="name" style="position:absolute; left:20px; top:450px">
  <p id="secret" hidden>not shown</p>
<script>
  window.log = [];
  const knob = document.getElementById('knob');
  knob.addEventListener('pointerdown', e => { log.push('down:' + e.target.id); });
  document.addEventListener('pointermove', e => { if (e.buttons) log.push('move'); });
  document.addEventListener('pointerup', e => { log.push('up:' + e.target.id); });
  const card = document.getElementById('card');
  const zone = document.getElementById('zone');
  card.addEventListener('dragstart', e => {
    e.dataTransfer.setData('text/plain', card.dataset.order);
    log.push('dragstart');
  });
  zone.addEventListener('dragenter', () => log.push('dragenter'));
  zone.addEventListener('dragover', e => { e.preventDefault(); log.push('dragover'); });
  zone.addEventListener('drop', e => {
    e.preventDefault();
    zone.textContent = 'Dropped order ' + e.dataTransfer.getData('text/plain');
    log.push('drop');
  });
  card.addEventListener('dragend', () => log.push('dragend'));
</script></body></html>"#;

#[tokio::test]
async fn drags_reach_the_page_and_elements_answer() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let page = format!(
        "data:text/html;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(FIXTURE)
    );
    browser.goto(&page).await.unwrap();
    assert_eq!(browser.title().await.unwrap(), "fixture");

    // Pointer actions: pressed on the knob, moved, released on the pad.
    let knob = browser.find("#knob").await.unwrap();
    let pad = browser.find("#pad").await.unwrap();
    browser.drag(&knob, &pad).await.unwrap();
    let log = js(&browser, "return log").await;
    let log: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(log.first(), Some(&"down:knob"), "{log:?}");
    assert_eq!(log.last(), Some(&"up:pad"), "{log:?}");
    assert!(log.contains(&"move"), "{log:?}");

    // HTML5 drag-and-drop, with the data carried from dragstart to drop.
    js(&browser, "log.length = 0; return null").await;
    assert!(browser.html5_drag("#card", "#zone").await.unwrap());
    assert_eq!(
        js(&browser, "return log").await,
        json!(["dragstart", "dragenter", "dragover", "drop", "dragend"])
    );
    let zone = browser.find("#zone").await.unwrap();
    assert_eq!(zone.text().await.unwrap(), "Dropped order 42");
    // A target that does not accept the drop gets none.
    js(&browser, "log.length = 0; return null").await;
    assert!(!browser.html5_drag("#card", "#pad").await.unwrap());
    assert_eq!(
        js(&browser, "return log").await,
        json!(["dragstart", "dragend"])
    );
    let missing = browser.html5_drag("#card", "#nowhere").await.unwrap_err();
    assert!(
        format!("{missing:#}").contains("nothing matches #nowhere"),
        "{missing:#}"
    );

    // Elements: attributes, properties, typing, clearing, visibility.
    let card = browser.find("#card").await.unwrap();
    assert_eq!(
        card.attr("draggable").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        card.attr("data-order").await.unwrap().as_deref(),
        Some("42")
    );
    assert_eq!(card.attr("title").await.unwrap(), None);
    assert_eq!(card.prop("id").await.unwrap(), "card");
    let name = browser.find("#name").await.unwrap();
    name.click().await.unwrap();
    name.send_keys("Amaka").await.unwrap();
    assert_eq!(name.prop("value").await.unwrap(), "Amaka");
    name.clear().await.unwrap();
    assert_eq!(name.prop("value").await.unwrap(), "");
    assert!(card.is_displayed().await.unwrap());
    assert!(
        !browser
            .find("#secret")
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap()
    );
    let body = browser.find("body").await.unwrap();
    assert_eq!(body.find_all("div").await.unwrap().len(), 4);
    assert_eq!(
        body.find("#zone").await.unwrap().text().await.unwrap(),
        "Dropped order 42"
    );
    assert_eq!(
        browser
            .execute("return arguments[0].id", &[zone.arg()])
            .await
            .unwrap(),
        "zone"
    );

    // Failures name the command and WebDriver's error.
    let err = browser.find("#nowhere").await.unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("find(\"#nowhere\")") && text.contains("no such element"),
        "{text}"
    );
    let err = browser
        .wait_for("#nowhere", Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("nothing matched"), "{err:#}");
    let err = browser
        .wait_until("document.title === 'never'", Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("stayed false"), "{err:#}");
    let err = browser
        .execute("throw new Error('boom')", &[])
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("javascript error"), "{err:#}");
    // A page that appears later is waited for.
    js(
        &browser,
        "setTimeout(() => { const p = document.createElement('p'); p.id = 'late'; \
         p.textContent = 'late'; document.body.append(p); }, 300); return null",
    )
    .await;
    let late = browser.wait_for("#late", SECONDS_10).await.unwrap();
    assert_eq!(late.text().await.unwrap(), "late");
    browser
        .wait_until("document.getElementById('late').isConnected", SECONDS_10)
        .await
        .unwrap();

    browser.close().await.unwrap();
}
