//! The language models and speech to text the engine uses, chosen once at
//! startup (`SOKONI_LLM_*`, `SOKONI_STT_*`) and shared by every service on
//! [`crate::Services::models`].
//!
//! - [`Models::understand`] reads customers' messages (the chat engine's
//!   order parsing).
//! - [`Models::extract`] reads a pasted price list into catalog entries,
//!   and [`Models::menu_photo`] a photographed menu (onboarding; see
//!   [`Models::extract_price_list`] and [`Models::read_menu_photo`]).
//! - [`Models::transcribe`] turns voice notes into text ([`crate::voice`]);
//!   `None` sends every voice note to a person.
//!
//! Understanding and price lists always answer: a hosted provider that
//! fails or times out falls back to the built-in parser (counted in
//! `sokoni_llm_fallback_total`). A menu photo has no offline reader, so it
//! answers an error and the caller asks for the list as text.

use domain::Currency;
use std::sync::Arc;
use understand::{
    BuiltIn, ExtractProducts, Photo, PhotoError, ProductsAnswer, Provider, ReadMenuPhoto,
    Transcribe, Understand,
};

#[derive(Clone)]
pub struct Models {
    /// Reads one customer message in its tenant's context.
    pub understand: Arc<dyn Understand>,
    /// Reads a pasted price list.
    pub extract: Arc<dyn ExtractProducts>,
    /// Reads a photo of a menu or price board (vision-capable providers).
    pub menu_photo: Arc<dyn ReadMenuPhoto>,
    /// Speech to text for voice notes, when configured.
    pub transcribe: Option<Arc<dyn Transcribe>>,
    /// The configured language-model provider's name ("builtin", "anthropic", ...).
    pub provider: String,
}

impl Models {
    /// The built-in parser only: no network, no voice notes.
    pub fn builtin() -> Models {
        Models::with_provider(understand::BUILTIN, Arc::new(BuiltIn))
    }

    /// Every language-model job done by `provider` (named `name`).
    pub fn with_provider(name: &str, provider: Arc<dyn Provider>) -> Models {
        Models {
            understand: provider.clone(),
            extract: provider.clone(),
            menu_photo: provider,
            transcribe: None,
            provider: name.to_owned(),
        }
    }

    /// Voice notes transcribed by `stt`.
    pub fn with_transcribe(mut self, stt: Arc<dyn Transcribe>) -> Models {
        self.transcribe = Some(stt);
        self
    }

    /// Whether voice notes are transcribed.
    pub fn hears_voice(&self) -> bool {
        self.transcribe.is_some()
    }

    /// Products in a pasted price list, prices in `currency`'s minor units.
    /// Always answers (the built-in extractor when the provider fails);
    /// [`ProductsAnswer::provider`] says who read it.
    pub async fn extract_price_list(&self, text: &str, currency: Currency) -> ProductsAnswer {
        self.extract
            .extract_products(text, currency.minor_digits())
            .await
    }

    /// Products in a photo of a menu or price list (`mime`: `image/jpeg`,
    /// `image/png`, `image/webp` or `image/gif`), prices in `currency`'s
    /// minor units. [`PhotoError::NotAvailable`] without a provider; any
    /// error means: ask the owner for the list as text.
    pub async fn read_menu_photo(
        &self,
        bytes: &[u8],
        mime: &str,
        currency: Currency,
    ) -> Result<ProductsAnswer, PhotoError> {
        self.menu_photo
            .read_menu_photo(Photo { bytes, mime }, currency.minor_digits())
            .await
    }
}

impl Default for Models {
    fn default() -> Self {
        Models::builtin()
    }
}

impl std::fmt::Debug for Models {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Models")
            .field("provider", &self.provider)
            .field("transcribe", &self.transcribe.as_ref().map(|t| t.name()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ars() -> Currency {
        Currency::parse("ARS").unwrap()
    }

    #[tokio::test]
    async fn the_builtin_models_parse_offline_and_cannot_read_photos_or_hear() {
        let m = Models::builtin();
        assert!(!m.hears_voice());
        let list = m
            .extract_price_list("Empanada de carne $1.200\nDocena $13.500", ars())
            .await;
        assert_eq!(list.provider, "builtin");
        assert_eq!(list.products.len(), 2, "{:?}", list.products);
        assert_eq!(list.products[0].price_minor, 120_000);
        let photo = m.read_menu_photo(b"\xff\xd8", "image/jpeg", ars()).await;
        assert!(matches!(photo, Err(PhotoError::NotAvailable)));
    }
}
