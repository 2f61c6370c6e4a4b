//! The webhook POST envelope (protocols §1.3, §1.4, §1.6) flattened into [`Event`]s.
//!
//! Parsing is lenient where Meta adds things and strict only where the envelope itself is
//! unusable:
//! - invalid JSON, a body that is not an object with an `entry` array, an `object` other than
//!   `whatsapp_business_account`, or a `messages` change without `value.metadata.phone_number_id`
//!   is a [`ParseError`];
//! - `message_template_status_update` changes (§1.9) become [`Event::TemplateStatus`]; one
//!   without an `event`, or naming neither a template id nor a name, is skipped with a warning;
//! - changes whose `field` is anything else are ignored;
//! - unknown and extra fields are ignored everywhere;
//! - a message whose type-specific body is missing or malformed becomes [`Content::Unknown`];
//! - a `messages[]` or `statuses[]` item without the fields that identify it (`id`, `from`,
//!   `timestamp`; `id`, `status`, `timestamp`) is skipped with a warning: there is nothing to
//!   deduplicate or answer it with, and failing the envelope would only make Meta resend it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The envelope could not be understood at all.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("the webhook body is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the webhook body is not a WhatsApp envelope: {0}")]
    Shape(String),
}

/// One thing the webhook told us.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Message(InboundMessage),
    Status(StatusUpdate),
    Error(ErrorEvent),
    /// Meta reviewed, paused, disabled… a template of a WhatsApp Business Account.
    TemplateStatus(TemplateStatus),
}

/// `field: "message_template_status_update"`: a template's status changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateStatus {
    /// `entry[].id`: the WhatsApp Business Account.
    pub waba_id: String,
    /// `message_template_id` (a number on the wire, kept as text).
    pub template_id: Option<String>,
    pub name: Option<String>,
    pub language: Option<String>,
    /// Meta's `event`, uppercase: `APPROVED`, `REJECTED`, `PENDING`, `PAUSED`, `DISABLED`, …
    pub status: String,
    /// `NONE` is `None`.
    pub reason: Option<String>,
    /// `entry[].time`, when Meta gave it.
    pub time: Option<DateTime<Utc>>,
    /// The change's `value` exactly as received.
    pub raw: Value,
}

impl TemplateStatus {
    /// What makes a delivery of this change unique (a redelivery has the same).
    pub fn key(&self) -> String {
        format!(
            "{}:{}:{}:{}:{}:{}",
            self.waba_id,
            self.template_id.as_deref().unwrap_or_default(),
            self.name.as_deref().unwrap_or_default(),
            self.language.as_deref().unwrap_or_default(),
            self.status,
            self.time.map(|t| t.timestamp()).unwrap_or_default()
        )
    }
}

/// A message a customer sent to one of our numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    pub phone_number_id: String,
    pub display_phone_number: String,
    /// wa_id digits as sent (no `+`).
    pub from: String,
    /// From `contacts[]` matching `wa_id == from` (or the only contact).
    pub profile_name: Option<String>,
    /// The wamid.
    pub id: String,
    pub timestamp: DateTime<Utc>,
    pub context: Option<Context>,
    pub content: Content,
    /// This `messages[]` item exactly as received.
    pub raw: Value,
}

/// `messages[].context`: what a reply or a button tap refers to, and forwarding flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Context {
    pub from: Option<String>,
    pub id: Option<String>,
    pub forwarded: bool,
    pub frequently_forwarded: bool,
}

/// The type-specific body of an inbound message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text {
        body: String,
    },
    ButtonReply {
        id: String,
        title: String,
    },
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    /// A quick-reply button on a template (`type: "button"`).
    TemplateButton {
        payload: String,
        text: String,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
        url: Option<String>,
    },
    Media {
        kind: MediaKind,
        id: String,
        mime_type: Option<String>,
        sha256: Option<String>,
        caption: Option<String>,
        filename: Option<String>,
        voice: Option<bool>,
        animated: Option<bool>,
    },
    Order {
        catalog_id: String,
        /// The customer's note; an empty string is `None`.
        text: Option<String>,
        items: Vec<OrderItem>,
    },
    /// `emoji: None` means the reaction was removed (Meta sends it empty or leaves it out).
    Reaction {
        message_id: String,
        emoji: Option<String>,
    },
    Contacts {
        contacts: Vec<Value>,
    },
    /// `type: "unsupported"` (or the older `"unknown"` carrying errors).
    Unsupported {
        errors: Vec<WaError>,
    },
    /// A type we do not know, or a known type whose body is missing or malformed.
    /// `type_name` is the message's `type`, or `interactive.<subtype>` for unknown interactive replies.
    Unknown {
        type_name: String,
    },
}

