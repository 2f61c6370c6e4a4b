#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! Webhook envelope parsing against fixtures written from protocols §1.3, §1.4 and §1.6.

use channels::inbound::{
    self, Content, Context, DeliveryStatus, Event, InboundMessage, MediaKind, OrderItem,
    ParseError, StatusUpdate, WaError,
};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

const PNID: &str = "106540352242922";
const WAMID: &str = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEyNzI1MUQ4Q0JBNAA=";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap()
}

fn events(name: &str) -> Vec<Event> {
    inbound::parse(&fixture(name)).unwrap()
}

fn messages(name: &str) -> Vec<InboundMessage> {
    events(name)
        .into_iter()
        .map(|e| match e {
            Event::Message(m) => m,
            other => panic!("expected a message, got {other:?}"),
        })
        .collect()
}

fn one_message(name: &str) -> InboundMessage {
    let mut all = messages(name);
    assert_eq!(all.len(), 1, "{name} holds one message");
    all.remove(0)
}

fn statuses(name: &str) -> Vec<StatusUpdate> {
    events(name)
        .into_iter()
        .map(|e| match e {
            Event::Status(s) => s,
            other => panic!("expected a status, got {other:?}"),
        })
        .collect()
}

fn ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

/// The `messages[0]` item of the first change of the first entry.
fn raw_message(name: &str, index: usize) -> Value {
    fixture_json(name)["entry"][0]["changes"][0]["value"]["messages"][index].clone()
}

