//! The messages we send, Meta's limits on them, and the Graph API request body
//! (protocols §1.5).
//!
//! [`OutMessage`] is stored as JSON in job payloads and accepted by our HTTP API:
//! `{"type":"text","body":"hi"}`, `{"type":"buttons","body":"Pick","buttons":[{"id":"a","title":"A"}]}`.
//!
//! Lengths are counted in `char`s. An optional text field that is `Some("")` is treated like
//! `None`: it passes validation and is left out of the Graph body.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use crate::inbound::MediaKind;

/// A message to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutMessage {
    Text {
        body: String,
        #[serde(default)]
        preview_url: bool,
    },
    /// Up to three reply buttons (`interactive.type = "button"`).
    Buttons {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        header: Option<String>,
        body: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<String>,
        buttons: Vec<Button>,
    },
    /// A list message (`interactive.type = "list"`).
    List {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        header: Option<String>,
        body: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<String>,
        /// The label of the button that opens the list.
        button: String,
        sections: Vec<Section>,
    },
    /// An approved template with text parameters.
    Template {
        name: String,
        language: String,
        #[serde(default)]
        header: Vec<String>,
        #[serde(default)]
        body: Vec<String>,
        #[serde(default)]
        buttons: Vec<TemplateButton>,
    },
    /// A single catalog product.
    Product {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<String>,
        catalog_id: String,
        product_retailer_id: String,
    },
    /// Several catalog products in sections.
    ProductList {
        header: String,
        body: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<String>,
        catalog_id: String,
        sections: Vec<ProductSection>,
    },
    /// An image, video, audio, document or sticker, by uploaded media `id` or public `link`.
    Media {
        kind: MediaKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
    },
}

/// A reply button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub id: String,
    pub title: String,
}

/// A section of a list message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub rows: Vec<Row>,
}

/// A row of a list message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A section of a product-list message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSection {
    pub title: String,
    pub product_retailer_ids: Vec<String>,
}

/// A dynamic parameter for one of a template's buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateButton {
    /// `"url"` (the parameter completes the button's URL) or `"quick_reply"` (the payload
    /// returned when the customer taps it); anything else fails [`OutMessage::validate`].
    pub sub_type: String,
    /// The button's position in the template (0-based).
    pub index: u8,
    /// The URL suffix (`url`) or the payload returned on tap (`quick_reply`).
    pub param: String,
}

/// `TemplateButton::sub_type` for a URL button.
pub const SUB_TYPE_URL: &str = "url";
/// `TemplateButton::sub_type` for a quick-reply button.
pub const SUB_TYPE_QUICK_REPLY: &str = "quick_reply";

impl TemplateButton {
    /// A URL button whose dynamic suffix is `param`.
    pub fn url(index: u8, param: impl Into<String>) -> Self {
        TemplateButton {
            sub_type: SUB_TYPE_URL.into(),
            index,
            param: param.into(),
        }
    }

    /// A quick-reply button whose tap returns `payload`.
    pub fn quick_reply(index: u8, payload: impl Into<String>) -> Self {
        TemplateButton {
            sub_type: SUB_TYPE_QUICK_REPLY.into(),
            index,
            param: payload.into(),
        }
    }
}

/// A message breaks one of Meta's limits. `field` is a path such as `buttons[1].title`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct LimitError {
    pub field: String,
    pub message: String,
}

impl LimitError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        LimitError {
            field: field.into(),
            message: message.into(),
        }
    }
}

// Limits (protocols §1.5).
pub const TEXT_BODY_MAX: usize = 4096;
pub const INTERACTIVE_BODY_MAX: usize = 1024;
pub const HEADER_MAX: usize = 60;
pub const FOOTER_MAX: usize = 60;
pub const BUTTONS_MAX: usize = 3;
pub const BUTTON_ID_MAX: usize = 256;
pub const BUTTON_TITLE_MAX: usize = 20;
pub const LIST_BUTTON_MAX: usize = 20;
pub const LIST_SECTIONS_MAX: usize = 10;
pub const LIST_ROWS_MAX: usize = 10;
pub const ROW_ID_MAX: usize = 200;
pub const ROW_TITLE_MAX: usize = 24;
pub const ROW_DESCRIPTION_MAX: usize = 72;
pub const SECTION_TITLE_MAX: usize = 24;
pub const TEMPLATE_NAME_MAX: usize = 512;
pub const PRODUCT_SECTIONS_MAX: usize = 10;
pub const PRODUCT_ITEMS_MAX: usize = 30;
pub const CAPTION_MAX: usize = 1024;

