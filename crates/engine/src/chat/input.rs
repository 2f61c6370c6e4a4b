//! What a customer's message says, read once per turn: a command word, a
//! tap on a button or list row by its id, typed text through the
//! understanding provider, a bare date, a location pin, a catalog cart, or
//! media. Only typed text needs the catalog (the parser matches products
//! by name), so only typed text loads it.

use channels::inbound::Content;
use chrono::{DateTime, Utc};
use domain::tenant::Vertical;
use nlu::{Intent, Understanding};
use store::products::Product;
use store::tenants::Tenant;
use understand::Understand;

/// What the customer did, read from the message.
pub(crate) enum Input {
    /// A whole-message command word.
    Word(Word),
    /// Typed text and what it means.
    Said(Box<Understanding>, String),
    /// A bare date ("Dec 20", "el viernes"): the answer to "when do you
    /// need it?", which alone the parser rightly does not call a deadline.
    Date(chrono::NaiveDate, String),
    /// A tapped button or list row, by id.
    Tap(String),
    /// A shared location pin, as an address line.
    Location(String),
    /// A cart sent from the WhatsApp catalog: (sku, quantity).
    CatalogOrder(Vec<(String, u32)>),
    /// A photo, document or voice note, described by its kind and any
    /// caption ("(audio)", "(image) the receipt").
    Media(String),
    /// Something that needs no answer (a reaction).
    Ignore,
    /// Anything else.
    Other,
}

impl Input {
    /// The customer's words, for the person who picks the conversation up.
    pub fn words(&self) -> String {
        match self {
            Input::Said(_, text) | Input::Date(_, text) => text.clone(),
            Input::Media(what) => what.clone(),
            _ => String::new(),
        }
    }

    /// Whether this is a greeting or a request for the menu, which starts
    /// the conversation over.
    pub fn restarts(&self) -> bool {
        matches!(self, Input::Word(Word::Restart))
            || matches!(self, Input::Said(u, _) if matches!(u.intent, Intent::Greeting | Intent::MenuRequest))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Word {
    Restart,
    OptOut,
    OptIn,
    ReuseMeasures,
    Person,
}

/// Whole messages that are commands in any flow, after lowercasing and
/// stripping accents and punctuation.
pub(crate) fn command_word(text: &str) -> Option<Word> {
    let norm: String = text
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            c => c,
        })
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Some(match norm.as_str() {
        "menu" | "hola" | "hi" | "hello" | "hey" | "inicio" | "start over" | "empezar"
        | "volver a empezar" | "habari" | "jambo" | "mambo" | "menyu" => Word::Restart,
        "stop" | "baja" | "unsubscribe" | "stop messages" | "acha" => Word::OptOut,
        "start" | "alta" | "subscribe" => Word::OptIn,
        "measures" | "measurements" | "medidas" | "vipimo" => Word::ReuseMeasures,
        "person" | "human" | "agent" | "persona" | "humano" | "operador" | "mtu" => Word::Person,
        _ => return None,
    })
}

/// Whether reading `content` needs the catalog: typed text that is not a
/// command word.
pub(crate) fn needs_catalog(content: &Content) -> bool {
    matches!(content, Content::Text { body } if command_word(body).is_none())
}

/// Reads one message. `products` is the available catalog when
/// [`needs_catalog`] said so, else empty.
pub(crate) async fn read(
    understand: &dyn Understand,
    content: &Content,
    tenant: &Tenant,
    products: &[Product],
    now: DateTime<Utc>,
) -> Input {
    match content {
        Content::Text { body } => {
            if let Some(word) = command_word(body) {
                return Input::Word(word);
            }
            let ctx = nlu::Context {
                locale: tenant.locale.to_string(),
                vertical: match tenant.vertical {
                    Vertical::Tailor => nlu::Vertical::Tailor,
                    Vertical::Shop => nlu::Vertical::Shop,
                    Vertical::Restaurant => nlu::Vertical::Restaurant,
                },
                now: now.fixed_offset(),
                timezone: tenant.tz(),
                catalog: products
                    .iter()
                    .map(|p| nlu::CatalogItem {
                        sku: p.sku.clone(),
                        name: p.name.clone(),
                        aliases: p.aliases.0.clone(),
                    })
                    .collect(),
            };
            let answer = understand
                .understand(&nlu::Message::new(body.clone()), &ctx)
                .await;
            let u = answer.understanding;
            if u.intent == Intent::Unknown && u.deadline.is_none() {
                // Read the words as the answer to "by when?".
                let framed = match domain::text::language_of(&ctx.locale) {
                    "es" => format!("lo necesito para {body}"),
                    _ => format!("I need it by {body}"),
                };
                if let Some(date) = nlu::parse(&nlu::Message::new(framed), &ctx).deadline {
                    return Input::Date(date, body.clone());
                }
            }
            Input::Said(Box::new(u), body.clone())
        }
        Content::ButtonReply { id, .. } | Content::ListReply { id, .. } => Input::Tap(id.clone()),
        Content::TemplateButton { payload, .. } => Input::Tap(payload.clone()),
        Content::Location {
            latitude,
            longitude,
            name,
            address,
            ..
        } => {
            let place = [name.as_deref(), address.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            let pin = format!("📍 {latitude:.6}, {longitude:.6}");
            Input::Location(if place.is_empty() {
                pin
            } else {
                format!("{place} ({pin})")
            })
        }
        Content::Order { items, .. } => Input::CatalogOrder(
            items
                .iter()
                .filter(|i| i.quantity > 0)
                .map(|i| {
                    (
                        i.product_retailer_id.clone(),
                        u32::try_from(i.quantity).unwrap_or(u32::MAX),
                    )
                })
                .collect(),
        ),
        Content::Media { caption, .. } => {
            let kind = content.kind();
            Input::Media(match caption.as_deref().map(str::trim) {
                Some(c) if !c.is_empty() => format!("({kind}) {c}"),
                _ => format!("({kind})"),
            })
        }
        Content::Reaction { .. } => Input::Ignore,
        _ => Input::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_words_ignore_case_accents_and_punctuation() {
        assert_eq!(command_word("  Menú! "), Some(Word::Restart));
        assert_eq!(command_word("HOLA"), Some(Word::Restart));
        assert_eq!(command_word("STOP"), Some(Word::OptOut));
        assert_eq!(command_word("baja."), Some(Word::OptOut));
        assert_eq!(command_word("ALTA"), Some(Word::OptIn));
        assert_eq!(command_word("MEASURES"), Some(Word::ReuseMeasures));
        assert_eq!(command_word("medidas"), Some(Word::ReuseMeasures));
        assert_eq!(command_word("persona"), Some(Word::Person));
        assert_eq!(command_word("hola, dos de carne"), None);
        assert_eq!(command_word("stop the sugar order"), None);
    }

    #[test]
    fn only_typed_text_needs_the_catalog() {
        let text = |b: &str| Content::Text { body: b.into() };
        assert!(needs_catalog(&text("dos de carne")));
        assert!(!needs_catalog(&text("menu")));
        assert!(!needs_catalog(&Content::ButtonReply {
            id: "checkout".into(),
            title: "Place order".into()
        }));
    }
}
