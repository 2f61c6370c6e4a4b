//! Prompts and JSON schemas for the hosted models. The rules restate
//! shared/design/nlu.md so that every provider answers the same contract.

use nlu::{Context, Intent, Message};
use serde_json::{Value, json};

use crate::Task;

pub(crate) const UNDERSTAND_TOOL: &str = "extract_order";
pub(crate) const PRODUCTS_TOOL: &str = "extract_products";

/// The nlu.md output line as a JSON Schema (best-effort: measurements is an
/// open map, which strict structured-output modes do not allow).
pub(crate) fn understanding_schema() -> Value {
    let intents: Vec<&str> = Intent::ALL.iter().map(|i| i.as_str()).collect();
    json!({
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": intents},
            "style": {"type": ["string", "null"], "description": "garment style, lowercase, e.g. \"ankara midi dress\""},
            "quantity": {"type": ["integer", "null"], "minimum": 1, "description": "count not tied to a catalog item (e.g. number of garments)"},
            "deadline": {"type": ["string", "null"], "description": "YYYY-MM-DD in the business's timezone"},
            "items": {
                "type": ["array", "null"],
                "items": {
                    "type": "object",
                    "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}},
                    "required": ["sku", "qty"],
                    "additionalProperties": false
                }
            },
            "measurements": {"type": ["object", "null"], "additionalProperties": {"type": "number"}, "description": "inches, keyed by lowercase name"},
            "fulfilment": {"type": ["string", "null"], "enum": ["delivery", "pickup", null]},
            "payment_method": {"type": ["string", "null"], "enum": ["transfer", "cash", "card", "mpesa", null]},
            "payment_ref": {"type": ["string", "null"]},
            "amount": {"type": ["number", "null"], "description": "major currency units"},
            "order_ref": {"type": ["string", "null"]},
            "name": {"type": ["string", "null"], "description": "the customer's name when they state it"}
        },
        "required": ["intent"],
        "additionalProperties": false
    })
}

pub(crate) fn products_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "products": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "price": {"type": "number", "description": "major currency units, e.g. 9500 for $9.500"},
                        "aliases": {"type": "array", "items": {"type": "string"}},
                        "sku": {"type": ["string", "null"]}
                    },
                    "required": ["name", "price"],
                    "additionalProperties": false
                }
            }
        },
        "required": ["products"],
        "additionalProperties": false
    })
}

const RULES: &str = "\
Intents (exactly one, the one the business must act on): new_order, add_measurements, reuse_measurements, \
order_status, payment_notice, cancel_order, menu_request (asks what is offered, what it costs, or where you deliver), \
greeting, opt_out, human_handoff, unknown. An order that also carries measurements is new_order.
Fields: use null for anything the message does not say. Never invent values.
- deadline: the date the order is due, YYYY-MM-DD, relative to today in the business's timezone. tomorrow/mañana/kesho = +1 day, \
pasado mañana = +2; a weekday name (\"Friday\", \"el sábado\") = its next occurrence strictly after today; a day and month \
without a year = the next occurrence on or after today; a bare day of month (\"on the 19th\") = the next such day on or after \
today; \"in N days/weeks\" = +N or +7N days. A date that is not the order's due date (\"tomorrow I will bring the fabric\") is not a deadline.
- measurements: inches rounded to 2 decimals, keyed chest, waist, hip, shoulder, sleeve, inseam, neck, or any other body \
measurement under its own lowercase name (e.g. length). bust = chest, hips = hip. Convert cm by dividing by 2.54.
- items: only SKUs from the catalog below, with quantities (words count: una, dos, mbili, tatu; docena = 12, media docena = 6). \
An item not in the catalog is left out.
- amount: a number; \"15k\" = 15000, \"25,000\" = 25000; drop currency words and symbols.
- payment_ref: e.g. an M-PESA code like QGH7XK2P9L. order_ref: e.g. SEW-0042.";

fn catalog_lines(ctx: &Context) -> String {
    if ctx.catalog.is_empty() {
        return "(no catalog)".to_owned();
    }
    ctx.catalog
        .iter()
        .map(|c| {
            if c.aliases.is_empty() {
                format!("- {}: {}", c.sku, c.name)
            } else {
                format!("- {}: {} (also: {})", c.sku, c.name, c.aliases.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn understand_task(msg: &Message, ctx: &Context) -> Task {
    let today = ctx.today();
    let system = format!(
        "You read one WhatsApp message that a customer sent to a small business and extract what the business must act on.\n\
         Business: vertical {vertical}, locale {locale}, timezone {tz}. Today is {today} ({weekday}); the message arrived at {now}.\n\
         Catalog:\n{catalog}\n\n{RULES}\n\n\
         Answer by calling {tool} (or, when asked for JSON, with one JSON object with the same fields).",
        vertical = ctx.vertical.as_str(),
        locale = ctx.locale,
        tz = ctx.timezone.name(),
        weekday = today.format("%A"),
        now = ctx.now.to_rfc3339(),
        catalog = catalog_lines(ctx),
        tool = UNDERSTAND_TOOL,
    );
    Task {
        system,
        user: msg.text.clone(),
        tool_name: UNDERSTAND_TOOL,
        tool_description: "Record the intent and fields of the customer's message (nlu.md contract).",
        schema: understanding_schema(),
        image: None,
    }
}

pub(crate) fn products_task(text: &str) -> Task {
    Task {
        system: "A business owner pasted their price list. Extract every product with its name as written, its price in \
                 major currency units (\"$9.500\" in Argentina is 9500; \"2.500,50\" is 2500.50; \"15k\" is 15000), short \
                 aliases customers may use, and an optional SKU suggestion in UPPER-KEBAB-CASE. Skip headings and lines \
                 without a price. Answer by calling extract_products (or, when asked for JSON, with one JSON object \
                 {\"products\": [...]})."
            .to_owned(),
        user: text.to_owned(),
        tool_name: PRODUCTS_TOOL,
        tool_description: "Record the products and prices of a price list.",
        schema: products_schema(),
        image: None,
    }
}

/// Reading a photographed menu or price board: the price-list rules, the
/// picture instead of pasted text.
pub(crate) fn photo_task(image: crate::photo::Image) -> Task {
    Task {
        system: "A business owner sent a photo of their menu, price board or price list. Extract every product you can \
                 read with its name as written, its price in major currency units (\"$9.500\" in Argentina is 9500; \
                 \"2.500,50\" is 2500.50; \"15k\" is 15000), short aliases customers may use, and an optional SKU \
                 suggestion in UPPER-KEBAB-CASE. Skip headings and anything without a legible price; never guess a \
                 price. Answer by calling extract_products (or, when asked for JSON, with one JSON object \
                 {\"products\": [...]})."
            .to_owned(),
        user: "The menu is in the photo.".to_owned(),
        tool_name: PRODUCTS_TOOL,
        tool_description: "Record the products and prices read from the photo.",
        schema: products_schema(),
        image: Some(image),
    }
}