fn len(s: &str) -> usize {
    s.chars().count()
}

/// `s` must have 1..=max characters.
fn required(field: impl Into<String>, s: &str, max: usize) -> Result<(), LimitError> {
    if s.is_empty() {
        return Err(LimitError::new(field, "must not be empty"));
    }
    at_most(field, s, max)
}

/// `s` must have at most `max` characters.
fn at_most(field: impl Into<String>, s: &str, max: usize) -> Result<(), LimitError> {
    let n = len(s);
    if n > max {
        return Err(LimitError::new(
            field,
            format!("at most {max} characters (got {n})"),
        ));
    }
    Ok(())
}

fn optional(field: &str, s: &Option<String>, max: usize) -> Result<(), LimitError> {
    match s {
        Some(s) => at_most(field, s, max),
        None => Ok(()),
    }
}

fn count(field: &str, n: usize, min: usize, max: usize, what: &str) -> Result<(), LimitError> {
    if n < min || n > max {
        return Err(LimitError::new(
            field,
            format!("at least {min} and at most {max} {what} (got {n})"),
        ));
    }
    Ok(())
}

/// Remembers values seen at a field path, to report the first repeat.
fn unique<'a>(
    seen: &mut Vec<(&'a str, String)>,
    field: String,
    value: &'a str,
) -> Result<(), LimitError> {
    if let Some((_, first)) = seen.iter().find(|(v, _)| *v == value) {
        return Err(LimitError::new(
            field,
            format!("must be unique (\"{value}\" is also at {first})"),
        ));
    }
    seen.push((value, field));
    Ok(())
}

/// `Some("")` counts as absent.
fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

fn text_obj(s: &str) -> Value {
    json!({ "text": s })
}

fn text_header(s: &str) -> Value {
    json!({ "type": "text", "text": s })
}

impl OutMessage {
    /// A plain text message without link preview.
    pub fn text(body: impl Into<String>) -> OutMessage {
        OutMessage::Text {
            body: body.into(),
            preview_url: false,
        }
    }

