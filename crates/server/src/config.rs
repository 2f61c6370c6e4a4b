//! Configuration: defaults, then an optional `sokoni.toml`, then `SOKONI_*`
//! environment variables. Secrets are wrapped so they never print.

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`; default: `sokoni.db` in the data dir.
    pub database_url: Option<String>,
    /// Address the HTTP server binds.
    pub listen: SocketAddr,
    /// Where the SQLite file, media and the generated secret key live.
    pub data_dir: PathBuf,
    /// The address customers and providers reach this server at (links,
    /// webhooks); default `http://<listen>`.
    pub public_url: Option<String>,
    /// Signs sessions and seals stored secrets. Required with PostgreSQL;
    /// with SQLite one is generated into the data dir if unset.
    #[serde(skip_serializing)]
    pub secret_key: Option<SecretString>,
    /// Minutes an access token is valid.
    pub access_token_minutes: i64,
    /// Days a refresh token is valid.
    pub refresh_token_days: i64,
    /// Minutes a dashboard session may sit unused before it signs out.
    pub dashboard_idle_minutes: i64,
    /// Days a dashboard session lasts at most, however busy.
    pub dashboard_session_days: i64,
    /// One-time codes a phone may request per hour.
    pub otp_per_phone_per_hour: i64,
    /// One-time codes an IP may request per hour.
    pub otp_per_ip_per_hour: i64,
    /// Take the client IP from `X-Forwarded-For` (only behind a proxy you run).
    pub trust_proxy: bool,
    /// The Meta app secret that signs webhook deliveries
    /// (`X-Hub-Signature-256`). Without it the WhatsApp webhook refuses
    /// every POST.
    #[serde(skip_serializing)]
    pub wa_app_secret: Option<SecretString>,
    /// The token Meta echoes in the webhook verification handshake.
    #[serde(skip_serializing)]
    pub wa_verify_token: Option<SecretString>,
    /// The Graph API base, version included.
    pub wa_api_base: String,
    /// Seconds before a Graph API call is abandoned (and retried).
    pub wa_timeout_secs: u64,
    /// Messages per second each business number may send.
    pub wa_rate_limit_per_sec: i32,
    /// Largest inbound media file kept, in bytes.
    pub media_max_bytes: u64,
    /// Run the job workers inside `serve` (turn off when running
    /// `sokoni worker` processes instead).
    pub workers: bool,
    /// Concurrent jobs per queue in each process.
    pub worker_concurrency: usize,
    /// Mounts the sandbox under `serve`: the chat simulator
    /// (`/sandbox/chat` and its APIs) and the sandbox checkout
    /// (`/sandbox/pay`). Off, those paths answer 404. Under `serve` the
    /// simulator's APIs need a login as the business whose sandbox number
    /// they touch; `demo` always mounts the sandbox, without logins.
    pub sandbox: bool,
    /// Set by `sokoni demo` only, never read from a file or the
    /// environment: the sandbox is mounted and the simulator needs no login.
    #[serde(skip)]
    pub demo: bool,
    /// Turns on the sandbox payment provider (the local checkout page at
    /// `/sandbox/pay`, so only with `sandbox` or in `demo`) and signs its
    /// webhooks. `demo` sets one.
    #[serde(skip_serializing)]
    pub sandbox_payments_secret: Option<SecretString>,
    /// Seconds to wait for an M-PESA callback before asking Daraja.
    pub mpesa_query_after_secs: i64,
    /// When automation cycles run, as a cron expression (UTC); default
    /// every 15 minutes. Every `serve` and `worker` process ticks; each
    /// cycle runs once.
    pub automation_cron: String,
    /// Tick the automation scheduler in this process (with the workers).
    pub automation: bool,
    /// The language model for order parsing and onboarding's price lists
    /// and menu photos: `anthropic`, `openai`, `groq` or `ollama`; unset,
    /// the built-in parser only.
    pub llm_provider: Option<String>,
    /// Its API key (not needed for Ollama).
    #[serde(skip_serializing)]
    pub llm_api_key: Option<SecretString>,
    /// Default per provider (see `understand::ProviderKind::default_model`).
    pub llm_model: Option<String>,
    /// Default per provider; Ollama `http://127.0.0.1:11434/v1`.
    pub llm_base_url: Option<String>,
    /// Budget of one call, retries included; then the built-in parser answers.
    pub llm_timeout_ms: u64,
    /// Speech to text for voice notes: `openai` or `groq`; unset, voice
    /// notes go to a person.
    pub stt_provider: Option<String>,
    #[serde(skip_serializing)]
    pub stt_api_key: Option<SecretString>,
    /// Default `whisper-1` (OpenAI) or `whisper-large-v3` (Groq).
    pub stt_model: Option<String>,
    pub stt_base_url: Option<String>,
    /// Budget of one transcription, upload and retries included.
    pub stt_timeout_ms: u64,
    /// The Meta phone number id of the platform's onboarding number
    /// (`SOKONI_ONBOARDING_PHONE_NUMBER_ID`): what prospective owners send
    /// their invite code to. Its inbound goes to the onboarding chat. The
    /// number belongs to the platform business `sokoni-onboarding` (the
    /// demo creates a sandbox one).
    pub onboarding_phone_number_id: Option<String>,
    /// Bearer token of the operator API (`/api/v1/operator/...`, invite
    /// codes); unset, that API answers 401.
    #[serde(skip_serializing)]
    pub operator_token: Option<SecretString>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("sokoni-data"),
            public_url: None,
            secret_key: None,
            access_token_minutes: 15,
            refresh_token_days: 30,
            dashboard_idle_minutes: 8 * 60,
            dashboard_session_days: 30,
            otp_per_phone_per_hour: 5,
            otp_per_ip_per_hour: 20,
            trust_proxy: false,
            wa_app_secret: None,
            wa_verify_token: None,
            wa_api_base: "https://graph.facebook.com/v21.0".into(),
            wa_timeout_secs: 15,
            wa_rate_limit_per_sec: 80,
            media_max_bytes: 16 * 1024 * 1024,
            workers: true,
            worker_concurrency: 4,
            sandbox: false,
            demo: false,
            sandbox_payments_secret: None,
            mpesa_query_after_secs: 90,
            automation_cron: engine::automation::scheduler::DEFAULT_SCHEDULE.into(),
            automation: true,
            llm_provider: None,
            llm_api_key: None,
            llm_model: None,
            llm_base_url: None,
            llm_timeout_ms: 3000,
            stt_provider: None,
            stt_api_key: None,
            stt_model: None,
            stt_base_url: None,
            stt_timeout_ms: 15_000,
            onboarding_phone_number_id: None,
            operator_token: None,
        }
    }
}

