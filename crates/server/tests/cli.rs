//! The `sokoni` binary as an operator uses it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use std::process::Command;

fn sokoni(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sokoni"));
    c.current_dir(dir)
        .env_remove("SOKONI_DATABASE_URL")
        .env_remove("SOKONI_SECRET_KEY")
        .env("SOKONI_DATA_DIR", dir.join("data"));
    c
}

fn temp_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("sokoni-cli-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn tenant_create_migrate_and_backup() {
    let dir = temp_dir();
    let out = sokoni(&dir).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("data/sokoni.db").exists());

    let out = sokoni(&dir)
        .args([
            "tenant",
            "create",
            "--name",
            "Funmi Couture",
            "--slug",
            "funmi",
            "--vertical",
            "tailor",
            "--currency",
            "NGN",
            "--timezone",
            "Africa/Lagos",
            "--locale",
            "en-NG",
            "--owner-name",
            "Funmi",
            "--owner-email",
            "funmi@example.com",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tenant"]["slug"], "funmi");
    assert_eq!(v["owner"]["role"], "owner");
    assert!(
        v["owner_password"].as_str().is_some_and(|p| p.len() >= 12),
        "generated password shown once"
    );
    let secret = std::fs::read_to_string(dir.join("data/secret.key")).unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(secret.trim()));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains(secret.trim()),
        "the secret key is never printed"
    );

    let again = sokoni(&dir)
        .args([
            "tenant",
            "create",
            "--name",
            "X",
            "--slug",
            "funmi",
            "--vertical",
            "bakery",
            "--currency",
            "NGN",
            "--timezone",
            "Africa/Lagos",
            "--locale",
            "en-NG",
            "--owner-name",
            "F",
            "--owner-email",
            "f@example.com",
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("vertical"));

    let copy = dir.join("backup.db");
    let out = sokoni(&dir)
        .args(["backup", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::metadata(&copy).unwrap().len() > 0);
    let twice = sokoni(&dir)
        .args(["backup", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!twice.status.success(), "never overwrites");
}

#[test]
fn help_explains_each_command() {
    for cmd in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["tenant", "create", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_sokoni"))
            .args(&cmd)
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.len() > 100, "{cmd:?}: {text}");
    }
    let top = Command::new(env!("CARGO_BIN_EXE_sokoni"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&top.stdout);
    for c in ["serve", "demo", "migrate", "tenant", "backup"] {
        assert!(text.contains(c), "--help lists {c}");
    }
}

#[test]
fn nlu_parse_reads_json_lines_and_answers_in_order() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sokoni"))
        .args(["nlu", "parse"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let input = concat!(
        r#"{"text": "oya how far with my order SEW-0011", "locale": "en-NG", "vertical": "tailor", "now": "2026-11-22T10:00:00+01:00", "timezone": "Africa/Lagos", "catalog": []}"#,
        "\n",
        "garbage\n",
        r#"{"text": "chau, no quiero más mensajes", "locale": "es-AR", "vertical": "restaurant", "now": "2026-11-22T10:00:00-03:00", "timezone": "America/Argentina/Buenos_Aires", "catalog": []}"#,
        "\n"
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["intent"], "order_status");
    assert_eq!(lines[0]["order_ref"], "SEW-0011");
    assert!(
        lines[1]["error"].is_string(),
        "a bad line answers in its place"
    );
    assert_eq!(lines[2]["intent"], "opt_out");
}

#[test]
fn nlu_eval_scores_the_labelled_set() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../nlu/data/labelled.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_sokoni"))
        .args(["nlu", "eval", file])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fully correct") && text.contains("restaurant"),
        "{text}"
    );
}

#[test]
fn jobs_list_retry_and_purge() {
    let dir = temp_dir();
    assert!(
        sokoni(&dir)
            .arg("migrate")
            .output()
            .unwrap()
            .status
            .success()
    );
    // A dead job, as a worker would leave it.
    let url = format!("sqlite://{}", dir.join("data/sokoni.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let id = rt.block_on(async {
        let db = store::Db::connect(&url).await.unwrap();
        let id = store::jobs::enqueue(
            &db,
            &store::jobs::NewJob { tenant_id: None, queue: "q", kind: "send_message", payload: serde_json::json!({}), run_at: None, dedup_key: None },
        )
        .await
        .unwrap()
        .unwrap();
        store::run!(&db, c => sqlx::query("UPDATE jobs SET status = 'dead', last_error = 'boom'").execute(c).await.map(|_| ())).unwrap();
        db.close().await;
        id
    });
    let out = sokoni(&dir)
        .args(["jobs", "list", "--status", "dead"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(line["id"], id.to_string());
    assert_eq!(line["last_error"], "boom");
    assert!(
        sokoni(&dir)
            .args(["jobs", "retry", &id.to_string()])
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(
        !sokoni(&dir)
            .args(["jobs", "retry", &id.to_string()])
            .output()
            .unwrap()
            .status
            .success(),
        "no longer dead"
    );
    let queued = sokoni(&dir)
        .args(["jobs", "list", "--status", "queued"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&queued.stdout).lines().count(), 1);
    assert!(
        !sokoni(&dir)
            .args(["jobs", "list", "--status", "bogus"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let purge = sokoni(&dir)
        .args(["jobs", "purge", "--older-than-hours", "0"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&purge.stdout).contains("deleted 0 jobs"),
        "queued jobs are kept"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Kills the server it holds when dropped, even when the test fails.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `sokoni <command>` on a free port and waits for `/healthz`.
async fn start(dir: &std::path::Path, command: &str, sandbox: Option<&str>) -> (Running, String) {
    let port = free_port();
    let mut c = sokoni(dir);
    c.arg(command)
        .env("SOKONI_LISTEN", format!("127.0.0.1:{port}"))
        .env("SOKONI_LOG", "warn")
        .env_remove("SOKONI_SANDBOX")
        .stdout(std::process::Stdio::null());
    if let Some(v) = sandbox {
        c.env("SOKONI_SANDBOX", v);
    }
    let mut server = Running(c.spawn().unwrap());
    let base = format!("http://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
            && r.status().is_success()
        {
            return (server, base);
        }
        assert!(server.0.try_wait().unwrap().is_none(), "{command} exited");
        assert!(
            std::time::Instant::now() < deadline,
            "{command} did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn status(base: &str, path: &str) -> u16 {
    reqwest::get(format!("{base}{path}"))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn serve_mounts_the_sandbox_only_with_sokoni_sandbox_and_demo_always() {
    let dir = temp_dir();
    let (server, base) = start(&dir, "serve", None).await;
    for path in ["/sandbox/chat", "/sandbox/api/numbers", "/sandbox/pay/x"] {
        assert_eq!(
            status(&base, path).await,
            404,
            "serve without SOKONI_SANDBOX: {path}"
        );
    }
    assert_eq!(
        status(&base, "/payments/return/x").await,
        200,
        "every provider's return page"
    );
    drop(server);

    let (server, base) = start(&dir, "serve", Some("true")).await;
    assert_eq!(status(&base, "/sandbox/chat").await, 200);
    assert_eq!(
        status(&base, "/sandbox/api/numbers").await,
        401,
        "outside demo the simulator needs a login"
    );
    drop(server);

    let (_demo, base) = start(&dir, "demo", None).await;
    let numbers: serde_json::Value = reqwest::get(format!("{base}/sandbox/api/numbers"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        numbers["numbers"].as_array().map(Vec::len),
        Some(4),
        "demo: the three businesses' numbers and the onboarding number, no login: {numbers}"
    );
    assert_eq!(numbers["numbers"][3]["business_name"], "Sokoni");
    assert_eq!(numbers["numbers"][3]["phone_number_id"], "100000000000099");
}

#[test]
fn invite_create_list_and_revoke() {
    let dir = temp_dir();
    let out = sokoni(&dir)
        .args([
            "invite",
            "create",
            "--plan",
            "pro",
            "--count",
            "2",
            "--expires",
            "7d",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let issued: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(issued.len(), 2);
    let code = issued[0]["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 9, "{code}");
    assert_eq!(issued[0]["plan"], "pro");
    assert_eq!(issued[0]["status"], "open");

    let out = sokoni(&dir).args(["invite", "list"]).output().unwrap();
    assert!(out.status.success());
    let listed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(listed.lines().count(), 2);
    assert!(
        !listed.contains(&code),
        "a list never shows a code: {listed}"
    );

    let out = sokoni(&dir)
        .args(["invite", "revoke", &code.to_lowercase()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("\"revoked\"")
    );
    let out = sokoni(&dir)
        .args(["invite", "revoke", &code])
        .output()
        .unwrap();
    assert!(!out.status.success(), "revoked twice");
    assert!(String::from_utf8_lossy(&out.stderr).contains("already used or revoked"));

    for bad in [
        vec!["invite", "create", "--plan", "gold"],
        vec!["invite", "create", "--expires", "yesterday"],
        vec!["invite", "create", "--count", "0"],
    ] {
        let out = sokoni(&dir).args(&bad).output().unwrap();
        assert!(!out.status.success(), "{bad:?}");
    }
}