    /// Checks Meta's limits (protocols §1.5). The first violation is returned.
    pub fn validate(&self) -> Result<(), LimitError> {
        match self {
            OutMessage::Text { body, .. } => required("body", body, TEXT_BODY_MAX),
            OutMessage::Buttons {
                header,
                body,
                footer,
                buttons,
            } => {
                optional("header", header, HEADER_MAX)?;
                required("body", body, INTERACTIVE_BODY_MAX)?;
                optional("footer", footer, FOOTER_MAX)?;
                count("buttons", buttons.len(), 1, BUTTONS_MAX, "buttons")?;
                let mut ids = Vec::new();
                let mut titles = Vec::new();
                for (i, b) in buttons.iter().enumerate() {
                    required(format!("buttons[{i}].id"), &b.id, BUTTON_ID_MAX)?;
                    required(format!("buttons[{i}].title"), &b.title, BUTTON_TITLE_MAX)?;
                    unique(&mut ids, format!("buttons[{i}].id"), &b.id)?;
                    unique(&mut titles, format!("buttons[{i}].title"), &b.title)?;
                }
                Ok(())
            }
            OutMessage::List {
                header,
                body,
                footer,
                button,
                sections,
            } => {
                optional("header", header, HEADER_MAX)?;
                required("body", body, INTERACTIVE_BODY_MAX)?;
                optional("footer", footer, FOOTER_MAX)?;
                required("button", button, LIST_BUTTON_MAX)?;
                count("sections", sections.len(), 1, LIST_SECTIONS_MAX, "sections")?;
                let mut ids = Vec::new();
                for (s, section) in sections.iter().enumerate() {
                    match present(&section.title) {
                        Some(t) => at_most(format!("sections[{s}].title"), t, SECTION_TITLE_MAX)?,
                        None if sections.len() > 1 => {
                            return Err(LimitError::new(
                                format!("sections[{s}].title"),
                                "required when there is more than one section",
                            ));
                        }
                        None => {}
                    }
                    if section.rows.is_empty() {
                        return Err(LimitError::new(
                            format!("sections[{s}].rows"),
                            "at least 1 row",
                        ));
                    }
                    for (r, row) in section.rows.iter().enumerate() {
                        let at = format!("sections[{s}].rows[{r}]");
                        required(format!("{at}.id"), &row.id, ROW_ID_MAX)?;
                        required(format!("{at}.title"), &row.title, ROW_TITLE_MAX)?;
                        optional(
                            &format!("{at}.description"),
                            &row.description,
                            ROW_DESCRIPTION_MAX,
                        )?;
                        unique(&mut ids, format!("{at}.id"), &row.id)?;
                    }
                }
                let rows: usize = sections.iter().map(|s| s.rows.len()).sum();
                if rows > LIST_ROWS_MAX {
                    return Err(LimitError::new(
                        "sections",
                        format!("at most {LIST_ROWS_MAX} rows in total (got {rows})"),
                    ));
                }
                Ok(())
            }
            OutMessage::Template {
                name,
                language,
                header,
                body,
                buttons,
            } => {
                required("name", name, TEMPLATE_NAME_MAX)?;
                if let Some(bad) = name
                    .chars()
                    .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
                {
                    return Err(LimitError::new(
                        "name",
                        format!("only a-z, 0-9 and _ are allowed (got {bad:?})"),
                    ));
                }
                if language.trim().is_empty() {
                    return Err(LimitError::new("language", "must not be empty"));
                }
                if header.len() > 1 {
                    return Err(LimitError::new(
                        "header",
                        format!(
                            "a text header takes at most 1 parameter (got {})",
                            header.len()
                        ),
                    ));
                }
                for (i, p) in header.iter().enumerate() {
                    if p.is_empty() {
                        return Err(LimitError::new(format!("header[{i}]"), "must not be empty"));
                    }
                }
                for (i, p) in body.iter().enumerate() {
                    if p.is_empty() {
                        return Err(LimitError::new(format!("body[{i}]"), "must not be empty"));
                    }
                }
                for (i, b) in buttons.iter().enumerate() {
                    if b.sub_type != SUB_TYPE_URL && b.sub_type != SUB_TYPE_QUICK_REPLY {
                        return Err(LimitError::new(
                            format!("buttons[{i}].sub_type"),
                            format!("must be \"url\" or \"quick_reply\" (got {:?})", b.sub_type),
                        ));
                    }
                    if b.param.is_empty() {
                        return Err(LimitError::new(
                            format!("buttons[{i}].param"),
                            "must not be empty",
                        ));
                    }
                }
                Ok(())
            }
            OutMessage::Product {
                body,
                footer,
                catalog_id,
                product_retailer_id,
            } => {
                optional("body", body, INTERACTIVE_BODY_MAX)?;
                optional("footer", footer, FOOTER_MAX)?;
                if catalog_id.is_empty() {
                    return Err(LimitError::new("catalog_id", "must not be empty"));
                }
                if product_retailer_id.is_empty() {
                    return Err(LimitError::new("product_retailer_id", "must not be empty"));
                }
                Ok(())
            }
            OutMessage::ProductList {
                header,
                body,
                footer,
                catalog_id,
                sections,
            } => {
                required("header", header, HEADER_MAX)?;
                required("body", body, INTERACTIVE_BODY_MAX)?;
                optional("footer", footer, FOOTER_MAX)?;
                if catalog_id.is_empty() {
                    return Err(LimitError::new("catalog_id", "must not be empty"));
                }
                count(
                    "sections",
                    sections.len(),
                    1,
                    PRODUCT_SECTIONS_MAX,
                    "sections",
                )?;
                for (s, section) in sections.iter().enumerate() {
                    required(
                        format!("sections[{s}].title"),
                        &section.title,
                        SECTION_TITLE_MAX,
                    )?;
                    if section.product_retailer_ids.is_empty() {
                        return Err(LimitError::new(
                            format!("sections[{s}].product_retailer_ids"),
                            "at least 1 product",
                        ));
                    }
                    for (i, id) in section.product_retailer_ids.iter().enumerate() {
                        if id.is_empty() {
                            return Err(LimitError::new(
                                format!("sections[{s}].product_retailer_ids[{i}]"),
                                "must not be empty",
                            ));
                        }
                    }
                }
                let items: usize = sections.iter().map(|s| s.product_retailer_ids.len()).sum();
                if items > PRODUCT_ITEMS_MAX {
                    return Err(LimitError::new(
                        "sections",
                        format!("at most {PRODUCT_ITEMS_MAX} products in total (got {items})"),
                    ));
                }
                Ok(())
            }
            OutMessage::Media {
                kind,
                id,
                link,
                caption,
                filename,
            } => {
                match (id, link) {
                    (Some(_), Some(_)) => {
                        return Err(LimitError::new("id", "give either id or link, not both"));
                    }
                    (None, None) => {
                        return Err(LimitError::new("id", "give either id or link"));
                    }
                    (Some(id), None) if id.is_empty() => {
                        return Err(LimitError::new("id", "must not be empty"));
                    }
                    (None, Some(link)) => {
                        if !(link.starts_with("https://") || link.starts_with("http://")) {
                            return Err(LimitError::new(
                                "link",
                                "must be an http:// or https:// URL",
                            ));
                        }
                    }
                    (Some(_), None) => {}
                }
                if let Some(c) = present(caption) {
                    if matches!(kind, MediaKind::Audio | MediaKind::Sticker) {
                        return Err(LimitError::new(
                            "caption",
                            format!("not allowed for {kind}"),
                        ));
                    }
                    at_most("caption", c, CAPTION_MAX)?;
                }
                if present(filename).is_some() && *kind != MediaKind::Document {
                    return Err(LimitError::new(
                        "filename",
                        format!("only allowed for document (this is {kind})"),
                    ));
                }
                Ok(())
            }
        }
    }

