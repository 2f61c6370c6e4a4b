#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! The sandbox channel: validates like the real one, invents ids, has no media.

use channels::outbound::OutMessage;
use channels::sandbox::SANDBOX_WAMID_PREFIX;
use channels::{Channel, MediaError, MediaLimits, SandboxChannel, SendError, Sender};

const FROM: Sender<'static> = Sender {
    phone_number_id: "106540352242922",
    access_token: "unused",
};

#[tokio::test]
async fn send_returns_distinct_sandbox_wamids() {
    let ch = SandboxChannel;
    let a = ch
        .send(&FROM, "254712345678", &OutMessage::text("hello"))
        .await
        .unwrap();
    let b = ch
        .send(&FROM, "254712345678", &OutMessage::text("hello"))
        .await
        .unwrap();
    for id in [&a, &b] {
        let suffix = id.strip_prefix("wamid.sandbox.").unwrap();
        assert_eq!(suffix.len(), 32, "{id}");
        assert!(suffix.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        let uuid = uuid::Uuid::parse_str(suffix).unwrap();
        assert_eq!(uuid.get_version_num(), 7);
    }
    assert_ne!(a, b);
    assert!(a.starts_with(SANDBOX_WAMID_PREFIX));
}

#[tokio::test]
async fn send_validates_the_message() {
    let err = SandboxChannel
        .send(&FROM, "254712345678", &OutMessage::text(""))
        .await
        .unwrap_err();
    match err {
        SendError::Invalid(e) => {
            assert_eq!(e.field, "body");
            assert_eq!(e.message, "must not be empty");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn send_validates_the_recipient() {
    let err = SandboxChannel
        .send(&FROM, "", &OutMessage::text("hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SendError::Invalid(e) if e.field == "to"),
        "{err:?}"
    );
    // The E.164 form with a plus is accepted.
    assert!(
        SandboxChannel
            .send(&FROM, "+254712345678", &OutMessage::text("hi"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn works_behind_dyn_channel() {
    let ch: Box<dyn Channel> = Box::new(SandboxChannel);
    let id = ch
        .send(&FROM, "2348031234567", &OutMessage::text("hi"))
        .await
        .unwrap();
    assert!(id.starts_with("wamid.sandbox."));
}

#[tokio::test]
async fn fetch_media_is_permanently_unavailable() {
    let err = SandboxChannel
        .fetch_media(&FROM, "2621233374848975", &MediaLimits::default())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        MediaError::Permanent("the sandbox channel has no media".into())
    );
    assert!(!err.is_retryable());
}
