//! The README's "Try the API" walkthrough runs as written: its shell
//! blocks, taken from README.md, run with `bash -euo pipefail` against the
//! real `sokoni demo` (on a free port, in a temp dir), and every answer is
//! what the README says it is. On SQLite as a user runs it (a fresh
//! `demo.db`), and on PostgreSQL when `SOKONI_TEST_POSTGRES_URL` is set.
//! And the restaurant script of "Start here" fills a basket a delivery
//! zone of the demo takes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use common::TestApp;
use common::chat::{Customer, business};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The address the README's commands use.
const README_BASE: &str = "http://127.0.0.1:8080";

fn readme() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    std::fs::read_to_string(path).expect("read README.md")
}

/// The text of the `## {heading}` section, up to the next `## `.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("the README has no {heading:?} section"));
    let rest = &doc[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

/// The ```sh blocks of a piece of Markdown, in order.
fn shell_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(Vec::new()),
            (Some(lines), "```") => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), _) => lines.push(line),
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "an unclosed code block");
    blocks
}

/// Wraps `curl` so that each answer is logged (`<status> <body>` a line,
/// in `$README_LOG`), its body still reaches stdout for the commands that
/// read it, and an HTTP error fails the command (and so the script).
const PRELUDE: &str = r#"
curl() {
  local out code
  out=$(command curl -sS -w '\n%{http_code}' "$@") || return
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  printf '%s %s\n' "$code" "$out" >> "$README_LOG"
  printf '%s\n' "$out"
  [ "$code" -lt 400 ] || { echo "HTTP $code: $out" >&2; return 1; }
}
"#;