    /// The exact Graph API request body for sending this message to `to`.
    pub fn to_graph(&self, to: &str) -> Value {
        let mut out = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
        });
        let (type_name, object) = match self {
            OutMessage::Text { body, preview_url } => {
                ("text", json!({ "preview_url": preview_url, "body": body }))
            }
            OutMessage::Buttons {
                header,
                body,
                footer,
                buttons,
            } => {
                let buttons: Vec<Value> = buttons
                    .iter()
                    .map(|b| json!({ "type": "reply", "reply": { "id": b.id, "title": b.title } }))
                    .collect();
                let mut i = json!({
                    "type": "button",
                    "body": text_obj(body),
                    "action": { "buttons": buttons },
                });
                if let Some(h) = present(header) {
                    i["header"] = text_header(h);
                }
                if let Some(f) = present(footer) {
                    i["footer"] = text_obj(f);
                }
                ("interactive", i)
            }
            OutMessage::List {
                header,
                body,
                footer,
                button,
                sections,
            } => {
                let sections: Vec<Value> = sections
                    .iter()
                    .map(|s| {
                        let rows: Vec<Value> = s
                            .rows
                            .iter()
                            .map(|r| {
                                let mut row = json!({ "id": r.id, "title": r.title });
                                if let Some(d) = present(&r.description) {
                                    row["description"] = json!(d);
                                }
                                row
                            })
                            .collect();
                        let mut section = json!({ "rows": rows });
                        if let Some(t) = present(&s.title) {
                            section["title"] = json!(t);
                        }
                        section
                    })
                    .collect();
                let mut i = json!({
                    "type": "list",
                    "body": text_obj(body),
                    "action": { "button": button, "sections": sections },
                });
                if let Some(h) = present(header) {
                    i["header"] = text_header(h);
                }
                if let Some(f) = present(footer) {
                    i["footer"] = text_obj(f);
                }
                ("interactive", i)
            }
            OutMessage::Template {
                name,
                language,
                header,
                body,
                buttons,
            } => {
                let params = |ps: &[String]| -> Vec<Value> {
                    ps.iter()
                        .map(|p| json!({ "type": "text", "text": p }))
                        .collect()
                };
                let mut components = Vec::new();
                if !header.is_empty() {
                    components.push(json!({ "type": "header", "parameters": params(header) }));
                }
                if !body.is_empty() {
                    components.push(json!({ "type": "body", "parameters": params(body) }));
                }
                for b in buttons {
                    let parameter = if b.sub_type == SUB_TYPE_QUICK_REPLY {
                        json!({ "type": "payload", "payload": b.param })
                    } else {
                        json!({ "type": "text", "text": b.param })
                    };
                    components.push(json!({
                        "type": "button",
                        "sub_type": b.sub_type,
                        "index": b.index.to_string(),
                        "parameters": [parameter],
                    }));
                }
                let mut t = json!({ "name": name, "language": { "code": language } });
                if !components.is_empty() {
                    t["components"] = Value::Array(components);
                }
                ("template", t)
            }
            OutMessage::Product {
                body,
                footer,
                catalog_id,
                product_retailer_id,
            } => {
                let mut i = json!({
                    "type": "product",
                    "action": { "catalog_id": catalog_id, "product_retailer_id": product_retailer_id },
                });
                if let Some(b) = present(body) {
                    i["body"] = text_obj(b);
                }
                if let Some(f) = present(footer) {
                    i["footer"] = text_obj(f);
                }
                ("interactive", i)
            }
            OutMessage::ProductList {
                header,
                body,
                footer,
                catalog_id,
                sections,
            } => {
                let sections: Vec<Value> = sections
                    .iter()
                    .map(|s| {
                        let items: Vec<Value> = s
                            .product_retailer_ids
                            .iter()
                            .map(|id| json!({ "product_retailer_id": id }))
                            .collect();
                        json!({ "title": s.title, "product_items": items })
                    })
                    .collect();
                let mut i = json!({
                    "type": "product_list",
                    "header": text_header(header),
                    "body": text_obj(body),
                    "action": { "catalog_id": catalog_id, "sections": sections },
                });
                if let Some(f) = present(footer) {
                    i["footer"] = text_obj(f);
                }
                ("interactive", i)
            }
            OutMessage::Media {
                kind,
                id,
                link,
                caption,
                filename,
            } => {
                let mut m = json!({});
                if let Some(id) = id {
                    m["id"] = json!(id);
                } else if let Some(link) = link {
                    m["link"] = json!(link);
                }
                if let Some(c) = present(caption) {
                    m["caption"] = json!(c);
                }
                if let Some(f) = present(filename) {
                    m["filename"] = json!(f);
                }
                (kind.as_str(), m)
            }
        };
        out["type"] = json!(type_name);
        out[type_name] = object;
        out
    }

    /// Templates are the only messages Meta delivers outside the 24-hour window (§1.7).
    pub fn is_template(&self) -> bool {
        matches!(self, OutMessage::Template { .. })
    }

    /// The serde tag: `text`, `buttons`, `list`, `template`, `product`, `product_list`, `media`.
    pub fn kind(&self) -> &'static str {
        match self {
            OutMessage::Text { .. } => "text",
            OutMessage::Buttons { .. } => "buttons",
            OutMessage::List { .. } => "list",
            OutMessage::Template { .. } => "template",
            OutMessage::Product { .. } => "product",
            OutMessage::ProductList { .. } => "product_list",
            OutMessage::Media { .. } => "media",
        }
    }

    /// A human-readable rendering for logs, transcripts and the dashboard.
    pub fn summary(&self) -> String {
        match self {
            OutMessage::Text { body, .. } => body.clone(),
            OutMessage::Buttons { body, buttons, .. } => {
                let titles: Vec<&str> = buttons.iter().map(|b| b.title.as_str()).collect();
                format!("{body} [{}]", titles.join(" | "))
            }
            OutMessage::List { body, button, .. } => format!("{body} [{button}]"),
            OutMessage::Template {
                name, header, body, ..
            } => {
                let params: Vec<&str> = header.iter().chain(body).map(String::as_str).collect();
                if params.is_empty() {
                    format!("template {name}")
                } else {
                    format!("template {name}: {}", params.join(", "))
                }
            }
            OutMessage::Product {
                body,
                product_retailer_id,
                ..
            } => match present(body) {
                Some(b) => format!("{b} [product {product_retailer_id}]"),
                None => format!("[product {product_retailer_id}]"),
            },
            OutMessage::ProductList {
                header,
                body,
                sections,
                ..
            } => {
                let n: usize = sections.iter().map(|s| s.product_retailer_ids.len()).sum();
                format!("{header}: {body} [{n} products]")
            }
            OutMessage::Media { kind, caption, .. } => match present(caption) {
                Some(c) => format!("[{kind}] {c}"),
                None => format!("[{kind}]"),
            },
        }
    }
}
