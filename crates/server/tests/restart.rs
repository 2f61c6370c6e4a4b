//! Durability of the intake: a server killed (SIGKILL) right after it
//! answered 200 to a webhook processes the message once it is started
//! again. Runs the real binary on both backends.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const APP_SECRET: &str = "restart-app-secret";
const PNID: &str = "555000111";

fn sokoni(dir: &std::path::Path, url: &str, port: u16) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sokoni"));
    c.current_dir(dir)
        .env("SOKONI_DATABASE_URL", url)
        .env(
            "SOKONI_SECRET_KEY",
            "restart-test-secret-key-long-enough-0123456789",
        )
        .env("SOKONI_WA_APP_SECRET", APP_SECRET)
        .env("SOKONI_DATA_DIR", dir.join("data"))
        .env("SOKONI_LISTEN", format!("127.0.0.1:{port}"))
        .env("SOKONI_LOG", "warn");
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn check(out: std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

async fn wait_healthy(client: &reqwest::Client, base: &str, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(child.try_wait().unwrap().is_none(), "the server exited");
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_message_answered_200_survives_a_kill() {
    for fresh in store::testing::backends_fresh().await {
        let db = fresh.db.clone();
        eprintln!("backend: {}", db.backend());
        let dir = std::env::temp_dir().join(format!("sokoni-restart-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        check(
            sokoni(&dir, &fresh.url, port)
                .args([
                    "tenant",
                    "create",
                    "--name",
                    "Funmi",
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
                    "--owner-password",
                    "password123",
                ])
                .output()
                .unwrap(),
        );
        let n = check(
            sokoni(&dir, &fresh.url, port)
                .args([
                    "number",
                    "add",
                    "--tenant",
                    "funmi",
                    "--phone-number-id",
                    PNID,
                    "--display",
                    "+234 803 000 0001",
                    "--sandbox",
                ])
                .output()
                .unwrap(),
        );
        assert_eq!(n["phone_number_id"], PNID);

        // First life: no workers, so nothing is processed before the kill.
        let mut server = sokoni(&dir, &fresh.url, port)
            .arg("serve")
            .env("SOKONI_WORKERS", "false")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let client = reqwest::Client::new();
        wait_healthy(&client, &base, &mut server).await;
        let body = json!({
            "object": "whatsapp_business_account",
            "entry": [{ "id": "W", "changes": [{ "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "2348030000001", "phone_number_id": PNID },
                "contacts": [{ "profile": { "name": "Amaka" }, "wa_id": "2348031234567" }],
                "messages": [{ "from": "2348031234567", "id": "wamid.KILL", "timestamp": "1739321024",
                               "type": "text", "text": { "body": "I want a senator suit" } }]
            }}]}]
        })
        .to_string();
        let sig = channels::signature::sign(APP_SECRET.as_bytes(), body.as_bytes());
        let r = client
            .post(format!("{base}/webhook/whatsapp"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", sig)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        server.kill().unwrap();
        server.wait().unwrap();
        assert_eq!(
            store::jobs::count_queued(&db, "process_inbound")
                .await
                .unwrap(),
            1,
            "the processing job was durable before the 200"
        );

        // Second life, with workers: the message reaches the thread.
        let mut server = sokoni(&dir, &fresh.url, port)
            .arg("serve")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        wait_healthy(&client, &base, &mut server).await;
        let login: Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": "funmi@example.com", "password": "password123"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["access_token"].as_str().unwrap().to_string();
        let deadline = Instant::now() + Duration::from_secs(30);
        let items = loop {
            let c = client
                .get(format!("{base}/api/v1/customers/by-wa/2348031234567"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            if c.status().is_success() {
                let c: Value = c.json().await.unwrap();
                let t: Value = client
                    .get(format!(
                        "{base}/api/v1/whatsapp/messages/{}",
                        c["id"].as_str().unwrap()
                    ))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if !t["items"].as_array().unwrap().is_empty() {
                    break t["items"].as_array().unwrap().clone();
                }
            }
            assert!(
                Instant::now() < deadline,
                "the message was not processed after the restart"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        server.kill().unwrap();
        server.wait().unwrap();
        // The message once, and the bot's answer, committed with it.
        let inbound: Vec<_> = items
            .iter()
            .filter(|m| m["direction"] == "inbound")
            .collect();
        assert_eq!(inbound.len(), 1, "{items:?}");
        assert_eq!(inbound[0]["wamid"], "wamid.KILL");
        assert_eq!(inbound[0]["body"], "I want a senator suit");
        assert!(
            items.iter().any(|m| m["direction"] == "outbound"),
            "{items:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