/// The media types Meta uses as message `type`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

impl MediaKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Video => "video",
            MediaKind::Audio => "audio",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
        }
    }

    /// The inverse of [`MediaKind::as_str`].
    pub fn parse(s: &str) -> Option<MediaKind> {
        Some(match s {
            "image" => MediaKind::Image,
            "video" => MediaKind::Video,
            "audio" => MediaKind::Audio,
            "document" => MediaKind::Document,
            "sticker" => MediaKind::Sticker,
            _ => return None,
        })
    }
}

impl std::fmt::Display for MediaKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of a catalog order. `item_price` is the per-unit price as Meta sends it (a float).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub product_retailer_id: String,
    pub quantity: i64,
    pub item_price: f64,
    pub currency: String,
}

impl Content {
    /// A stable name for the content type.
    pub fn kind(&self) -> &'static str {
        match self {
            Content::Text { .. } => "text",
            Content::ButtonReply { .. } => "button_reply",
            Content::ListReply { .. } => "list_reply",
            Content::TemplateButton { .. } => "template_button",
            Content::Location { .. } => "location",
            Content::Media { kind, .. } => kind.as_str(),
            Content::Order { .. } => "order",
            Content::Reaction { .. } => "reaction",
            Content::Contacts { .. } => "contacts",
            Content::Unsupported { .. } => "unsupported",
            Content::Unknown { .. } => "unknown",
        }
    }

    /// A human-readable body, when the content has one.
    pub fn text(&self) -> Option<String> {
        match self {
            Content::Text { body } => Some(body.clone()),
            Content::ButtonReply { title, .. } | Content::ListReply { title, .. } => {
                Some(title.clone())
            }
            Content::TemplateButton { text, .. } => Some(text.clone()),
            Content::Location {
                latitude,
                longitude,
                name,
                address,
                ..
            } => {
                let parts: Vec<&str> = [name, address]
                    .into_iter()
                    .flatten()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect();
                if parts.is_empty() {
                    Some(format!("{latitude},{longitude}"))
                } else {
                    Some(parts.join(", "))
                }
            }
            Content::Media { caption, .. } => caption.clone().filter(|c| !c.is_empty()),
            Content::Order { text, items, .. } => {
                let lines: Vec<String> = items
                    .iter()
                    .map(|i| format!("{} x {}", i.quantity, i.product_retailer_id))
                    .collect();
                let mut summary = format!("order: {}", lines.join(", "));
                if let Some(note) = text.as_deref().filter(|t| !t.trim().is_empty()) {
                    summary.push_str(" (");
                    summary.push_str(note);
                    summary.push(')');
                }
                Some(summary)
            }
            Content::Reaction { emoji, .. } => emoji.clone(),
            Content::Contacts { contacts } => {
                let names: Vec<&str> = contacts
                    .iter()
                    .filter_map(|c| c.pointer("/name/formatted_name").and_then(Value::as_str))
                    .collect();
                (!names.is_empty()).then(|| names.join(", "))
            }
            Content::Unsupported { .. } | Content::Unknown { .. } => None,
        }
    }
}

/// A delivery-status update for a message we sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    pub phone_number_id: String,
    /// The wamid of our message.
    pub id: String,
    pub status: DeliveryStatus,
    pub timestamp: DateTime<Utc>,
    pub recipient_id: String,
    pub errors: Vec<WaError>,
    /// This `statuses[]` item exactly as received.
    pub raw: Value,
}

/// `statuses[].status`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    Sent,
    Delivered,
    Read,
    Failed,
    Deleted,
    Warning,
    Other(String),
}

impl DeliveryStatus {
    pub fn parse(s: &str) -> DeliveryStatus {
        match s {
            "sent" => DeliveryStatus::Sent,
            "delivered" => DeliveryStatus::Delivered,
            "read" => DeliveryStatus::Read,
            "failed" => DeliveryStatus::Failed,
            "deleted" => DeliveryStatus::Deleted,
            "warning" => DeliveryStatus::Warning,
            other => DeliveryStatus::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Read => "read",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Deleted => "deleted",
            DeliveryStatus::Warning => "warning",
            DeliveryStatus::Other(s) => s,
        }
    }
}