/// A hosted model, as configured: its kind and how to reach it.
#[derive(Debug, Clone)]
pub struct Llm {
    pub kind: understand::ProviderKind,
    pub config: understand::ProviderConfig,
}

/// Speech to text, as configured.
#[derive(Debug, Clone)]
pub struct Stt {
    pub kind: understand::SttKind,
    pub config: understand::ProviderConfig,
}

/// A set, non-blank value.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn secret_given(v: &Option<SecretString>) -> Option<SecretString> {
    v.as_ref()
        .filter(|k| !k.expose_secret().trim().is_empty())
        .cloned()
}

fn check_url(var: &str, url: &str) -> anyhow::Result<()> {
    if !url.starts_with("http://") && !url.starts_with("https://") {
        bail!("{var} must be an http(s) URL, e.g. https://api.openai.com/v1 (got {url:?})");
    }
    Ok(())
}

/// Who may use the sandbox (the chat simulator and the sandbox checkout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxAccess {
    /// Not mounted: every `/sandbox/...` path answers 404.
    Off,
    /// Mounted (`sandbox = true` under `serve`): the simulator's APIs need a
    /// login as the business that owns the sandbox number.
    LoggedIn,
    /// `sokoni demo`: mounted, and the simulator works without a login.
    Open,
}

impl Config {
    pub fn sandbox_access(&self) -> SandboxAccess {
        if self.demo {
            SandboxAccess::Open
        } else if self.sandbox {
            SandboxAccess::LoggedIn
        } else {
            SandboxAccess::Off
        }
    }

    /// The sandbox payment provider's secret, when the sandbox is mounted
    /// (its checkout pages must exist for its links to work).
    pub fn sandbox_payments(&self) -> Option<&SecretString> {
        match self.sandbox_access() {
            SandboxAccess::Off => None,
            SandboxAccess::LoggedIn | SandboxAccess::Open => self.sandbox_payments_secret.as_ref(),
        }
    }

