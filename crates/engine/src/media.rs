//! The `fetch_media` job: downloads an inbound message's image, audio,
//! video, document or sticker through the two-step Graph flow into the
//! data dir, within the size limit and the allowed types. [`download`] is
//! the one way media is fetched (the voice-note job uses it too).

use crate::jobs;
use crate::services::Services;
use crate::worker::{JobError, Perform, retry};
use async_trait::async_trait;
use channels::{MediaError, Sender, cloud::extension_for};
use domain::WaMessageId;
use std::path::PathBuf;
use std::sync::Arc;
use store::jobs::Claimed;
use store::wa;

pub struct FetchMedia(pub Arc<Services>);

/// What [`download`] did with a message's media.
#[derive(Debug)]
pub enum Fetched {
    /// Kept at `path` (now on the message), with its bytes.
    Kept {
        path: PathBuf,
        mime: String,
        bytes: Vec<u8>,
    },
    /// Not kept, for a reason recorded on the message (too large, a type
    /// we do not keep, a bad hash, no token); retrying cannot help.
    Refused(String),
}

/// Downloads the media of message `m` into the data dir and records its
/// path. A failure that may pass is a [`JobError::Retry`].
pub async fn download(svc: &Services, m: &wa::Message) -> Result<Fetched, JobError> {
    let id: WaMessageId = m.id;
    let Some(media_id) = m.media_id.as_deref() else {
        return Ok(Fetched::Refused("the message has no media".into()));
    };
    let number = wa::get_number(&svc.db, m.tenant_id, m.number_id)
        .await
        .map_err(retry)?;
    let token = match svc.access_token(&number) {
        Ok(t) => t,
        Err(e) => {
            wa::set_media_error(&svc.db, id, &e.to_string())
                .await
                .map_err(retry)?;
            return Ok(Fetched::Refused(e.to_string()));
        }
    };
    let sender = Sender {
        phone_number_id: &number.phone_number_id,
        access_token: &token,
    };
    let got = svc
        .channel_for(&number)
        .fetch_media(&sender, media_id, &svc.settings.media_limits)
        .await;
    match got {
        Ok(d) => {
            let dir = svc.settings.media_dir.join(m.tenant_id.to_string());
            tokio::fs::create_dir_all(&dir).await.map_err(retry)?;
            let path = dir.join(format!("{id}.{}", extension_for(&d.mime_type)));
            // Write then rename, so a crash never leaves half a file
            // under the final name.
            let tmp = path.with_extension("part");
            tokio::fs::write(&tmp, &d.bytes).await.map_err(retry)?;
            tokio::fs::rename(&tmp, &path).await.map_err(retry)?;
            wa::set_media_path(&svc.db, id, &path.to_string_lossy(), &d.mime_type)
                .await
                .map_err(retry)?;
            Ok(Fetched::Kept {
                path,
                mime: d.mime_type,
                bytes: d.bytes,
            })
        }
        Err(MediaError::Retryable(e)) => Err(JobError::Retry(e)),
        Err(e) => {
            // Too large, a type we do not keep, a bad hash: recorded on
            // the message, not retried.
            wa::set_media_error(&svc.db, id, &e.to_string())
                .await
                .map_err(retry)?;
            Ok(Fetched::Refused(e.to_string()))
        }
    }
}

#[async_trait]
impl Perform<jobs::FetchMedia> for FetchMedia {
    async fn perform(&self, j: jobs::FetchMedia, _job: &Claimed) -> Result<(), JobError> {
        let svc = &self.0;
        let m = wa::message(&svc.db, j.message_id).await.map_err(retry)?;
        if m.media_id.is_none() || m.media_path.is_some() {
            return Ok(());
        }
        download(svc, &m).await.map(|_| ())
    }
}
