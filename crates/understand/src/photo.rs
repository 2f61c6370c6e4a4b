//! Reading a photographed menu or price board (onboarding): the picture
//! goes to a vision-capable model as an Anthropic `image` block or an
//! OpenAI `image_url` data URL, and the answer is validated exactly like a
//! pasted price list. There is no offline reader: the built-in provider
//! answers [`PhotoError::NotAvailable`], and so does any failure, so the
//! caller asks for the list as text.

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;

use crate::{BuiltIn, ProductsAnswer, ProviderError, Structured, prompt, validate};

/// The largest picture sent (Anthropic takes 5 MB per image once base64
/// encoded, which is 4/3 of this).
pub const MAX_PHOTO_BYTES: usize = 3_750_000;

/// Time budget of one photo call, retries included, at least: vision
/// models take seconds to read a page.
pub(crate) const PHOTO_BUDGET: Duration = Duration::from_secs(30);

/// Image types every vision provider here accepts.
const MIME_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "image/gif"];

/// A photo to read: its bytes and MIME type (`image/jpeg`, ...).
#[derive(Debug, Clone, Copy)]
pub struct Photo<'a> {
    pub bytes: &'a [u8],
    pub mime: &'a str,
}

/// Why a photo gave no products: in every case the caller asks for the
/// price list as text.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// No language model is configured (the built-in parser cannot read
    /// pictures).
    #[error("reading photos needs a language model provider")]
    NotAvailable,
    #[error("photos of type {0:?} are not read (jpeg, png, webp or gif)")]
    Unsupported(String),
    #[error("the photo is too large ({size} bytes; the limit is {limit})")]
    TooLarge { size: usize, limit: usize },
    /// The provider failed or answered outside the contract.
    #[error("the provider could not read the photo: {0}")]
    Provider(#[from] ProviderError),
}

/// Turns a photo of a menu or price list into catalog entries.
#[async_trait]
pub trait ReadMenuPhoto: Send + Sync {
    /// `minor_digits`: the currency's decimals (2 for ARS, KES, NGN). The
    /// products are validated like [`crate::ExtractProducts`]'s; an empty
    /// list means nothing legible was found.
    async fn read_menu_photo(
        &self,
        photo: Photo<'_>,
        minor_digits: u32,
    ) -> Result<ProductsAnswer, PhotoError>;
}

#[async_trait]
impl ReadMenuPhoto for BuiltIn {
    async fn read_menu_photo(
        &self,
        _photo: Photo<'_>,
        _minor_digits: u32,
    ) -> Result<ProductsAnswer, PhotoError> {
        Err(PhotoError::NotAvailable)
    }
}

/// A picture as the wire protocols carry it.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub mime: String,
    pub base64: String,
}

pub(crate) fn check(photo: &Photo<'_>) -> Result<Image, PhotoError> {
    let mime = photo
        .mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if !MIME_TYPES.contains(&mime.as_str()) {
        return Err(PhotoError::Unsupported(mime));
    }
    if photo.bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge {
            size: photo.bytes.len(),
            limit: MAX_PHOTO_BYTES,
        });
    }
    Ok(Image {
        mime,
        base64: base64::engine::general_purpose::STANDARD.encode(photo.bytes),
    })
}

pub(crate) async fn photo_via(
    p: &dyn Structured,
    photo: Photo<'_>,
    minor_digits: u32,
) -> Result<ProductsAnswer, PhotoError> {
    let task = prompt::photo_task(check(&photo)?);
    let result = crate::call_with_budget(p, &task)
        .await
        .and_then(|v| validate::products(v, minor_digits));
    crate::count_llm(p.name(), &result, false);
    match result {
        Ok(products) => Ok(ProductsAnswer {
            products,
            provider: p.name().to_owned(),
        }),
        Err(err) => {
            tracing::warn!(provider = p.name(), model = %p.config().model, reason = %err, "LLM menu-photo reading failed");
            Err(PhotoError::Provider(err))
        }
    }
}