/// Parses an envelope holding one message item.
fn parse_item(item: Value) -> InboundMessage {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PNID},
            "contacts": [{"profile": {"name": "X"}, "wa_id": "16505551234"}],
            "messages": [item]
        }}]}]
    });
    let mut events = inbound::parse(body.to_string().as_bytes()).unwrap();
    assert_eq!(events.len(), 1);
    match events.remove(0) {
        Event::Message(m) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

fn item(type_name: &str, key: &str, body: Value) -> Value {
    let mut m = json!({"from": "16505551234", "id": "wamid.T", "timestamp": "1739321024", "type": type_name});
    m[key] = body;
    m
}

// ---------------------------------------------------------------------------------------------
// message types

#[test]
fn text_message_envelope_fields() {
    let m = one_message("text.json");
    assert_eq!(
        m,
        InboundMessage {
            phone_number_id: PNID.into(),
            display_phone_number: "15550783881".into(),
            from: "16505551234".into(),
            profile_name: Some("Sheena Nelson".into()),
            id: WAMID.into(),
            timestamp: ts(1739321024),
            context: None,
            content: Content::Text {
                body: "Hello".into()
            },
            raw: raw_message("text.json", 0),
        }
    );
    assert_eq!(m.timestamp.to_rfc3339(), "2025-02-12T00:43:44+00:00");
    assert_eq!(m.content.kind(), "text");
    assert_eq!(m.content.text().as_deref(), Some("Hello"));
}

#[test]
fn raw_is_the_message_item_exactly() {
    let m = one_message("image.json");
    assert_eq!(m.raw, raw_message("image.json", 0));
    // The url Meta added in Dec 2025 is not modelled but kept in raw.
    assert_eq!(
        m.raw["image"]["url"],
        "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=2754859441498128"
    );
}

#[test]
fn interactive_list_reply() {
    let m = one_message("interactive_list_reply.json");
    assert_eq!(
        m.content,
        Content::ListReply {
            id: "priority_express".into(),
            title: "Priority Mail Express".into(),
            description: Some("Next Day to 2 Days".into()),
        }
    );
    assert_eq!(
        m.context,
        Some(Context {
            from: Some("15550783881".into()),
            id: Some("wamid.HBgLMTY1MDM4NzkQuestion".into()),
            forwarded: false,
            frequently_forwarded: false,
        })
    );
    assert_eq!(m.content.kind(), "list_reply");
    assert_eq!(m.content.text().as_deref(), Some("Priority Mail Express"));
}

#[test]
fn list_reply_without_description() {
    let m = parse_item(item(
        "interactive",
        "interactive",
        json!({"type": "list_reply", "list_reply": {"id": "r1", "title": "Row"}}),
    ));
    assert_eq!(
        m.content,
        Content::ListReply {
            id: "r1".into(),
            title: "Row".into(),
            description: None
        }
    );
}

#[test]
fn interactive_button_reply() {
    let m = one_message("interactive_button_reply.json");
    assert_eq!(
        m.content,
        Content::ButtonReply {
            id: "cancel-button".into(),
            title: "Cancel".into()
        }
    );
    assert_eq!(
        m.context.as_ref().and_then(|c| c.id.as_deref()),
        Some("wamid.HBgLMTY1MDM4NzkButtons")
    );
    assert_eq!(m.content.kind(), "button_reply");
    assert_eq!(m.content.text().as_deref(), Some("Cancel"));
}

#[test]
fn template_quick_reply_button() {
    let m = one_message("template_button.json");
    assert_eq!(
        m.content,
        Content::TemplateButton {
            payload: "callback_data".into(),
            text: "title".into()
        }
    );
    assert_eq!(m.from, "972987654321");
    assert_eq!(m.profile_name.as_deref(), Some("David"));
    assert_eq!(m.content.kind(), "template_button");
    assert_eq!(m.content.text().as_deref(), Some("title"));
}

#[test]
fn location_chosen() {
    let m = one_message("location_chosen.json");
    assert_eq!(
        m.content,
        Content::Location {
            latitude: 37.44221496582,
            longitude: -122.16129302979,
            name: Some("Philz Coffee".into()),
            address: Some("101 Forest Ave, Palo Alto, CA 94301".into()),
            url: Some("https://philzcoffee.com".into()),
        }
    );
    assert_eq!(m.content.kind(), "location");
    assert_eq!(
        m.content.text().as_deref(),
        Some("Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301")
    );
}

#[test]
fn location_current_has_only_coordinates() {
    let m = one_message("location_current.json");
    assert_eq!(
        m.content,
        Content::Location {
            latitude: -1.2920659,
            longitude: 36.8219462,
            name: None,
            address: None,
            url: None,
        }
    );
    assert_eq!(m.content.text().as_deref(), Some("-1.2920659,36.8219462"));
}

#[test]
fn image() {
    let m = one_message("image.json");
    assert_eq!(
        m.content,
        Content::Media {
            kind: MediaKind::Image,
            id: "2754859441498128".into(),
            mime_type: Some("image/jpeg".into()),
            sha256: Some("29ed500fa64eb55fc19dc4124acb300e5dcc54a0f822a301ae99944db".into()),
            caption: Some("This is a caption".into()),
            filename: None,
            voice: None,
            animated: None,
        }
    );
    assert_eq!(m.content.kind(), "image");
    assert_eq!(m.content.text().as_deref(), Some("This is a caption"));
}

#[test]
fn video_without_caption_has_no_text() {
    let m = one_message("video.json");
    let Content::Media {
        kind,
        id,
        mime_type,
        caption,
        ..
    } = &m.content
    else {
        panic!("expected media, got {:?}", m.content)
    };
    assert_eq!(*kind, MediaKind::Video);
    assert_eq!(id, "1234567890123456");
    assert_eq!(mime_type.as_deref(), Some("video/mp4"));
    assert_eq!(*caption, None);
    assert_eq!(m.content.kind(), "video");
    assert_eq!(m.content.text(), None);
}

#[test]
fn document_with_filename() {
    let m = one_message("document.json");
    assert_eq!(
        m.content,
        Content::Media {
            kind: MediaKind::Document,
            id: "9876543210987654".into(),
            mime_type: Some("application/pdf".into()),
            sha256: Some("Ez8bKX+8+SzBh0a1m54tIvRmyJkPjFZ0o6lCTzKqfhQ=".into()),
            caption: Some("Invoice for order 1023".into()),
            filename: Some("invoice-1023.pdf".into()),
            voice: None,
            animated: None,
        }
    );
    assert_eq!(m.content.kind(), "document");
}

#[test]
fn audio_voice_note() {
    let m = one_message("audio_voice.json");
    assert_eq!(
        m.content,
        Content::Media {
            kind: MediaKind::Audio,
            id: "1122334455667788".into(),
            mime_type: Some("audio/ogg; codecs=opus".into()),
            sha256: Some("p5hPkYlbH2zKbMGPRdiUThg9sR56LyPzDSRu5ZvhnEk=".into()),
            caption: None,
            filename: None,
            voice: Some(true),
            animated: None,
        }
    );
    assert_eq!(m.content.kind(), "audio");
}

#[test]
fn animated_sticker() {
    let m = one_message("sticker_animated.json");
    assert_eq!(
        m.content,
        Content::Media {
            kind: MediaKind::Sticker,
            id: "5566778899001122".into(),
            mime_type: Some("image/webp".into()),
            sha256: Some("3T/J7i3Pi1X3qC7oTfvWj9QQUbPXzWa0pVpgLSjsh6A=".into()),
            caption: None,
            filename: None,
            voice: None,
            animated: Some(true),
        }
    );
    assert_eq!(m.content.kind(), "sticker");
}

#[test]
fn order_with_fractional_item_price() {
    let m = one_message("order.json");
    assert_eq!(
        m.content,
        Content::Order {
            catalog_id: "354160437058781".into(),
            text: Some("Love these!".into()),
            items: vec![
                OrderItem {
                    product_retailer_id: "HAMBURGER".into(),
                    quantity: 3,
                    item_price: 30.0,
                    currency: "ILS".into(),
                },
                OrderItem {
                    product_retailer_id: "SODA".into(),
                    quantity: 2,
                    item_price: 7.99,
                    currency: "ILS".into(),
                },
            ],
        }
    );
    assert_eq!(m.id, "wamid.xyzxyz");
    assert_eq!(m.timestamp, ts(1697044668));
    assert_eq!(m.content.kind(), "order");
    assert_eq!(
        m.content.text().as_deref(),
        Some("order: 3 x HAMBURGER, 2 x SODA (Love these!)")
    );
}

#[test]
fn order_with_empty_text_has_no_note() {
    let m = parse_item(item(
        "order",
        "order",
        json!({"catalog_id": "1", "text": "", "product_items": [
            {"product_retailer_id": "A", "quantity": 1, "item_price": 10, "currency": "NGN"}]}),
    ));
    let Content::Order { text, items, .. } = &m.content else {
        panic!("expected an order, got {:?}", m.content)
    };
    assert_eq!(*text, None);
    assert_eq!(items[0].item_price, 10.0);
    assert_eq!(m.content.text().as_deref(), Some("order: 1 x A"));
}

#[test]
fn reaction_added() {
    let m = one_message("reaction_added.json");
    assert_eq!(
        m.content,
        Content::Reaction {
            message_id: "wamid.HBgLOurMessage".into(),
            emoji: Some("😮".into())
        }
    );
    assert_eq!(m.content.kind(), "reaction");
    assert_eq!(m.content.text().as_deref(), Some("😮"));
}

#[test]
fn reaction_removed_without_emoji() {
    let m = one_message("reaction_removed.json");
    assert_eq!(
        m.content,
        Content::Reaction {
            message_id: "wamid.HBgLOurMessage".into(),
            emoji: None
        }
    );
    assert_eq!(m.content.text(), None);
}

#[test]
fn reaction_removed_with_empty_emoji() {
    let m = parse_item(item(
        "reaction",
        "reaction",
        json!({"message_id": "wamid.X", "emoji": ""}),
    ));
    assert_eq!(
        m.content,
        Content::Reaction {
            message_id: "wamid.X".into(),
            emoji: None
        }
    );
}

#[test]
fn shared_contacts() {
    let m = one_message("contacts.json");
    let Content::Contacts { contacts } = &m.content else {
        panic!("expected contacts, got {:?}", m.content)
    };
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[0]["phones"][0]["wa_id"], "2348031234567");
    assert_eq!(
        *contacts,
        raw_message("contacts.json", 0)["contacts"]
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(m.content.kind(), "contacts");
    assert_eq!(
        m.content.text().as_deref(),
        Some("Amina Okafor, Baraka Otieno")
    );
}

#[test]
fn unsupported_with_errors() {
    let m = one_message("unsupported.json");
    assert_eq!(
        m.content,
        Content::Unsupported {
            errors: vec![WaError {
                code: 131051,
                title: "Message type unknown".into(),
                message: Some("Message type unknown".into()),
                details: Some("Message type is currently not supported.".into()),
                href: None,
            }]
        }
    );
    assert_eq!(m.content.kind(), "unsupported");
    assert_eq!(m.content.text(), None);
}

#[test]
fn legacy_unknown_type_with_errors_is_unsupported() {
    let mut it = json!({"from": "16505551234", "id": "wamid.T", "timestamp": "1739321024", "type": "unknown"});
    it["errors"] = json!([{"code": 131051, "title": "Unsupported message type"}]);
    let m = parse_item(it);
    assert_eq!(
        m.content,
        Content::Unsupported {
            errors: vec![WaError {
                code: 131051,
                title: "Unsupported message type".into(),
                message: None,
                details: None,
                href: None,
            }]
        }
    );
}

#[test]
fn unknown_future_type() {
    let m = one_message("unknown_type.json");
    assert_eq!(
        m.content,
        Content::Unknown {
            type_name: "hologram".into()
        }
    );
    assert_eq!(m.id, WAMID);
    assert_eq!(m.raw["hologram"]["dimensions"], 3);
    assert_eq!(m.content.kind(), "unknown");
    assert_eq!(m.content.text(), None);
}

#[test]
fn unknown_interactive_subtype_names_it() {
    let m = parse_item(item(
        "interactive",
        "interactive",
        json!({"type": "nfm_reply", "nfm_reply": {"response_json": "{}", "body": "Sent", "name": "flow"}}),
    ));
    assert_eq!(
        m.content,
        Content::Unknown {
            type_name: "interactive.nfm_reply".into()
        }
    );
}

#[test]
fn malformed_bodies_become_unknown_without_failing_the_envelope() {
    let cases = [
        ("text", "text", json!({"no_body": true})),
        ("text", "text", json!("just a string")),
        (
            "interactive",
            "interactive",
            json!({"type": "button_reply"}),
        ),
        (
            "interactive",
            "interactive",
            json!({"type": "list_reply", "list_reply": {"id": 5}}),
        ),
        ("button", "button", json!({})),
        ("location", "location", json!({"latitude": "north"})),
        ("image", "image", json!({"mime_type": "image/jpeg"})),
        ("document", "document", json!(null)),
        ("order", "order", json!({"product_items": []})),
        (
            "order",
            "order",
            json!({"catalog_id": "1", "product_items": [{"product_retailer_id": "A"}]}),
        ),
        ("reaction", "reaction", json!({"emoji": "👍"})),
        ("contacts", "contacts", json!({"not": "a list"})),
    ];
    for (type_name, key, body) in cases {
        let m = parse_item(item(type_name, key, body.clone()));
        assert_eq!(
            m.content,
            Content::Unknown {
                type_name: type_name.into()
            },
            "{type_name} with {body}"
        );
        assert_eq!(m.id, "wamid.T");
    }
    // The body missing altogether.
    let m = parse_item(json!({"from": "1", "id": "wamid.M", "timestamp": "1", "type": "image"}));
    assert_eq!(
        m.content,
        Content::Unknown {
            type_name: "image".into()
        }
    );
    // No type at all.
    let m = parse_item(json!({"from": "1", "id": "wamid.N", "timestamp": "1"}));
    assert_eq!(
        m.content,
        Content::Unknown {
            type_name: "".into()
        }
    );
}

#[test]
fn numeric_strings_in_bodies_are_tolerated() {
    let m = parse_item(item(
        "order",
        "order",
        json!({"catalog_id": "1", "product_items": [
            {"product_retailer_id": "A", "quantity": "2", "item_price": "7.99", "currency": "USD"}]}),
    ));
    let Content::Order { items, .. } = m.content else {
        panic!("expected an order")
    };
    assert_eq!(items[0].quantity, 2);
    assert_eq!(items[0].item_price, 7.99);
}

// ---------------------------------------------------------------------------------------------
// statuses and errors

#[test]
fn status_sent_with_conversation_and_pricing() {
    let s = statuses("status_sent.json");
    let raw =
        fixture_json("status_sent.json")["entry"][0]["changes"][0]["value"]["statuses"][0].clone();
    assert_eq!(
        s,
        vec![StatusUpdate {
            phone_number_id: PNID.into(),
            id: "wamid.xyzxyz".into(),
            status: DeliveryStatus::Sent,
            timestamp: ts(1698266945),
            recipient_id: "972987654321".into(),
            errors: vec![],
            raw,
        }]
    );
}

#[test]
fn status_delivered() {
    let s = statuses("status_delivered.json");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].status, DeliveryStatus::Delivered);
    assert_eq!(s[0].timestamp, ts(1698266950));
    assert!(s[0].errors.is_empty());
}

