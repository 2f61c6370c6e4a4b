//! Speech to text through the OpenAI-compatible
//! `POST {base}/audio/transcriptions` that OpenAI (`whisper-1`) and Groq
//! (`whisper-large-v3`) serve: a `multipart/form-data` upload of `file`,
//! `model`, `language` (ISO-639-1) and `response_format=json`, answered by
//! `{"text": "..."}`. Retries 429/5xx with the same bounded backoff as the
//! language models, all within the call's time budget.
//!
//! The multipart body is written here (a few lines) rather than with
//! reqwest's `multipart` feature, which would add two crates for one form.

use async_trait::async_trait;
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::{ProviderConfig, ProviderError, http};

/// A speech-to-text service Sokoni can be configured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SttKind {
    OpenAi,
    Groq,
}

impl SttKind {
    pub fn name(self) -> &'static str {
        match self {
            SttKind::OpenAi => "openai",
            SttKind::Groq => "groq",
        }
    }

    pub fn default_base_url(self) -> &'static str {
        match self {
            SttKind::OpenAi => "https://api.openai.com/v1",
            SttKind::Groq => "https://api.groq.com/openai/v1",
        }
    }

    pub fn default_model(self) -> &'static str {
        match self {
            SttKind::OpenAi => "whisper-1",
            SttKind::Groq => "whisper-large-v3",
        }
    }
}

impl std::str::FromStr for SttKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "openai" => Ok(SttKind::OpenAi),
            "groq" => Ok(SttKind::Groq),
            other => Err(format!(
                "unknown speech-to-text provider {other:?} (openai, groq)"
            )),
        }
    }
}

/// One recording to transcribe.
#[derive(Debug, Clone, Copy)]
pub struct Audio<'a> {
    pub bytes: &'a [u8],
    /// `audio/ogg` (WhatsApp voice notes), `audio/mpeg`, `audio/mp4`, ...
    pub mime: &'a str,
    /// ISO-639-1 (`en`, `es`, `sw`): what the speaker is expected to speak.
    pub language: Option<&'a str>,
}

/// Turns speech into text.
#[async_trait]
pub trait Transcribe: Send + Sync {
    /// "openai", "groq": the metrics label.
    fn name(&self) -> &str;
    /// The words heard (trimmed; possibly empty when nothing was said).
    async fn transcribe(&self, audio: Audio<'_>) -> Result<String, ProviderError>;
}

/// An OpenAI-compatible transcription endpoint.
pub struct SpeechToText {
    config: ProviderConfig,
    client: reqwest::Client,
    name: String,
}

impl SpeechToText {
    /// `name` labels metrics ("openai", "groq"); `config.base_url` is the
    /// API root with its version (`https://api.groq.com/openai/v1`).
    pub fn new(name: impl Into<String>, config: ProviderConfig) -> Self {
        let client = http::client(&config);
        SpeechToText {
            config,
            client,
            name: name.into(),
        }
    }

    async fn call(&self, audio: Audio<'_>) -> Result<String, ProviderError> {
        let (boundary, body) = form(&self.config.model, audio);
        let url = self.config.endpoint("audio/transcriptions");
        let resp = http::send_json(&self.config, || {
            self.client
                .post(&url)
                .bearer_auth(self.config.api_key.expose_secret())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body.clone())
        })
        .await?;
        resp.get("text")
            .and_then(Value::as_str)
            .map(|t| t.trim().to_owned())
            .ok_or_else(|| ProviderError::Malformed("no text in the transcription".to_owned()))
    }
}

#[async_trait]
impl Transcribe for SpeechToText {
    fn name(&self) -> &str {
        &self.name
    }

    async fn transcribe(&self, audio: Audio<'_>) -> Result<String, ProviderError> {
        let result = match tokio::time::timeout(self.config.timeout, self.call(audio)).await {
            Ok(r) => r,
            Err(_) => Err(ProviderError::Timeout),
        };
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => e.reason(),
        };
        metrics::counter!("sokoni_stt_requests_total", "provider" => self.name.clone(), "outcome" => outcome)
            .increment(1);
        if let Err(e) = &result {
            tracing::warn!(provider = %self.name, model = %self.config.model, reason = %e, "speech-to-text failed");
        }
        result
    }
}

/// The file name the endpoint sees: it tells the format by the extension.
fn file_name(mime: &str) -> &'static str {
    match mime.split(';').next().unwrap_or_default().trim() {
        "audio/mpeg" | "audio/mp3" => "voice.mp3",
        "audio/mp4" | "audio/m4a" | "audio/x-m4a" => "voice.m4a",
        "audio/aac" => "voice.aac",
        "audio/amr" => "voice.amr",
        "audio/wav" | "audio/x-wav" => "voice.wav",
        "audio/webm" => "voice.webm",
        _ => "voice.ogg",
    }
}

/// A `multipart/form-data` body (RFC 7578) and its boundary, which never
/// occurs in the audio.
fn form(model: &str, audio: Audio<'_>) -> (String, Vec<u8>) {
    let mut n = 0u32;
    let boundary = loop {
        let b = format!("sokoni-form-{n:08x}-5c1e7d2b9a");
        if !contains(audio.bytes, b.as_bytes()) {
            break b;
        }
        n += 1;
    };
    let mut body = Vec::with_capacity(audio.bytes.len() + 512);
    let mut field = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    field("model", model);
    if let Some(lang) = audio.language {
        field("language", lang);
    }
    field("response_format", "json");
    let mime = audio.mime.split(';').next().unwrap_or_default().trim();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
            file_name(mime),
            if mime.is_empty() { "application/octet-stream" } else { mime }
        )
        .as_bytes(),
    );
    body.extend_from_slice(audio.bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (boundary, body)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_has_every_field_and_the_file_verbatim() {
        let audio = Audio {
            bytes: b"OggS\x00\x02voice",
            mime: "audio/ogg; codecs=opus",
            language: Some("sw"),
        };
        let (b, body) = form("whisper-large-v3", audio);
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!("--{b}\r\n")));
        assert!(text.contains("name=\"model\"\r\n\r\nwhisper-large-v3\r\n"));
        assert!(text.contains("name=\"language\"\r\n\r\nsw\r\n"));
        assert!(text.contains("name=\"response_format\"\r\n\r\njson\r\n"));
        assert!(text.contains("filename=\"voice.ogg\"\r\nContent-Type: audio/ogg\r\n\r\nOggS"));
        assert!(text.ends_with(&format!("voice\r\n--{b}--\r\n")));
    }

    #[test]
    fn the_boundary_never_occurs_in_the_audio() {
        let first = form(
            "m",
            Audio {
                bytes: b"",
                mime: "audio/ogg",
                language: None,
            },
        )
        .0;
        let tricky = format!("xx{first}yy");
        let (b, _) = form(
            "m",
            Audio {
                bytes: tricky.as_bytes(),
                mime: "audio/ogg",
                language: None,
            },
        );
        assert_ne!(b, first);
        assert!(!tricky.contains(&b));
    }

    #[test]
    fn kinds_parse_and_have_defaults() {
        assert_eq!("Groq".parse::<SttKind>(), Ok(SttKind::Groq));
        assert_eq!(SttKind::Groq.default_model(), "whisper-large-v3");
        assert_eq!(SttKind::OpenAi.default_model(), "whisper-1");
        assert!("anthropic".parse::<SttKind>().is_err());
    }
}
