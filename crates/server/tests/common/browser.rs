//! Browser tests: a small W3C WebDriver client (JSON over HTTP with
//! `reqwest`) driving Debian's Chromium headless through ChromeDriver, and
//! [`DemoServer`], the real server on a port of its own for it to open.
//!
//! Without the browsers [`Browser::start`] prints that the test skipped and
//! returns `None`; under `CI` missing browsers fail the test instead, so CI
//! cannot pass by skipping. Every WebDriver failure is an error naming the
//! command and WebDriver's error code and message.

use anyhow::{Context, anyhow, bail};
use base64::Engine as _;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use server::state::AppState;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::Db;

/// What a test prints when it cannot run here.
pub const SKIPPED: &str = "skipped: no Chromium/ChromeDriver on this machine";

/// The W3C name under which an element reference travels.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How often `wait_for` and `wait_until` look again.
const POLL: Duration = Duration::from_millis(50);
/// The viewport every session starts with (see [`Browser::set_window_size`]).
pub const WINDOW: (u32, u32) = (1366, 900);

/// Special keys for [`Element::send_keys`] (WebDriver's code points).
pub mod keys {
    pub const ENTER: &str = "\u{E007}";
    pub const TAB: &str = "\u{E004}";
    pub const BACKSPACE: &str = "\u{E003}";
    pub const ESCAPE: &str = "\u{E00C}";
}

/// An error WebDriver answered with: the command, its HTTP status and the
/// W3C error code (`no such element`, `javascript error`, ...).
#[derive(Debug)]
pub struct WebDriverError {
    pub command: String,
    pub status: u16,
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "WebDriver {} failed (HTTP {}): {}: {}",
            self.command, self.status, self.error, self.message
        )
    }
}

impl std::error::Error for WebDriverError {}

/// Whether `e` is WebDriver's answer `code`.
pub fn is_webdriver_error(e: &anyhow::Error, code: &str) -> bool {
    e.downcast_ref::<WebDriverError>()
        .is_some_and(|w| w.error == code)
}

/// One WebDriver session on a running ChromeDriver.
struct Session {
    http: reqwest::Client,
    port: u16,
    id: String,
}

impl Session {
    fn root(port: u16) -> String {
        format!("http://127.0.0.1:{port}")
    }

    /// Runs a command on this session (`path` after `/session/{id}`).
    async fn call(
        &self,
        what: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("{}/session/{}{path}", Self::root(self.port), self.id);
        send(&self.http, what, method, &url, body).await
    }

    async fn post(&self, what: &str, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(what, Method::POST, path, Some(body)).await
    }

    async fn get(&self, what: &str, path: &str) -> anyhow::Result<Value> {
        self.call(what, Method::GET, path, None).await
    }
}

/// Sends one WebDriver request and unwraps its `value`, or the error it
/// names.
async fn send(
    http: &reqwest::Client,
    what: &str,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let mut req = http.request(method, url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req
        .send()
        .await
        .map_err(|e| anyhow!("WebDriver {what}: no answer from ChromeDriver: {e}"))?;
    let status = res.status();
    let text = res
        .text()
        .await
        .map_err(|e| anyhow!("WebDriver {what}: reading the answer: {e}"))?;
    let mut answer: Value = serde_json::from_str(&text).map_err(|_| {
        let start: String = text.chars().take(300).collect();
        anyhow!("WebDriver {what}: HTTP {status}, not JSON: {start}")
    })?;
    let value = answer.get_mut("value").map(Value::take).unwrap_or_default();
    match value.get("error").and_then(Value::as_str) {
        None if status.is_success() => Ok(value),
        code => {
            // ChromeDriver appends "(Session info: ...)" lines; the stack
            // trace is ChromeDriver's own, of no use to the test.
            let message = value
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .lines()
                .filter(|l| !l.trim_start().starts_with("(Session info"))
                .collect::<Vec<_>>()
                .join(" ");
            Err(WebDriverError {
                command: what.to_string(),
                status: status.as_u16(),
                error: code.unwrap_or("unknown error").to_string(),
                message,
            }
            .into())
        }
    }
}

/// A path from `var` when set (a missing file there means "not here",
/// never a fallback), else `default`, else `name` on `PATH`.
fn locate(var: &str, default: &str, name: &str) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os(var) {
        let p = PathBuf::from(p);
        return match p.is_file() {
            true => Ok(p),
            false => Err(format!("{var}={} is not a file", p.display())),
        };
    }
    if Path::new(default).is_file() {
        return Ok(default.into());
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .ok_or_else(|| format!("no {default}, no {name} on PATH and no {var}"))
}

/// `CI` is set (and not to a false value).
fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A port nobody listens on now.
fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(l.local_addr()?.port())
}