impl std::fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DeliveryStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for DeliveryStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(DeliveryStatus::parse(&s))
    }
}

/// `value.errors[]`: an error Meta reports asynchronously, not tied to one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorEvent {
    pub phone_number_id: String,
    pub errors: Vec<WaError>,
    /// `value.errors` exactly as received.
    pub raw: Value,
}

/// One error object as Meta puts it in webhooks (`details` comes from `error_data.details`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaError {
    pub code: i64,
    pub title: String,
    pub message: Option<String>,
    pub details: Option<String>,
    pub href: Option<String>,
}

impl WaError {
    fn from_value(v: &Value) -> Option<WaError> {
        let obj = v.as_object()?;
        let string = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
        let code = obj.get("code").and_then(lenient_i64).unwrap_or(0);
        let message = string("message");
        let title = string("title")
            .or_else(|| message.clone())
            .unwrap_or_default();
        Some(WaError {
            code,
            title,
            message,
            details: v
                .pointer("/error_data/details")
                .and_then(Value::as_str)
                .map(str::to_string),
            href: string("href"),
        })
    }

    fn list(v: Option<&Value>) -> Vec<WaError> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(WaError::from_value).collect())
            .unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    object: Option<Value>,
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    time: Option<Value>,
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize)]
struct ChangeValue {
    metadata: Metadata,
    #[serde(default)]
    contacts: Vec<Value>,
    #[serde(default)]
    messages: Vec<Value>,
    #[serde(default)]
    statuses: Vec<Value>,
    #[serde(default)]
    errors: Option<Value>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: String,
    #[serde(default)]
    display_phone_number: String,
}

/// Parses a webhook body (the raw bytes) into events, in the order they appear.
/// A webhook envelope with one `messages` change for number
/// `phone_number_id`, whose value holds `value`'s fields (`contacts` and
/// `messages`, or `statuses`, or `errors`) beside the metadata: the shape
/// Meta posts, for the simulator, benchmarks and stored single events.
pub fn envelope(phone_number_id: &str, display_phone_number: &str, value: Value) -> Value {
    let mut v = serde_json::json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": display_phone_number, "phone_number_id": phone_number_id },
    });
    if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), value) {
        obj.extend(extra);
    }
    serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "", "changes": [{ "field": "messages", "value": v }] }],
    })
}

pub fn parse(raw: &[u8]) -> Result<Vec<Event>, ParseError> {
    let root: Value = serde_json::from_slice(raw)?;
    if !root.is_object() {
        return Err(ParseError::Shape("the body is not a JSON object".into()));
    }
    let envelope: Envelope = serde_json::from_value(root)
        .map_err(|e| ParseError::Shape(format!("bad envelope: {e}")))?;
    match &envelope.object {
        None => {}
        Some(Value::String(s)) if s == "whatsapp_business_account" => {}
        Some(other) => {
            return Err(ParseError::Shape(format!(
                "object is {other}, not \"whatsapp_business_account\""
            )));
        }
    }

    let mut events = Vec::new();
    for (e, entry) in envelope.entry.into_iter().enumerate() {
        let waba_id = entry
            .id
            .as_ref()
            .and_then(lenient_string)
            .unwrap_or_default();
        let time = entry
            .time
            .as_ref()
            .and_then(lenient_i64)
            .and_then(|s| DateTime::from_timestamp(s, 0));
        for (c, change) in entry.changes.into_iter().enumerate() {
            if change.field.as_deref() == Some("message_template_status_update") {
                match parse_template_status(&waba_id, time, change.value) {
                    Ok(t) => events.push(Event::TemplateStatus(t)),
                    Err(why) => {
                        tracing::warn!(%why, "skipping a template status that cannot be identified")
                    }
                }
                continue;
            }
            if change.field.as_deref() != Some("messages") {
                continue;
            }
            let value: ChangeValue = serde_json::from_value(change.value).map_err(|err| {
                ParseError::Shape(format!("entry[{e}].changes[{c}].value: {err}"))
            })?;
            parse_value(value, &mut events);
        }
    }
    Ok(events)
}