#[test]
fn status_read_without_conversation_or_pricing() {
    let s = statuses("status_read.json");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].status, DeliveryStatus::Read);
    assert_eq!(s[0].id, "wamid.xyzxyz");
    assert_eq!(s[0].recipient_id, "972987654321");
    assert!(s[0].raw.get("conversation").is_none());
    assert_eq!(s[0].raw["biz_opaque_callback_data"], "order-1023");
}

#[test]
fn failed_statuses_carry_errors() {
    let s = statuses("status_failed.json");
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].status, DeliveryStatus::Failed);
    assert_eq!(s[0].timestamp, ts(1689380458));
    assert_eq!(
        s[0].errors,
        vec![WaError {
            code: 130472,
            title: "User's number is part of an experiment".into(),
            message: Some("User's number is part of an experiment".into()),
            details: Some(
                "Failed to send message because this user's phone number is part of an experiment"
                    .into()
            ),
            href: Some(
                "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
                    .into()
            ),
        }]
    );
    assert_eq!(s[1].id, "wamid.second");
    assert_eq!(s[1].errors[0].code, 131047);
    assert_eq!(s[1].errors[0].title, "Re-engagement message");
}

#[test]
fn value_errors_become_an_error_event() {
    let ev = events("value_errors.json");
    let raw =
        fixture_json("value_errors.json")["entry"][0]["changes"][0]["value"]["errors"].clone();
    assert_eq!(
        ev,
        vec![Event::Error(channels::ErrorEvent {
            phone_number_id: PNID.into(),
            errors: vec![WaError {
                code: 130429,
                title: "Rate limit hit".into(),
                message: Some("Rate limit hit".into()),
                details: Some("Message failed to send because there were too many messages sent from this phone number in a short period of time".into()),
                href: Some("/documentation/business-messaging/whatsapp/support/error-codes".into()),
            }],
            raw,
        })]
    );
}