/// The running ChromeDriver process and its temporary directory (the
/// browser profile and the driver's log); killed and removed on drop.
struct Driver {
    child: Child,
    port: u16,
    dir: PathBuf,
    log: PathBuf,
}

impl Driver {
    /// ChromeDriver's log so far, for an error message.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Starts ChromeDriver on a free port and waits for `/status` to say it
    /// is ready. Another process may take the port between our look and
    /// ChromeDriver's bind, so an early exit is tried again.
    async fn start(binary: &Path, http: &reqwest::Client) -> anyhow::Result<Driver> {
        let dir = std::env::temp_dir().join(format!("sokoni-browser-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(dir.join("profile"))
            .with_context(|| format!("creating {}", dir.display()))?;
        let mut last_exit = String::new();
        for attempt in 0..3 {
            let port = free_port()?;
            let log = dir.join(format!("chromedriver-{attempt}.log"));
            let out = std::fs::File::create(&log)?;
            let child = Command::new(binary)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::from(out.try_clone()?))
                .stderr(Stdio::from(out))
                .spawn()
                .with_context(|| format!("running {}", binary.display()))?;
            let mut driver = Driver {
                child,
                port,
                dir: dir.clone(),
                log,
            };
            match driver.wait_ready(http).await? {
                true => return Ok(driver),
                false => {
                    last_exit = driver.log_tail();
                    // Keep the directory for the next attempt.
                    driver.dir = PathBuf::new();
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        bail!(
            "{} exited three times on start:\n{last_exit}",
            binary.display()
        )
    }

    /// `true` once ready; `false` when the process exited first.
    async fn wait_ready(&mut self, http: &reqwest::Client) -> anyhow::Result<bool> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let url = format!("{}/status", Session::root(self.port));
        loop {
            if self.child.try_wait()?.is_some() {
                return Ok(false);
            }
            if let Ok(v) = send(http, "status", Method::GET, &url, None).await
                && v["ready"] == true
            {
                return Ok(true);
            }
            if Instant::now() > deadline {
                bail!(
                    "ChromeDriver on port {} not ready after 20 s:\n{}",
                    self.port,
                    self.log_tail()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !self.dir.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A headless Chromium session. Dropping it ends the session (closing the
/// browser) and stops ChromeDriver; [`Browser::close`] does the same and
/// reports a failure.
pub struct Browser {
    session: Arc<Session>,
    closed: bool,
    driver: Driver,
}

impl Browser {
    /// A new browser session, or `None` (after printing [`SKIPPED`]) when
    /// ChromeDriver or Chromium is not installed. ChromeDriver is
    /// `SOKONI_CHROMEDRIVER`, else `/usr/bin/chromedriver`, else on `PATH`;
    /// Chromium is `SOKONI_CHROMIUM`, else `/usr/bin/chromium`, else on
    /// `PATH`.
    ///
    /// # Panics
    /// When the browsers are missing under `CI`, or are present and fail
    /// to start.
    pub async fn start() -> Option<Browser> {
        let found = locate(
            "SOKONI_CHROMEDRIVER",
            "/usr/bin/chromedriver",
            "chromedriver",
        )
        .and_then(|d| locate("SOKONI_CHROMIUM", "/usr/bin/chromium", "chromium").map(|c| (d, c)));
        let (driver, chromium) = match found {
            Ok(paths) => paths,
            Err(why) if under_ci() => panic!(
                "browser tests run under CI, and {why}: install the Debian packages \
                 chromium and chromium-driver (.ci/run does) or point SOKONI_CHROMEDRIVER \
                 and SOKONI_CHROMIUM at them"
            ),
            Err(why) => {
                eprintln!("{SKIPPED} ({why})");
                return None;
            }
        };
        match Self::launch(&driver, &chromium).await {
            Ok(b) => Some(b),
            Err(e) => panic!(
                "starting {} with {}: {e:#}",
                driver.display(),
                chromium.display()
            ),
        }
    }

    async fn launch(driver: &Path, chromium: &Path) -> anyhow::Result<Browser> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        let driver = Driver::start(driver, &http).await?;
        let profile = driver.dir.join("profile");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "timeouts": {"implicit": 0, "pageLoad": 30_000, "script": 30_000},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    format!("--window-size={},{}", WINDOW.0, WINDOW.1),
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let url = format!("{}/session", Session::root(driver.port));
        let created = send(&http, "new session", Method::POST, &url, Some(capabilities))
            .await
            .map_err(|e| anyhow!("{e:#}\nChromeDriver's log:\n{}", driver.log_tail()))?;
        let id = created["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("new session: no sessionId in {created}"))?
            .to_string();
        let browser = Browser {
            session: Arc::new(Session {
                http,
                port: driver.port,
                id,
            }),
            closed: false,
            driver,
        };
        // `--window-size` sizes the window; tests expect the viewport.
        browser.set_window_size(WINDOW.0, WINDOW.1).await?;
        Ok(browser)
    }

    /// Ends the session (Chromium quits) and stops ChromeDriver.
    pub async fn close(mut self) -> anyhow::Result<()> {
        self.closed = true;
        self.session
            .call("delete session", Method::DELETE, "", None)
            .await
            .map(|_| ())
    }

    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.session
            .post(&format!("goto({url})"), "/url", json!({ "url": url }))
            .await
            .map(|_| ())
    }

    /// The current page's address.
    pub async fn url(&self) -> anyhow::Result<String> {
        string(self.session.get("url", "/url").await?, "url")
    }

    pub async fn title(&self) -> anyhow::Result<String> {
        string(self.session.get("title", "/title").await?, "title")
    }

    pub async fn back(&self) -> anyhow::Result<()> {
        self.session
            .post("back", "/back", json!({}))
            .await
            .map(|_| ())
    }

    pub async fn refresh(&self) -> anyhow::Result<()> {
        self.session
            .post("refresh", "/refresh", json!({}))
            .await
            .map(|_| ())
    }

    /// The first element matching the CSS selector (`no such element`
    /// otherwise).
    pub async fn find(&self, css: &str) -> anyhow::Result<Element> {
        let found = self
            .session
            .post(
                &format!("find({css:?})"),
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await?;
        Element::from_reference(&self.session, &found, css.to_string())
    }

    /// Every element matching the CSS selector, in document order.
    pub async fn find_all(&self, css: &str) -> anyhow::Result<Vec<Element>> {
        let found = self
            .session
            .post(
                &format!("find_all({css:?})"),
                "/elements",
                json!({"using": "css selector", "value": css}),
            )
            .await?;
        elements(&self.session, &found, css)
    }

    /// The first element matching `css`, waiting up to `timeout` for one
    /// to appear.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> anyhow::Result<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(css).await {
                Ok(el) => return Ok(el),
                Err(e) if is_webdriver_error(&e, "no such element") => {}
                Err(e) => return Err(e),
            }
            if Instant::now() > deadline {
                let at = self.url().await.unwrap_or_default();
                bail!("wait_for({css:?}): nothing matched within {timeout:?} on {at}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits up to `timeout` for the JavaScript expression `js` to be
    /// truthy. An expression that throws counts as false until then (the
    /// element it reads may not exist yet); the timeout names the last
    /// error.
    pub async fn wait_until(&self, js: &str, timeout: Duration) -> anyhow::Result<()> {
        let script = format!("return !!({js});");
        let deadline = Instant::now() + timeout;
        let mut last: String;
        loop {
            match self.execute(&script, &[]).await {
                Ok(Value::Bool(true)) => return Ok(()),
                Ok(_) => last = String::from("it stayed false"),
                Err(e) if is_webdriver_error(&e, "javascript error") => last = format!("{e:#}"),
                Err(e) => return Err(e),
            }
            if Instant::now() > deadline {
                bail!("wait_until({js:?}) within {timeout:?}: {last}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs `js` as a function body in the page (`arguments` are `args`;
    /// pass elements with [`Element::arg`]) and returns what it returns.
    pub async fn execute(&self, js: &str, args: &[Value]) -> anyhow::Result<Value> {
        let first_line = js.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        self.session
            .post(
                &format!("execute({:?})", first_line.trim()),
                "/execute/sync",
                json!({"script": js, "args": args}),
            )
            .await
    }

    /// Sizes the window so that the page's viewport (`innerWidth` ×
    /// `innerHeight`, what a screenshot shows) is `width` × `height`, as on
    /// a phone of that screen. Headless Chromium draws no browser frame
    /// but still keeps room for one, so the window is grown by the
    /// difference.
    pub async fn set_window_size(&self, width: u32, height: u32) -> anyhow::Result<()> {
        let what = format!("set_window_size({width}, {height})");
        let (mut outer_w, mut outer_h) = (i64::from(width), i64::from(height));
        for _ in 0..3 {
            self.session
                .post(
                    &what,
                    "/window/rect",
                    json!({"width": outer_w, "height": outer_h}),
                )
                .await?;
            let inner = self
                .execute("return [window.innerWidth, window.innerHeight]", &[])
                .await?;
            let (Some(w), Some(h)) = (inner[0].as_i64(), inner[1].as_i64()) else {
                bail!("{what}: the page reported its viewport as {inner}");
            };
            if (w, h) == (i64::from(width), i64::from(height)) {
                return Ok(());
            }
            outer_w += i64::from(width) - w;
            outer_h += i64::from(height) - h;
        }
        let inner = self
            .execute("return [window.innerWidth, window.innerHeight]", &[])
            .await?;
        bail!("{what}: the viewport stays {inner}")
    }

    /// The viewport as a PNG.
    pub async fn screenshot_png(&self) -> anyhow::Result<Vec<u8>> {
        let b64 = string(
            self.session.get("screenshot", "/screenshot").await?,
            "screenshot",
        )?;
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .context("screenshot: not base64")
    }

    /// The cookies the current page's address sees (HttpOnly ones too).
    pub async fn cookies(&self) -> anyhow::Result<Vec<Cookie>> {
        let all = self.session.get("cookies", "/cookie").await?;
        serde_json::from_value(all).context("cookies: unexpected shape")
    }

    /// A Chrome DevTools Protocol command, through ChromeDriver's
    /// `goog/cdp/execute`.
    pub async fn cdp(&self, cmd: &str, params: Value) -> anyhow::Result<Value> {
        self.session
            .post(
                &format!("cdp({cmd})"),
                "/goog/cdp/execute",
                json!({"cmd": cmd, "params": params}),
            )
            .await
    }

    /// Emulates `prefers-color-scheme: dark` (or `light`) for the session's
    /// pages, as a phone in dark mode would report it.
    pub async fn set_dark_mode(&self, dark: bool) -> anyhow::Result<()> {
        let scheme = if dark { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        )
        .await
        .map(|_| ())
    }

    /// Presses the mouse on `from`'s centre, moves to `to`'s centre and
    /// releases (W3C Actions): what pointer-event code (a sortable list
    /// written on `pointerdown`/`pointermove`/`pointerup`) sees. Chrome does
    /// NOT start HTML5 drag-and-drop from these; use
    /// [`Browser::html5_drag`] for `draggable` elements.
    pub async fn drag(&self, from: &Element, to: &Element) -> anyhow::Result<()> {
        let actions = json!({"actions": [{
            "type": "pointer",
            "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": [
                {"type": "pointerMove", "duration": 0, "origin": from.arg(), "x": 0, "y": 0},
                {"type": "pointerDown", "button": 0},
                {"type": "pause", "duration": 50},
                // Halfway first, so code that needs movement past a
                // threshold sees several moves.
                {"type": "pointerMove", "duration": 100, "origin": to.arg(), "x": 0, "y": 0},
                {"type": "pointerMove", "duration": 100, "origin": to.arg(), "x": 1, "y": 1},
                {"type": "pointerUp", "button": 0},
            ],
        }]});
        let what = format!("drag({:?} to {:?})", from.css, to.css);
        self.session.post(&what, "/actions", actions).await?;
        self.session
            .call(&what, Method::DELETE, "/actions", None)
            .await
            .map(|_| ())
    }

    /// HTML5 drag-and-drop from the element matching `from_css` onto the one
    /// matching `to_css`: dispatches `dragstart`, `dragenter`, `dragover`,
    /// `drop` and `dragend` in the page, sharing one `DataTransfer` as a
    /// real drag does, with coordinates at the elements' centres. Fails when
    /// either selector matches nothing; returns whether the drop target
    /// accepted the drop (its `dragover` handler called `preventDefault`).
    pub async fn html5_drag(&self, from_css: &str, to_css: &str) -> anyhow::Result<bool> {
        const SCRIPT: &str = r#"
            const [fromCss, toCss] = arguments;
            const from = document.querySelector(fromCss);
            const to = document.querySelector(toCss);
            if (!from) throw new Error('html5_drag: nothing matches ' + fromCss);
            if (!to) throw new Error('html5_drag: nothing matches ' + toCss);
            const dataTransfer = new DataTransfer();
            const fire = (el, type) => {
                const r = el.getBoundingClientRect();
                const ev = new DragEvent(type, {
                    bubbles: true, cancelable: true, composed: true, dataTransfer,
                    clientX: r.left + r.width / 2, clientY: r.top + r.height / 2,
                });
                el.dispatchEvent(ev);
                return ev;
            };
            if (fire(from, 'dragstart').defaultPrevented) return false;
            fire(to, 'dragenter');
            const accepted = fire(to, 'dragover').defaultPrevented;
            if (accepted) {
                fire(to, 'drop');
            } else {
                fire(to, 'dragleave');
            }
            fire(from, 'dragend');
            return accepted;
        "#;
        let accepted = self
            .session
            .post(
                &format!("html5_drag({from_css:?} to {to_css:?})"),
                "/execute/sync",
                json!({"script": SCRIPT, "args": [from_css, to_css]}),
            )
            .await?;
        Ok(accepted == true)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.closed {
            delete_session_blocking(self.session.port, &self.session.id);
        }
        // Then `driver` drops: ChromeDriver is killed, the profile removed.
    }
}

/// Ends a session without the async runtime (from `drop`, perhaps while a
/// test panics): one HTTP/1.1 request on a plain socket, bounded in time.
fn delete_session_blocking(port: u16, id: &str) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(15)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(2)));
    let req = format!(
        "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if s.write_all(req.as_bytes()).is_ok() {
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
    }
}

fn string(v: Value, what: &str) -> anyhow::Result<String> {
    match v {
        Value::String(s) => Ok(s),
        other => bail!("{what}: expected a string, WebDriver answered {other}"),
    }
}

fn elements(session: &Arc<Session>, found: &Value, css: &str) -> anyhow::Result<Vec<Element>> {
    found
        .as_array()
        .ok_or_else(|| anyhow!("find_all({css:?}): expected a list, got {found}"))?
        .iter()
        .enumerate()
        .map(|(i, r)| Element::from_reference(session, r, format!("{css}[{i}]")))
        .collect()
}

/// A cookie as WebDriver reports it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cookie {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub secure: bool,
    #[serde(default)]
    pub http_only: bool,
    #[serde(default)]
    pub same_site: Option<String>,
    /// Unix seconds; `None` for a session cookie.
    #[serde(default)]
    pub expiry: Option<u64>,
}

/// An element of the current page. It goes stale when the page replaces
/// it (WebDriver then answers `stale element reference`).
#[derive(Clone)]
pub struct Element {
    session: Arc<Session>,
    id: String,
    /// The selector it was found by, for error messages.
    css: String,
}

impl std::fmt::Debug for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Element({:?})", self.css)
    }
}

impl Element {
    fn from_reference(session: &Arc<Session>, r: &Value, css: String) -> anyhow::Result<Self> {
        let id = r[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| anyhow!("find({css:?}): not an element reference: {r}"))?
            .to_string();
        Ok(Element {
            session: session.clone(),
            id,
            css,
        })
    }

    /// This element as an argument to [`Browser::execute`].
    pub fn arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    async fn get(&self, what: &str, path: &str) -> anyhow::Result<Value> {
        self.session
            .get(
                &format!("{what} on {:?}", self.css),
                &format!("/element/{}{path}", self.id),
            )
            .await
    }

    async fn post(&self, what: &str, path: &str, body: Value) -> anyhow::Result<Value> {
        self.session
            .post(
                &format!("{what} on {:?}", self.css),
                &format!("/element/{}{path}", self.id),
                body,
            )
            .await
    }

    /// Scrolls the element into view and clicks its centre.
    pub async fn click(&self) -> anyhow::Result<()> {
        self.post("click", "/click", json!({})).await.map(|_| ())
    }

    /// Types `text` into the element (see [`keys`] for Enter and others).
    pub async fn send_keys(&self, text: &str) -> anyhow::Result<()> {
        self.post("send_keys", "/value", json!({ "text": text }))
            .await
            .map(|_| ())
    }

    /// Empties an input or textarea.
    pub async fn clear(&self) -> anyhow::Result<()> {
        self.post("clear", "/clear", json!({})).await.map(|_| ())
    }

    /// The rendered text, as a user sees it.
    pub async fn text(&self) -> anyhow::Result<String> {
        string(self.get("text", "/text").await?, "text")
    }

    /// An HTML attribute, `None` when absent.
    pub async fn attr(&self, name: &str) -> anyhow::Result<Option<String>> {
        let v = self
            .get(&format!("attr({name})"), &format!("/attribute/{name}"))
            .await?;
        Ok(v.as_str().map(str::to_string))
    }

    /// A DOM property (`value`, `checked`, `disabled`, ...).
    pub async fn prop(&self, name: &str) -> anyhow::Result<Value> {
        self.get(&format!("prop({name})"), &format!("/property/{name}"))
            .await
    }

    pub async fn is_displayed(&self) -> anyhow::Result<bool> {
        Ok(self.get("is_displayed", "/displayed").await? == true)
    }

    /// The first descendant matching `css`.
    pub async fn find(&self, css: &str) -> anyhow::Result<Element> {
        let found = self
            .post(
                &format!("find({css:?})"),
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await?;
        Element::from_reference(&self.session, &found, format!("{} {css}", self.css))
    }

    /// Every descendant matching `css`.
    pub async fn find_all(&self, css: &str) -> anyhow::Result<Vec<Element>> {
        let found = self
            .post(
                &format!("find_all({css:?})"),
                "/elements",
                json!({"using": "css selector", "value": css}),
            )
            .await?;
        elements(&self.session, &found, &format!("{} {css}", self.css))
    }
}

/// The width and height of a PNG, from its header; `None` if `bytes` is
/// not a PNG.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 24 || !bytes.starts_with(SIGNATURE) || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    Some((be(&bytes[16..20]), be(&bytes[20..24])))
}

/// The real server for a browser: `sokoni demo`'s three businesses on
/// sandbox numbers, the simulator and sandbox checkout without logins, the
/// job workers running and the wall clock, on a port of its own.
pub struct DemoServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    pub state: AppState,
    workers: server::workers::Running,
    serving: tokio::task::JoinHandle<()>,
}

impl DemoServer {
    pub async fn start(db: Db) -> anyhow::Result<DemoServer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let url = format!("http://{addr}");
        let config = server::config::Config {
            listen: addr,
            public_url: Some(url.clone()),
            sandbox_payments_secret: Some(super::SANDBOX_PAY_SECRET.to_string().into()),
            ..super::whatsapp_config("http://127.0.0.1:9")
        };
        let secret =
            secrecy::SecretString::from("browser-test-secret-key-long-enough-0123".to_string());
        let state = server::state_with(db, &secret, config);
        server::demo::seed(&state)
            .await
            .context("seeding the demo")?;
        let workers = server::workers::start(&state, &server::workers::all_queues());
        let app =
            server::app::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let serving = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("the demo server stopped: {e}");
            }
        });
        Ok(DemoServer {
            url,
            state,
            workers,
            serving,
        })
    }

    /// Stops serving and lets running jobs finish.
    pub async fn stop(self) {
        self.serving.abort();
        self.workers.shutdown(Duration::from_secs(10)).await;
    }
}