fn parse_value(value: ChangeValue, events: &mut Vec<Event>) {
    let ChangeValue {
        metadata,
        contacts,
        messages,
        statuses,
        errors,
    } = value;

    for raw in messages {
        match parse_message(&metadata, &contacts, raw) {
            Ok(m) => events.push(Event::Message(m)),
            Err(why) => {
                tracing::warn!(%why, "skipping an inbound message that cannot be identified")
            }
        }
    }
    for raw in statuses {
        match parse_status(&metadata, raw) {
            Ok(s) => events.push(Event::Status(s)),
            Err(why) => tracing::warn!(%why, "skipping a status update that cannot be identified"),
        }
    }
    if let Some(raw) = errors {
        let list = WaError::list(Some(&raw));
        if !list.is_empty() {
            events.push(Event::Error(ErrorEvent {
                phone_number_id: metadata.phone_number_id.clone(),
                errors: list,
                raw,
            }));
        }
    }
}

fn parse_template_status(
    waba_id: &str,
    time: Option<DateTime<Utc>>,
    raw: Value,
) -> Result<TemplateStatus, String> {
    if waba_id.is_empty() {
        return Err("the entry has no WhatsApp Business Account id".into());
    }
    let text = |key: &str| raw.get(key).and_then(lenient_string);
    let event = text("event").ok_or("no event")?;
    let template_id = text("message_template_id");
    let name = text("message_template_name");
    if template_id.is_none() && name.is_none() {
        return Err("neither a template id nor a name".into());
    }
    Ok(TemplateStatus {
        waba_id: waba_id.to_string(),
        template_id,
        name,
        language: text("message_template_language"),
        status: event.to_ascii_uppercase(),
        reason: text("reason").filter(|r| !r.eq_ignore_ascii_case("NONE")),
        time,
        raw,
    })
}

/// A non-empty string, or a number as text.
fn lenient_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Accepts `"1739321024"` (what Meta sends) and `1739321024`.
fn parse_timestamp(v: Option<&Value>) -> Result<DateTime<Utc>, String> {
    let secs = v
        .and_then(lenient_i64)
        .ok_or("missing or non-numeric timestamp")?;
    DateTime::from_timestamp(secs, 0).ok_or_else(|| format!("timestamp {secs} out of range"))
}

fn lenient_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn lenient_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn parse_message(
    metadata: &Metadata,
    contacts: &[Value],
    raw: Value,
) -> Result<InboundMessage, String> {
    let from = str_field(&raw, "from").ok_or("message without from")?;
    let id = str_field(&raw, "id").ok_or("message without id")?;
    let timestamp = parse_timestamp(raw.get("timestamp"))?;

    let profile_name = contacts
        .iter()
        .find(|c| c.get("wa_id").and_then(Value::as_str) == Some(from.as_str()))
        .or(match contacts {
            [only] => Some(only),
            _ => None,
        })
        .and_then(|c| c.pointer("/profile/name"))
        .and_then(Value::as_str)
        .map(str::to_string);

    let context = raw
        .get("context")
        .filter(|c| c.is_object())
        .map(|c| Context {
            from: str_field(c, "from"),
            id: str_field(c, "id"),
            forwarded: c.get("forwarded").and_then(Value::as_bool).unwrap_or(false),
            frequently_forwarded: c
                .get("frequently_forwarded")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        });

    let content = parse_content(&raw);

    Ok(InboundMessage {
        phone_number_id: metadata.phone_number_id.clone(),
        display_phone_number: metadata.display_phone_number.clone(),
        from,
        profile_name,
        id,
        timestamp,
        context,
        content,
        raw,
    })
}

#[derive(Deserialize)]
struct TextBody {
    body: String,
}