    /// Loads configuration with `base` as the defaults (the demo has its own).
    pub fn load_with(base: Config, file: Option<&Path>) -> anyhow::Result<Config> {
        let file = file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("sokoni.toml"));
        let cfg: Config = Figment::from(Serialized::defaults(base))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("SOKONI_").filter(|k| !k.as_str().starts_with("test_")))
            .extract()
            .with_context(|| {
                format!(
                    "reading configuration ({} and SOKONI_* variables)",
                    file.display()
                )
            })?;
        if cfg.access_token_minutes < 1 || cfg.refresh_token_days < 1 {
            bail!("access_token_minutes and refresh_token_days must be positive");
        }
        if cfg.dashboard_idle_minutes < 1 || cfg.dashboard_session_days < 1 {
            bail!("dashboard_idle_minutes and dashboard_session_days must be positive");
        }
        // An empty secret would make every signature "valid" for anyone who
        // knows it is empty: treat it as unset.
        let mut cfg = cfg;
        for s in [
            &mut cfg.wa_app_secret,
            &mut cfg.wa_verify_token,
            &mut cfg.sandbox_payments_secret,
            &mut cfg.operator_token,
        ] {
            if s.as_ref()
                .is_some_and(|v| v.expose_secret().trim().is_empty())
            {
                *s = None;
            }
        }
        if cfg
            .onboarding_phone_number_id
            .as_ref()
            .is_some_and(|p| p.trim().is_empty())
        {
            cfg.onboarding_phone_number_id = None;
        }
        if cfg.wa_rate_limit_per_sec < 1 || cfg.worker_concurrency < 1 || cfg.wa_timeout_secs < 1 {
            bail!("wa_rate_limit_per_sec, wa_timeout_secs and worker_concurrency must be positive");
        }
        if let Err(e) = engine::automation::scheduler::parse(&cfg.automation_cron) {
            bail!("automation_cron: {e}");
        }
        if !cfg.wa_api_base.starts_with("http://") && !cfg.wa_api_base.starts_with("https://") {
            bail!("wa_api_base must be an http(s) URL, e.g. https://graph.facebook.com/v21.0");
        }
        cfg.llm()?;
        cfg.stt()?;
        Ok(cfg)
    }

    /// The configured language model, `None` for the built-in parser only;
    /// an error names the `SOKONI_LLM_*` variable that is wrong.
    pub fn llm(&self) -> anyhow::Result<Option<Llm>> {
        let Some(name) = given(&self.llm_provider) else {
            return Ok(None);
        };
        let kind: understand::ProviderKind = name
            .parse()
            .map_err(|e| anyhow::anyhow!("SOKONI_LLM_PROVIDER: {e}"))?;
        if kind == understand::ProviderKind::BuiltIn {
            return Ok(None);
        }
        let key = secret_given(&self.llm_api_key);
        if kind.needs_key() && key.is_none() {
            bail!(
                "SOKONI_LLM_API_KEY is required with SOKONI_LLM_PROVIDER={}",
                kind.name()
            );
        }
        let base = given(&self.llm_base_url)
            .or(kind.default_base_url())
            .unwrap_or_default();
        check_url("SOKONI_LLM_BASE_URL", base)?;
        let model = given(&self.llm_model)
            .or(kind.default_model())
            .unwrap_or_default();
        if !(1..=120_000).contains(&self.llm_timeout_ms) {
            bail!("SOKONI_LLM_TIMEOUT_MS must be between 1 and 120000 (milliseconds)");
        }
        let config = understand::ProviderConfig::new(
            base,
            model,
            key.unwrap_or_else(|| SecretString::from(String::new())),
        )
        .with_timeout(std::time::Duration::from_millis(self.llm_timeout_ms));
        Ok(Some(Llm { kind, config }))
    }

    /// The configured speech to text, `None` when voice notes go to a
    /// person; an error names the `SOKONI_STT_*` variable that is wrong.
    pub fn stt(&self) -> anyhow::Result<Option<Stt>> {
        let Some(name) = given(&self.stt_provider) else {
            return Ok(None);
        };
        let kind: understand::SttKind = name
            .parse()
            .map_err(|e| anyhow::anyhow!("SOKONI_STT_PROVIDER: {e}"))?;
        let Some(key) = secret_given(&self.stt_api_key) else {
            bail!(
                "SOKONI_STT_API_KEY is required with SOKONI_STT_PROVIDER={}",
                kind.name()
            );
        };
        let base = given(&self.stt_base_url).unwrap_or(kind.default_base_url());
        check_url("SOKONI_STT_BASE_URL", base)?;
        let model = given(&self.stt_model).unwrap_or(kind.default_model());
        if !(1..=600_000).contains(&self.stt_timeout_ms) {
            bail!("SOKONI_STT_TIMEOUT_MS must be between 1 and 600000 (milliseconds)");
        }
        let config = understand::ProviderConfig::new(base, model, key)
            .with_timeout(std::time::Duration::from_millis(self.stt_timeout_ms));
        Ok(Some(Stt { kind, config }))
    }

    /// The models the configuration gives (the built-in parser when it
    /// names none, or names them wrongly: `load_with` refuses that first).
    pub fn models(&self) -> engine::models::Models {
        let mut models = match self.llm() {
            Ok(Some(llm)) => engine::models::Models::with_provider(
                llm.kind.name(),
                llm.kind.build(Some(llm.config)),
            ),
            Ok(None) => engine::models::Models::builtin(),
            Err(e) => {
                tracing::error!(error = %e, "language model not configured; using the built-in parser");
                engine::models::Models::builtin()
            }
        };
        match self.stt() {
            Ok(Some(stt)) => {
                models = models.with_transcribe(std::sync::Arc::new(
                    understand::SpeechToText::new(stt.kind.name(), stt.config),
                ));
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %e, "speech to text not configured; voice notes go to a person")
            }
        }
        models
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("sokoni.db").display()),
        }
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_string()
    }

    /// The secret key, or for SQLite deployments one generated once into
    /// `<data_dir>/secret.key`. Several PostgreSQL replicas must share one
    /// key, so there it must be configured.
    pub fn resolve_secret(&self) -> anyhow::Result<SecretString> {
        if let Some(k) = &self.secret_key {
            if k.expose_secret().len() < 32 {
                bail!("SOKONI_SECRET_KEY must be at least 32 characters");
            }
            return Ok(k.clone());
        }
        if self.database_url().starts_with("postgres") {
            bail!("set SOKONI_SECRET_KEY (32+ random characters) when using PostgreSQL");
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating data dir {}", self.data_dir.display()))?;
        let path = self.data_dir.join("secret.key");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            return Ok(SecretString::from(existing.trim().to_string()));
        }
        let key = crate::auth::tokens::random_token(48);
        write_private(&path, &key).with_context(|| format!("writing {}", path.display()))?;
        tracing::warn!(path = %path.display(), "no SOKONI_SECRET_KEY set: generated one into the data dir");
        Ok(SecretString::from(key))
    }
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment's test jail fixes the error type"
    )]
    fn defaults_then_file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "sokoni.toml",
                "listen = \"0.0.0.0:9000\"\naccess_token_minutes = 5",
            )?;
            jail.set_env("SOKONI_LISTEN", "127.0.0.1:7000");
            jail.set_env("SOKONI_SECRET_KEY", "k".repeat(40));
            let cfg = Config::load_with(Config::default(), None).map_err(|e| e.to_string())?;
            assert_eq!(cfg.listen.port(), 7000, "env beats file");
            assert_eq!(cfg.access_token_minutes, 5, "file beats defaults");
            assert_eq!(cfg.database_url(), "sqlite://sokoni-data/sokoni.db");
            assert_eq!(cfg.public_url(), "http://127.0.0.1:7000");
            let printed = format!("{cfg:?}");
            assert!(!printed.contains("kkkk"), "secret printed: {printed}");
            Ok(())
        });
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment's test jail fixes the error type"
    )]
    fn an_empty_webhook_secret_counts_as_unset() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("SOKONI_WA_APP_SECRET", "  ");
            jail.set_env("SOKONI_WA_VERIFY_TOKEN", "");
            let cfg = Config::load_with(Config::default(), None).map_err(|e| e.to_string())?;
            assert!(cfg.wa_app_secret.is_none() && cfg.wa_verify_token.is_none());
            jail.set_env("SOKONI_WA_APP_SECRET", "s3cret");
            let cfg = Config::load_with(Config::default(), None).map_err(|e| e.to_string())?;
            assert!(cfg.wa_app_secret.is_some());
            Ok(())
        });
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment's test jail fixes the error type"
    )]
    fn the_sandbox_is_off_unless_asked_for_and_demo_is_not_a_setting() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("SOKONI_SANDBOX_PAYMENTS_SECRET", "pay-secret");
            jail.set_env("SOKONI_DEMO", "true");
            let cfg = Config::load_with(Config::default(), None).map_err(|e| e.to_string())?;
            assert_eq!(
                cfg.sandbox_access(),
                SandboxAccess::Off,
                "SOKONI_DEMO is ignored"
            );
            assert!(cfg.sandbox_payments().is_none(), "no checkout, no provider");
            jail.create_file("sokoni.toml", "sandbox = true")?;
            let cfg = Config::load_with(Config::default(), None).map_err(|e| e.to_string())?;
            assert_eq!(cfg.sandbox_access(), SandboxAccess::LoggedIn);
            assert!(cfg.sandbox_payments().is_some());
            jail.set_env("SOKONI_SANDBOX", "false");
            let cfg = Config::load_with(Config::default(), None).map_err(|e| e.to_string())?;
            assert_eq!(cfg.sandbox_access(), SandboxAccess::Off, "env beats file");
            let demo = Config { demo: true, ..cfg };
            assert_eq!(demo.sandbox_access(), SandboxAccess::Open);
            Ok(())
        });
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment's test jail fixes the error type"
    )]
    fn each_llm_provider_is_picked_with_its_defaults() {
        use understand::ProviderKind;
        figment::Jail::expect_with(|jail| {
            let cfg = Config::load_with(Config::default(), None).map_err(|e| e.to_string())?;
            assert!(
                cfg.llm().map_err(|e| e.to_string())?.is_none(),
                "unset: built-in only"
            );
            assert_eq!(cfg.models().provider, "builtin");
            assert!(!cfg.models().hears_voice());
            for (name, kind, base, model) in [
                (
                    "anthropic",
                    ProviderKind::Anthropic,
                    "https://api.anthropic.com",
                    "claude-haiku-4-5",
                ),
                (
                    "openai",
                    ProviderKind::OpenAi,
                    "https://api.openai.com/v1",
                    "gpt-4o-mini",
                ),
                (
                    "groq",
                    ProviderKind::Groq,
                    "https://api.groq.com/openai/v1",
                    "llama-3.3-70b-versatile",
                ),
            ] {
                jail.set_env("SOKONI_LLM_PROVIDER", name);
                jail.set_env("SOKONI_LLM_API_KEY", "sk-very-secret-key");
                let cfg = Config::load_with(Config::default(), None).map_err(|e| e.to_string())?;
                let llm = cfg.llm().map_err(|e| e.to_string())?.ok_or("no llm")?;
                assert_eq!(llm.kind, kind);
                assert_eq!(llm.config.base_url, base);
                assert_eq!(llm.config.model, model);
                assert_eq!(llm.config.timeout, std::time::Duration::from_millis(3000));
                assert_eq!(cfg.models().provider, name);
                let printed = format!("{cfg:?} {llm:?}");
                assert!(
                    !printed.contains("sk-very-secret"),
                    "key printed: {printed}"
                );
            }
            // Ollama needs no key and runs locally by default.
            jail.set_env("SOKONI_LLM_PROVIDER", "ollama");
            jail.set_env("SOKONI_LLM_API_KEY", "");
            jail.set_env("SOKONI_LLM_MODEL", "qwen2.5:7b");
            jail.set_env("SOKONI_LLM_TIMEOUT_MS", "5000");
            let cfg = Config::load_with(Config::default(), None).map_err(|e| e.to_string())?;
            let llm = cfg.llm().map_err(|e| e.to_string())?.ok_or("no llm")?;
            assert_eq!(llm.kind, ProviderKind::Ollama);
            assert_eq!(llm.config.base_url, "http://127.0.0.1:11434/v1");
            assert_eq!(llm.config.model, "qwen2.5:7b");
            assert_eq!(llm.config.timeout, std::time::Duration::from_millis(5000));
            jail.set_env("SOKONI_LLM_BASE_URL", "http://gpu-box:11434/v1");
            let cfg = Config::load_with(Config::default(), None).map_err(|e| e.to_string())?;
            let llm = cfg.llm().map_err(|e| e.to_string())?.ok_or("no llm")?;
            assert_eq!(llm.config.base_url, "http://gpu-box:11434/v1");
            Ok(())
        });
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment's test jail fixes the error type"
    )]
    fn speech_to_text_is_picked_with_its_defaults() {
        use understand::SttKind;
        figment::Jail::expect_with(|jail| {
            for (name, kind, base, model) in [
                (
                    "groq",
                    SttKind::Groq,
                    "https://api.groq.com/openai/v1",
                    "whisper-large-v3",
                ),
                (
                    "openai",
                    SttKind::OpenAi,
                    "https://api.openai.com/v1",
                    "whisper-1",
                ),
            ] {
                jail.set_env("SOKONI_STT_PROVIDER", name);
                jail.set_env("SOKONI_STT_API_KEY", "gsk-very-secret-key");
                let cfg = Config::load_with(Config::default(), None).map_err(|e| e.to_string())?;
                let stt = cfg.stt().map_err(|e| e.to_string())?.ok_or("no stt")?;
                assert_eq!(stt.kind, kind);
                assert_eq!(stt.config.base_url, base);
                assert_eq!(stt.config.model, model);
                assert!(cfg.models().hears_voice());
                assert_eq!(cfg.models().provider, "builtin", "speech to text alone");
                assert!(!format!("{cfg:?} {stt:?}").contains("gsk-very-secret"));
            }
            Ok(())
        });
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment's test jail fixes the error type"
    )]
    fn bad_model_settings_refuse_to_start_naming_the_variable() {
        figment::Jail::expect_with(|jail| {
            let refused = |jail: &mut figment::Jail, var: &str, value: &str, named: &str| {
                jail.set_env(var, value);
                let err = Config::load_with(Config::default(), None)
                    .err()
                    .map(|e| format!("{e:#}"))
                    .unwrap_or_default();
                assert!(err.contains(named), "{var}={value:?}: {err:?}");
            };
            refused(jail, "SOKONI_LLM_PROVIDER", "gemini", "SOKONI_LLM_PROVIDER");
            refused(
                jail,
                "SOKONI_LLM_PROVIDER",
                "anthropic",
                "SOKONI_LLM_API_KEY",
            );
            jail.set_env("SOKONI_LLM_API_KEY", "k");
            refused(
                jail,
                "SOKONI_LLM_BASE_URL",
                "api.anthropic.com",
                "SOKONI_LLM_BASE_URL",
            );
            jail.set_env("SOKONI_LLM_BASE_URL", "https://api.anthropic.com");
            refused(jail, "SOKONI_LLM_TIMEOUT_MS", "0", "SOKONI_LLM_TIMEOUT_MS");
            refused(jail, "SOKONI_LLM_TIMEOUT_MS", "soon", "LLM_TIMEOUT_MS");
            jail.set_env("SOKONI_LLM_TIMEOUT_MS", "3000");
            assert!(Config::load_with(Config::default(), None).is_ok());
            refused(
                jail,
                "SOKONI_STT_PROVIDER",
                "anthropic",
                "SOKONI_STT_PROVIDER",
            );
            refused(jail, "SOKONI_STT_PROVIDER", "groq", "SOKONI_STT_API_KEY");
            jail.set_env("SOKONI_STT_API_KEY", "k");
            refused(
                jail,
                "SOKONI_STT_BASE_URL",
                "ftp://x",
                "SOKONI_STT_BASE_URL",
            );
            jail.set_env("SOKONI_STT_BASE_URL", "https://api.groq.com/openai/v1");
            refused(jail, "SOKONI_STT_TIMEOUT_MS", "0", "SOKONI_STT_TIMEOUT_MS");
            Ok(())
        });
    }

    #[test]
    fn postgres_requires_a_configured_secret() {
        let cfg = Config {
            database_url: Some("postgres://localhost/sokoni".into()),
            ..Config::default()
        };
        assert!(cfg.resolve_secret().is_err());
    }
}