#[test]
fn delivery_status_parse_and_strings() {
    use DeliveryStatus::*;
    for (s, st) in [
        ("sent", Sent),
        ("delivered", Delivered),
        ("read", Read),
        ("failed", Failed),
        ("deleted", Deleted),
        ("warning", Warning),
        ("played", Other("played".into())),
    ] {
        assert_eq!(DeliveryStatus::parse(s), st);
        assert_eq!(st.as_str(), s);
        assert_eq!(serde_json::to_value(&st).unwrap(), json!(s));
        assert_eq!(
            serde_json::from_value::<DeliveryStatus>(json!(s)).unwrap(),
            st
        );
    }
}

// ---------------------------------------------------------------------------------------------
// envelope shape

#[test]
fn several_messages_in_one_envelope_keep_order_and_names() {
    let ms = messages("several_messages.json");
    let got: Vec<(&str, &str, Option<&str>, Option<String>)> = ms
        .iter()
        .map(|m| {
            (
                m.id.as_str(),
                m.from.as_str(),
                m.profile_name.as_deref(),
                m.content.text(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "wamid.A1",
                "2348031234567",
                Some("Amina"),
                Some("first".into())
            ),
            (
                "wamid.B2",
                "254712345678",
                Some("Baraka"),
                Some("second".into())
            ),
            (
                "wamid.A3",
                "2348031234567",
                Some("Amina"),
                Some("third".into())
            ),
        ]
    );
    assert_eq!(ms[2].timestamp, ts(1739321026));
}

#[test]
fn multiple_entries_and_non_message_fields() {
    let ev = events("multiple_entries.json");
    assert_eq!(
        ev.len(),
        3,
        "account_update is ignored; the template status is an event"
    );
    let Event::Message(m) = &ev[0] else {
        panic!("expected a message first, got {:?}", ev[0])
    };
    assert_eq!(m.id, "wamid.E1");
    assert_eq!(m.phone_number_id, PNID);
    let Event::TemplateStatus(t) = &ev[1] else {
        panic!("expected a template status second, got {:?}", ev[1])
    };
    assert_eq!(t.waba_id, "WABA_TWO");
    assert_eq!(t.template_id.as_deref(), Some("123"));
    assert_eq!(t.name.as_deref(), Some("order_confirmation"));
    assert_eq!(t.language, None);
    assert_eq!(t.status, "APPROVED");
    let Event::Status(s) = &ev[2] else {
        panic!("expected a status third, got {:?}", ev[2])
    };
    assert_eq!(s.id, "wamid.OUT9");
    assert_eq!(s.phone_number_id, "200000000000002");
    assert_eq!(s.status, DeliveryStatus::Delivered);
}

#[test]
fn template_status_updates_carry_the_account_time_and_reason() {
    let body = serde_json::json!({"object": "whatsapp_business_account", "entry": [
    {"id": "102290129340398", "time": 1739321030, "changes": [
        {"field": "message_template_status_update", "value": {
            "event": "REJECTED", "message_template_id": 594425479261596_i64,
            "message_template_name": "payment_reminder", "message_template_language": "es",
            "reason": "INCORRECT_CATEGORY"}},
        {"field": "message_template_status_update", "value": {
            "event": "APPROVED", "message_template_name": "order_update",
            "message_template_language": "en", "reason": "NONE"}},
        {"field": "message_template_status_update", "value": {"message_template_name": "no_event"}},
        {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
    ]}]});
    let ev = inbound::parse(body.to_string().as_bytes()).unwrap();
    assert_eq!(ev.len(), 2, "{ev:?}");
    let Event::TemplateStatus(r) = &ev[0] else {
        panic!("{:?}", ev[0])
    };
    assert_eq!(r.waba_id, "102290129340398");
    assert_eq!(r.template_id.as_deref(), Some("594425479261596"));
    assert_eq!(r.language.as_deref(), Some("es"));
    assert_eq!(r.reason.as_deref(), Some("INCORRECT_CATEGORY"));
    assert_eq!(r.time, Some(ts(1739321030)));
    let Event::TemplateStatus(a) = &ev[1] else {
        panic!("{:?}", ev[1])
    };
    assert_eq!(a.reason, None, "NONE is no reason");
    assert_ne!(a.key(), r.key());
    let back: Vec<Event> = serde_json::from_value(serde_json::to_value(&ev).unwrap()).unwrap();
    assert_eq!(back, ev);
}

#[test]
fn extra_unknown_fields_context_and_referral_are_tolerated() {
    let ms = messages("extra_fields.json");
    assert_eq!(ms.len(), 2);
    // The contact matching wa_id == from is chosen, not the first one.
    assert_eq!(ms[0].profile_name.as_deref(), Some("Sheena Nelson"));
    assert_eq!(
        ms[0].content,
        Content::Text {
            body: "Look at this".into()
        }
    );
    assert_eq!(
        ms[0].context,
        Some(Context {
            from: None,
            id: None,
            forwarded: true,
            frequently_forwarded: false
        })
    );
    assert_eq!(ms[0].raw["referral"]["ctwa_clid"], "ARAkLkA8rmlF");
    assert_eq!(
        ms[1].context,
        Some(Context {
            from: None,
            id: None,
            forwarded: true,
            frequently_forwarded: true
        })
    );
    assert_eq!(ms[1].content.kind(), "image");
}

#[test]
fn profile_name_falls_back_to_the_only_contact_and_is_none_otherwise() {
    let body = |contacts: Value| {
        json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
            "metadata": {"display_phone_number": "1", "phone_number_id": "2"},
            "contacts": contacts,
            "messages": [{"from": "5491123456789", "id": "wamid.AR", "timestamp": "1", "type": "text", "text": {"body": "hola"}}]
        }}]}]})
        .to_string()
    };
    let name = |contacts: Value| match &inbound::parse(body(contacts).as_bytes()).unwrap()[0] {
        Event::Message(m) => m.profile_name.clone(),
        other => panic!("{other:?}"),
    };
    // Argentina: wa_id and from can differ (§8); the only contact is still the sender.
    assert_eq!(
        name(json!([{"profile": {"name": "Lucía"}, "wa_id": "541123456789"}])),
        Some("Lucía".into())
    );
    assert_eq!(
        name(json!([
            {"profile": {"name": "A"}, "wa_id": "1"},
            {"profile": {"name": "B"}, "wa_id": "2"}
        ])),
        None
    );
    assert_eq!(name(json!([])), None);
}