fn missing_tool() -> Option<&'static str> {
    ["bash", "curl", "sed"].into_iter().find(|tool| {
        !Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("sokoni-readme-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The demo server; killed when dropped, even when the test fails.
struct Demo {
    child: Child,
    stderr: PathBuf,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Demo {
    fn start(dir: &Path, port: u16, database_url: Option<&str>) -> Demo {
        let stderr = dir.join("demo.log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sokoni"));
        cmd.arg("demo")
            .current_dir(dir)
            .env_remove("SOKONI_DATABASE_URL")
            .env_remove("SOKONI_SECRET_KEY")
            .env_remove("SOKONI_PUBLIC_URL")
            .env("SOKONI_DATA_DIR", dir.join("data"))
            .env("SOKONI_LISTEN", format!("127.0.0.1:{port}"))
            .env("SOKONI_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap());
        if let Some(url) = database_url {
            cmd.env("SOKONI_DATABASE_URL", url).env(
                "SOKONI_SECRET_KEY",
                "readme-test-secret-key-long-enough-0123456789",
            );
        }
        let mut demo = Demo {
            child: cmd.spawn().unwrap(),
            stderr,
        };
        demo.wait_healthy(port);
        demo
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    fn wait_healthy(&mut self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let up = Command::new("curl")
                .args(["-sf", &format!("http://127.0.0.1:{port}/healthz")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if up {
                return;
            }
            assert!(
                self.child.try_wait().unwrap().is_none(),
                "the demo exited:\n{}",
                self.log()
            );
            assert!(
                Instant::now() < deadline,
                "the demo did not start:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Runs the walkthrough against a demo on `port`; the answers, in order.
fn run_walkthrough(dir: &Path, port: u16, demo: &Demo) -> Vec<(u16, Value)> {
    let doc = readme();
    let blocks = shell_blocks(section(&doc, "Try the API"));
    assert_eq!(blocks.len(), 2, "the walkthrough and the register block");
    let automation = shell_blocks(section(&doc, "Automation: reminders, win-backs and alerts"));
    assert_eq!(automation.len(), 1, "the automation block");
    let script = blocks.join("\n\n") + "\n\n" + &automation.join("\n\n");
    assert!(
        script.contains(&format!("API={README_BASE}/api/v1")),
        "the walkthrough talks to the demo's address"
    );
    let script = script.replace(README_BASE, &format!("http://127.0.0.1:{port}"));
    let file = dir.join("walkthrough.sh");
    std::fs::write(&file, format!("{PRELUDE}\n{script}\n")).unwrap();
    let log = dir.join("answers.log");
    let out = Command::new("bash")
        .args(["-euo", "pipefail"])
        .arg(&file)
        .env("README_LOG", &log)
        .current_dir(dir)
        .output()
        .unwrap();
    let answers: Vec<(u16, Value)> = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let (code, body) = l.split_once(' ').unwrap_or((l, ""));
            (
                code.parse().unwrap(),
                serde_json::from_str(body).unwrap_or(Value::Null),
            )
        })
        .collect();
    assert!(
        out.status.success(),
        "the walkthrough failed after {} answers:\n{}\nstdout:\n{}\nanswers: {answers:#?}\ndemo:\n{}",
        answers.len(),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout),
        demo.log()
    );
    answers
}

/// What the README says each command answers.
fn check(answers: &[(u16, Value)]) {
    let [
        login,
        customer,
        by_wa,
        measured,
        changed,
        in_cm,
        order,
        deposit,
        stage,
        today,
        urgent,
        register,
        triggers,
        changed_trigger,
        dry_run,
        runs,
        quiet,
    ] = answers
    else {
        panic!(
            "17 commands expected, {} answered: {answers:#?}",
            answers.len()
        );
    };
    let ok = |(status, body): &(u16, Value), want: u16, what: &str| {
        assert_eq!(*status, want, "{what}: {body}");
        body.clone()
    };
    assert!(ok(login, 200, "login")["access_token"].is_string());

    let c = ok(customer, 201, "customer");
    assert_eq!(c["name"], "Bisi Adeyemi");
    assert_eq!(c["phone"], "+2348061234567", "stored in E.164");
    let w = ok(by_wa, 200, "by WhatsApp id");
    assert_eq!(
        w["id"], c["id"],
        "the same customer as WhatsApp id 2348061234567"
    );

    let v1 = ok(measured, 201, "measurements");
    assert_eq!(
        (v1["version"].as_i64(), v1["unit"].as_str()),
        (Some(1), Some("in"))
    );
    assert_eq!(v1["custom_fields"]["gown_length"], 56.0);
    let v2 = ok(changed, 201, "new version");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["waist"], 31.0);
    assert_eq!(v2["chest"], 38.0, "the rest carried over");
    let cm = ok(in_cm, 200, "measurements in cm");
    let items = cm["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the old version kept: {cm}");
    assert!(items.iter().all(|m| m["unit"] == "cm"));
    assert!(items.iter().any(|m| m["chest"] == 96.52), "{cm}");

    let o = ok(order, 201, "order");
    assert_eq!(o["order_ref"], "SEW-0005", "the ref the README promises");
    assert_eq!(o["price"], 4_500_000);
    assert_eq!(o["currency"], "NGN");
    assert_eq!(o["measurement_id"], v2["id"], "the current measurements");
    assert_eq!(o["current_stage"], "received");

    let d = ok(deposit, 201, "the deposit");
    assert_eq!(
        (&d["order_id"], &d["type"], &d["status"], &d["amount"]),
        (
            &o["id"],
            &Value::from("deposit"),
            &Value::from("paid"),
            &Value::from(1_500_000)
        )
    );

    let s = ok(stage, 200, "the stage change");
    assert_eq!(s["id"], o["id"]);
    assert_eq!(s["current_stage"], "cutting", "the new stage: {s}");

    for (answer, what) in [(today, "today"), (urgent, "urgent")] {
        let list = ok(answer, 200, what);
        let items = list["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{what}: {list}"));
        assert!(
            items.iter().all(|o| o["current_stage"] != "delivered"),
            "{what}: {list}"
        );
    }
    let urgent = ok(urgent, 200, "urgent");
    assert!(
        urgent["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["current_stage"] != "ready"),
        "urgent is not yet ready: {urgent}"
    );

    let r = ok(register, 201, "register");
    assert_eq!(r["tenant"]["slug"], "ada-stitches");
    assert_eq!(r["user"]["role"], "owner");
    assert!(r["access_token"].is_string(), "a logged-in session");

    let t = ok(triggers, 200, "the triggers");
    assert_eq!(
        t["items"].as_array().map(Vec::len),
        Some(9),
        "one of each kind: {t}"
    );
    let c = ok(changed_trigger, 200, "the changed trigger");
    assert_eq!(c["kind"], "customer_inactive");
    assert_eq!(c["params"], "days=45;quiet_days=14", "{c}");
    assert!(c["texts"]["en"]["auto_inactive"].is_string(), "{c}");
    assert!(ok(dry_run, 200, "the dry run")["items"].is_array());
    assert!(ok(runs, 200, "the runs")["items"].is_array());
    let q = ok(quiet, 200, "the quiet hours");
    assert_eq!(
        (q["quiet_start"].as_str(), q["quiet_end"].as_str()),
        (Some("22:00"), Some("07:00"))
    );
}

#[tokio::test]
async fn the_try_the_api_walkthrough_runs_as_written() {
    if let Some(tool) = missing_tool() {
        eprintln!("skipped: the README's walkthrough needs {tool}, which is not installed");
        return;
    }
    // SQLite, as a user starts it: no database URL, a fresh demo.db.
    let mut databases: Vec<(&str, Option<String>)> = vec![("sqlite", None)];
    if let Some(pg) = store::testing::postgres_fresh().await {
        pg.db.close().await;
        databases.push(("postgres", Some(pg.url)));
    }
    for (backend, url) in databases {
        eprintln!("backend: {backend}");
        let dir = temp_dir();
        let port = free_port();
        let demo = Demo::start(&dir, port, url.as_deref());
        let answers = run_walkthrough(&dir, port, &demo);
        check(&answers);
        first_cycle_sent(port, &answers[0].1).await;
        drop(demo);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The demo runs an automation cycle as it starts, and it sends reminders.
async fn first_cycle_sent(port: u16, login: &Value) {
    let token = login["access_token"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let runs: Value = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/api/v1/automation/runs"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let sent = runs["items"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["outcomes"].as_array().into_iter().flatten())
            .filter(|o| o["outcome"] == "sent")
            .count();
        if sent > 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the demo's first cycle sent nothing: {runs}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn the_walkthrough_is_found_in_the_readme() {
    let doc = readme();
    let blocks = shell_blocks(section(&doc, "Try the API"));
    assert!(blocks[0].contains("PATCH $API/orders/$ORDER/stage"));
    assert!(
        blocks[0].find("payments/manual") < blocks[0].find("/stage"),
        "the deposit is recorded before the stage moves (deposit first)"
    );
    assert!(blocks[1].contains("auth/register"));
}

/// What the README tells you to type to Empanadas Martín after tapping an
/// empanada.
fn restaurant_basket(doc: &str) -> String {
    let start = doc
        .find("**Empanadas Martín**")
        .expect("the README's restaurant script");
    let rest = &doc[start..];
    let typed = &rest[rest.find("type `").expect("a typed basket") + "type `".len()..];
    let typed = &typed[..typed.find('`').unwrap()];
    typed.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_readme_restaurant_basket_reaches_a_zone_minimum() {
    let basket = restaurant_basket(&readme());
    // Friday 12:00 in Buenos Aires: open.
    let noon = "2026-11-20T15:00:00Z".parse().unwrap();
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::chat(db, "http://127.0.0.1:9", noon);
        let biz = business(
            &app,
            "martin-readme",
            "restaurant",
            "es-AR",
            "200000000000903",
        )
        .await;
        let mut lucia = Customer::new(&biz, "5491123456780", "Lucía");
        lucia.say(&app, "Hola").await;
        lucia.tap(&app, "Empanadas").await;
        lucia.tap(&app, "Empanada de carne").await;
        lucia.say(&app, &basket).await;
        lucia.tap(&app, "Confirmar pedido").await;
        lucia.tap(&app, "Envío a domicilio").await;
        lucia.tap(&app, "Palermo").await;
        let after_zone = lucia.log.rsplit("> [Palermo]").next().unwrap().to_string();
        assert!(
            !after_zone.contains("mínimo") && after_zone.contains("dirección"),
            "Palermo takes the README's basket ({basket}):\n{}",
            lucia.log
        );
    }
}