#[derive(Deserialize)]
struct Reply {
    id: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct ButtonBody {
    #[serde(default)]
    payload: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct LocationBody {
    #[serde(deserialize_with = "de_f64")]
    latitude: f64,
    #[serde(deserialize_with = "de_f64")]
    longitude: f64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
struct MediaBody {
    id: String,
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    sha256: Option<String>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    voice: Option<bool>,
    #[serde(default)]
    animated: Option<bool>,
}

#[derive(Deserialize)]
struct OrderBody {
    catalog_id: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    product_items: Vec<OrderItemBody>,
}

#[derive(Deserialize)]
struct OrderItemBody {
    product_retailer_id: String,
    #[serde(deserialize_with = "de_i64")]
    quantity: i64,
    #[serde(deserialize_with = "de_f64")]
    item_price: f64,
    currency: String,
}

#[derive(Deserialize)]
struct ReactionBody {
    message_id: String,
    #[serde(default)]
    emoji: Option<String>,
}

fn de_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = Value::deserialize(d)?;
    lenient_f64(&v).ok_or_else(|| serde::de::Error::custom(format!("not a number: {v}")))
}

fn de_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = Value::deserialize(d)?;
    lenient_i64(&v).ok_or_else(|| serde::de::Error::custom(format!("not an integer: {v}")))
}

fn body<T: serde::de::DeserializeOwned>(raw: &Value, key: &str) -> Option<T> {
    raw.get(key).and_then(|v| T::deserialize(v).ok())
}

fn parse_content(raw: &Value) -> Content {
    let type_name = raw
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let unknown = |type_name: String| Content::Unknown { type_name };

    match type_name.as_str() {
        "text" => match body::<TextBody>(raw, "text") {
            Some(t) => Content::Text { body: t.body },
            None => unknown(type_name),
        },
        "interactive" => {
            let sub = raw
                .pointer("/interactive/type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let reply = raw
                .get("interactive")
                .and_then(|i| i.get(sub))
                .and_then(|v| Reply::deserialize(v).ok());
            match (sub, reply) {
                ("button_reply", Some(r)) => Content::ButtonReply {
                    id: r.id,
                    title: r.title,
                },
                ("list_reply", Some(r)) => Content::ListReply {
                    id: r.id,
                    title: r.title,
                    description: r.description,
                },
                ("button_reply" | "list_reply" | "", _) => unknown(type_name),
                (other, _) => unknown(format!("interactive.{other}")),
            }
        }
        "button" => match body::<ButtonBody>(raw, "button") {
            Some(b) if b.payload.is_some() || b.text.is_some() => {
                let text = b.text.unwrap_or_default();
                Content::TemplateButton {
                    payload: b.payload.unwrap_or_else(|| text.clone()),
                    text,
                }
            }
            _ => unknown(type_name),
        },
        "location" => match body::<LocationBody>(raw, "location") {
            Some(l) => Content::Location {
                latitude: l.latitude,
                longitude: l.longitude,
                name: l.name,
                address: l.address,
                url: l.url,
            },
            None => unknown(type_name),
        },
        "image" | "video" | "audio" | "document" | "sticker" => {
            match (
                MediaKind::parse(&type_name),
                body::<MediaBody>(raw, &type_name),
            ) {
                (Some(kind), Some(m)) => Content::Media {
                    kind,
                    id: m.id,
                    mime_type: m.mime_type,
                    sha256: m.sha256,
                    caption: m.caption,
                    filename: m.filename,
                    voice: m.voice,
                    animated: m.animated,
                },
                _ => unknown(type_name),
            }
        }
        "order" => match body::<OrderBody>(raw, "order") {
            Some(o) => Content::Order {
                catalog_id: o.catalog_id,
                text: o.text.filter(|t| !t.is_empty()),
                items: o
                    .product_items
                    .into_iter()
                    .map(|i| OrderItem {
                        product_retailer_id: i.product_retailer_id,
                        quantity: i.quantity,
                        item_price: i.item_price,
                        currency: i.currency,
                    })
                    .collect(),
            },
            None => unknown(type_name),
        },
        "reaction" => match body::<ReactionBody>(raw, "reaction") {
            Some(r) => Content::Reaction {
                message_id: r.message_id,
                emoji: r.emoji.filter(|e| !e.is_empty()),
            },
            None => unknown(type_name),
        },
        "contacts" => match raw.get("contacts").and_then(Value::as_array) {
            Some(list) => Content::Contacts {
                contacts: list.clone(),
            },
            None => unknown(type_name),
        },
        "unsupported" => Content::Unsupported {
            errors: WaError::list(raw.get("errors")),
        },
        // Older API versions used "unknown" for unsupported messages, with errors attached.
        "unknown" if raw.get("errors").is_some_and(Value::is_array) => Content::Unsupported {
            errors: WaError::list(raw.get("errors")),
        },
        _ => unknown(type_name),
    }
}

fn parse_status(metadata: &Metadata, raw: Value) -> Result<StatusUpdate, String> {
    let id = str_field(&raw, "id").ok_or("status without id")?;
    let status = str_field(&raw, "status").ok_or("status without status")?;
    let timestamp = parse_timestamp(raw.get("timestamp"))?;
    Ok(StatusUpdate {
        phone_number_id: metadata.phone_number_id.clone(),
        id,
        status: DeliveryStatus::parse(&status),
        timestamp,
        recipient_id: str_field(&raw, "recipient_id").unwrap_or_default(),
        errors: WaError::list(raw.get("errors")),
        raw,
    })
}