#[test]
fn invalid_json_is_a_parse_error() {
    let err = inbound::parse(b"{not json").unwrap_err();
    assert!(matches!(err, ParseError::Json(_)), "{err:?}");
    assert!(err.to_string().contains("not valid JSON"), "{err}");
}

#[test]
fn wrong_top_level_shapes_are_parse_errors() {
    for body in [
        json!([]),
        json!("whatsapp"),
        json!({}),
        json!({"object": "whatsapp_business_account"}),
        json!({"object": "whatsapp_business_account", "entry": {}}),
        json!({"object": "page", "entry": []}),
        json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {"messages": []}}]}]}),
        json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": "x"}]}]}),
    ] {
        let err = inbound::parse(body.to_string().as_bytes()).unwrap_err();
        assert!(matches!(err, ParseError::Shape(_)), "{body}: {err:?}");
    }
}

#[test]
fn empty_entry_list_is_no_events() {
    let ev = inbound::parse(br#"{"object":"whatsapp_business_account","entry":[]}"#).unwrap();
    assert!(ev.is_empty());
}

#[test]
fn unidentifiable_items_are_skipped_not_fatal() {
    let body = json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
        "metadata": {"display_phone_number": "1", "phone_number_id": "2"},
        "messages": [
            {"id": "wamid.NOFROM", "timestamp": "1", "type": "text", "text": {"body": "x"}},
            {"from": "1", "id": "wamid.BADTS", "timestamp": "yesterday", "type": "text", "text": {"body": "x"}},
            {"from": "1", "id": "wamid.OK", "timestamp": 1739321024, "type": "text", "text": {"body": "ok"}}
        ],
        "statuses": [
            {"status": "read", "timestamp": "1"},
            {"id": "wamid.S", "status": "read", "timestamp": "5"}
        ]
    }}]}]});
    let ev = inbound::parse(body.to_string().as_bytes()).unwrap();
    assert_eq!(ev.len(), 2);
    match &ev[0] {
        Event::Message(m) => {
            assert_eq!(m.id, "wamid.OK");
            assert_eq!(m.timestamp, ts(1739321024));
        }
        other => panic!("{other:?}"),
    }
    match &ev[1] {
        Event::Status(s) => {
            assert_eq!(s.id, "wamid.S");
            assert_eq!(s.recipient_id, "");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn events_serialize_and_deserialize() {
    let ev = events("order.json");
    let v = serde_json::to_value(&ev).unwrap();
    assert_eq!(v[0]["event"], "message");
    assert_eq!(v[0]["content"]["type"], "order");
    assert_eq!(v[0]["content"]["items"][1]["item_price"], 7.99);
    let back: Vec<Event> = serde_json::from_value(v).unwrap();
    assert_eq!(back, ev);

    let media = serde_json::to_value(&one_message("audio_voice.json").content).unwrap();
    assert_eq!(media["type"], "media");
    assert_eq!(media["kind"], "audio");
    assert_eq!(media["voice"], true);
}

#[test]
fn media_kind_strings() {
    for (k, s) in [
        (MediaKind::Image, "image"),
        (MediaKind::Video, "video"),
        (MediaKind::Audio, "audio"),
        (MediaKind::Document, "document"),
        (MediaKind::Sticker, "sticker"),
    ] {
        assert_eq!(k.as_str(), s);
        assert_eq!(MediaKind::parse(s), Some(k));
        assert_eq!(serde_json::to_value(k).unwrap(), json!(s));
    }
    assert_eq!(MediaKind::parse("gif"), None);
}
