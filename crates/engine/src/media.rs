//! The `fetch_media` job: downloads an inbound message's image, audio,
//! video, document or sticker through the two-step Graph flow into the
//! data dir, within the size limit and the allowed types.

use crate::jobs;
use crate::services::Services;
use crate::worker::{JobError, Perform, retry};
use async_trait::async_trait;
use channels::{MediaError, Sender, cloud::extension_for};
use domain::WaMessageId;
use std::sync::Arc;
use store::jobs::Claimed;
use store::wa;

pub struct FetchMedia(pub Arc<Services>);

#[async_trait]
impl Perform<jobs::FetchMedia> for FetchMedia {
    async fn perform(&self, j: jobs::FetchMedia, _job: &Claimed) -> Result<(), JobError> {
        let svc = &self.0;
        let id: WaMessageId = j.message_id;
        let m = wa::message(&svc.db, id).await.map_err(retry)?;
        let Some(media_id) = m.media_id.as_deref() else {
            return Ok(());
        };
        if m.media_path.is_some() {
            return Ok(());
        }
        let number = wa::get_number(&svc.db, m.tenant_id, m.number_id)
            .await
            .map_err(retry)?;
        let token = match svc.access_token(&number) {
            Ok(t) => t,
            Err(e) => {
                wa::set_media_error(&svc.db, id, &e.to_string())
                    .await
                    .map_err(retry)?;
                return Ok(());
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
                Ok(())
            }
            Err(MediaError::Retryable(e)) => Err(JobError::Retry(e)),
            Err(e) => {
                // Too large, a type we do not keep, a bad hash: recorded on
                // the message, not retried.
                wa::set_media_error(&svc.db, id, &e.to_string())
                    .await
                    .map_err(retry)?;
                Ok(())
            }
        }
    }
}
