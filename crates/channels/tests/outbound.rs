#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! The outbound message model: Graph bodies (protocols §1.5), serde shape, Meta's limits.

use channels::outbound::{
    Button, LimitError, MediaKind, OutMessage, ProductSection, Row, Section, TemplateButton,
};
use serde_json::{Value, json};

const TO: &str = "2348031234567";

fn s(n: usize) -> String {
    "x".repeat(n)
}

/// `n` characters of a 2-byte letter: lengths are counted in chars, not bytes.
fn wide(n: usize) -> String {
    "é".repeat(n)
}

fn fails(msg: &OutMessage) -> LimitError {
    msg.validate()
        .expect_err(&format!("expected a limit error for {msg:?}"))
}

fn check_fails(msg: &OutMessage, field: &str, message_part: &str) {
    let e = fails(msg);
    assert_eq!(e.field, field, "{e}");
    assert!(
        e.message.contains(message_part),
        "{e} should mention {message_part:?}"
    );
}

fn passes(msg: &OutMessage) {
    if let Err(e) = msg.validate() {
        panic!("expected {msg:?} to pass, got {e}");
    }
}

fn buttons(n: usize) -> Vec<Button> {
    (0..n)
        .map(|i| Button {
            id: format!("b{i}"),
            title: format!("Button {i}"),
        })
        .collect()
}

fn buttons_msg(bs: Vec<Button>) -> OutMessage {
    OutMessage::Buttons {
        header: None,
        body: "Pick".into(),
        footer: None,
        buttons: bs,
    }
}

fn row(id: &str) -> Row {
    Row {
        id: id.into(),
        title: format!("Row {id}"),
        description: None,
    }
}

fn list_msg(sections: Vec<Section>) -> OutMessage {
    OutMessage::List {
        header: None,
        body: "Choose".into(),
        footer: None,
        button: "Options".into(),
        sections,
    }
}

fn one_section(rows: Vec<Row>) -> Vec<Section> {
    vec![Section { title: None, rows }]
}

fn template(name: &str) -> OutMessage {
    OutMessage::Template {
        name: name.into(),
        language: "en".into(),
        header: vec![],
        body: vec![],
        buttons: vec![],
    }
}

fn product_list(sections: Vec<ProductSection>) -> OutMessage {
    OutMessage::ProductList {
        header: "Menu".into(),
        body: "Our burgers".into(),
        footer: None,
        catalog_id: "146265584024623".into(),
        sections,
    }
}

fn psection(title: &str, n: usize) -> ProductSection {
    ProductSection {
        title: title.into(),
        product_retailer_ids: (0..n).map(|i| format!("{title}-{i}")).collect(),
    }
}

fn media(kind: MediaKind) -> OutMessage {
    OutMessage::Media {
        kind,
        id: Some("1234".into()),
        link: None,
        caption: None,
        filename: None,
    }
}

fn all_variants() -> Vec<OutMessage> {
    vec![
        OutMessage::Text {
            body: "Hello".into(),
            preview_url: true,
        },
        OutMessage::Buttons {
            header: Some("Order #1023".into()),
            body: "Confirm?".into(),
            footer: Some("Reply within 24h".into()),
            buttons: buttons(3),
        },
        OutMessage::List {
            header: Some("Choose Shipping Option".into()),
            body: "Which shipping option do you prefer?".into(),
            footer: Some("Lucky Shrub".into()),
            button: "Shipping Options".into(),
            sections: vec![
                Section {
                    title: Some("I want it ASAP!".into()),
                    rows: vec![Row {
                        id: "priority_express".into(),
                        title: "Priority Mail Express".into(),
                        description: Some("Next Day to 2 Days".into()),
                    }],
                },
                Section {
                    title: Some("I can wait".into()),
                    rows: vec![row("ground")],
                },
            ],
        },
        OutMessage::Template {
            name: "order_confirmation".into(),
            language: "en".into(),
            header: vec!["Sokoni".into()],
            body: vec!["Asha".into(), "ORD-9271".into()],
            buttons: vec![
                TemplateButton::url(0, "A12345"),
                TemplateButton::quick_reply(1, "cancel:ORD-9271"),
            ],
        },
        OutMessage::Product {
            body: Some("Our best seller".into()),
            footer: None,
            catalog_id: "146265584024623".into(),
            product_retailer_id: "HAMBURGER".into(),
        },
        OutMessage::ProductList {
            header: "Menu".into(),
            body: "Pick your lunch".into(),
            footer: Some("Prices include VAT".into()),
            catalog_id: "146265584024623".into(),
            sections: vec![psection("Burgers", 2), psection("Drinks", 1)],
        },
        OutMessage::Media {
            kind: MediaKind::Document,
            id: None,
            link: Some("https://example.com/invoice.pdf".into()),
            caption: Some("Your invoice".into()),
            filename: Some("invoice-1023.pdf".into()),
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// serde shape

#[test]
fn documented_json_examples_deserialize() {
    let text: OutMessage = serde_json::from_value(json!({"type": "text", "body": "hi"})).unwrap();
    assert_eq!(
        text,
        OutMessage::Text {
            body: "hi".into(),
            preview_url: false
        }
    );
    let b: OutMessage = serde_json::from_value(
        json!({"type": "buttons", "body": "Pick", "buttons": [{"id": "a", "title": "A"}]}),
    )
    .unwrap();
    assert_eq!(
        b,
        OutMessage::Buttons {
            header: None,
            body: "Pick".into(),
            footer: None,
            buttons: vec![Button {
                id: "a".into(),
                title: "A".into()
            }]
        }
    );
    let t: OutMessage = serde_json::from_value(
        json!({"type": "template", "name": "hello_world", "language": "en_US"}),
    )
    .unwrap();
    assert_eq!(t, {
        let mut t = template("hello_world");
        if let OutMessage::Template { language, .. } = &mut t {
            *language = "en_US".into();
        }
        t
    });
}

#[test]
fn serialized_shape_omits_absent_optionals() {
    assert_eq!(
        serde_json::to_value(buttons_msg(buttons(1))).unwrap(),
        json!({"type": "buttons", "body": "Pick", "buttons": [{"id": "b0", "title": "Button 0"}]})
    );
    assert_eq!(
        serde_json::to_value(media(MediaKind::Image)).unwrap(),
        json!({"type": "media", "kind": "image", "id": "1234"})
    );
    assert_eq!(
        serde_json::to_value(OutMessage::text("hi")).unwrap(),
        json!({"type": "text", "body": "hi", "preview_url": false})
    );
    let tb = TemplateButton::quick_reply(2, "p");
    assert_eq!(
        serde_json::to_value(tb).unwrap(),
        json!({"sub_type": "quick_reply", "index": 2, "param": "p"})
    );
    assert_eq!(
        serde_json::to_value(product_list(vec![psection("A", 1)])).unwrap()["type"],
        "product_list"
    );
}

#[test]
fn every_variant_round_trips_through_json() {
    for msg in all_variants() {
        let v = serde_json::to_value(&msg).unwrap();
        assert_eq!(v["type"], msg.kind());
        let back: OutMessage = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(back, msg, "{v}");
        let text = serde_json::to_string(&msg).unwrap();
        assert_eq!(serde_json::from_str::<OutMessage>(&text).unwrap(), msg);
    }
}

#[test]
fn unknown_type_tag_is_rejected() {
    assert!(
        serde_json::from_value::<OutMessage>(json!({"type": "carousel", "body": "x"})).is_err()
    );
    assert!(serde_json::from_value::<OutMessage>(json!({"body": "x"})).is_err());
}

// ---------------------------------------------------------------------------------------------
// to_graph

#[test]
fn graph_text() {
    let msg = OutMessage::Text {
        body: "Hello".into(),
        preview_url: true,
    };
    assert_eq!(
        msg.to_graph("+16505551234"),
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": "+16505551234",
               "type": "text", "text": {"preview_url": true, "body": "Hello"}})
    );
    assert_eq!(
        OutMessage::text("x").to_graph(TO)["text"],
        json!({"preview_url": false, "body": "x"})
    );
}

#[test]
fn graph_buttons() {
    let msg = OutMessage::Buttons {
        header: Some("Order #1023".into()),
        body: "Change or cancel?".into(),
        footer: Some("Sokoni".into()),
        buttons: vec![
            Button {
                id: "change-button".into(),
                title: "Change".into(),
            },
            Button {
                id: "cancel-button".into(),
                title: "Cancel".into(),
            },
        ],
    };
    assert_eq!(
        msg.to_graph(TO),
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO, "type": "interactive",
          "interactive": {"type": "button",
            "header": {"type": "text", "text": "Order #1023"},
            "body": {"text": "Change or cancel?"},
            "footer": {"text": "Sokoni"},
            "action": {"buttons": [
                {"type": "reply", "reply": {"id": "change-button", "title": "Change"}},
                {"type": "reply", "reply": {"id": "cancel-button", "title": "Cancel"}}]}}})
    );
}

#[test]
fn graph_buttons_without_header_or_footer() {
    let g = buttons_msg(buttons(1)).to_graph(TO);
    assert_eq!(
        g["interactive"],
        json!({"type": "button", "body": {"text": "Pick"},
               "action": {"buttons": [{"type": "reply", "reply": {"id": "b0", "title": "Button 0"}}]}})
    );
    // Some("") is treated as absent.
    let msg = OutMessage::Buttons {
        header: Some(String::new()),
        body: "Pick".into(),
        footer: Some(String::new()),
        buttons: buttons(1),
    };
    passes(&msg);
    assert_eq!(msg.to_graph(TO), g);
}

#[test]
fn graph_list() {
    let msg = all_variants().remove(2);
    assert_eq!(
        msg.to_graph(TO),
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO, "type": "interactive",
          "interactive": {"type": "list",
            "header": {"type": "text", "text": "Choose Shipping Option"},
            "body": {"text": "Which shipping option do you prefer?"},
            "footer": {"text": "Lucky Shrub"},
            "action": {"button": "Shipping Options", "sections": [
                {"title": "I want it ASAP!", "rows": [
                    {"id": "priority_express", "title": "Priority Mail Express", "description": "Next Day to 2 Days"}]},
                {"title": "I can wait", "rows": [{"id": "ground", "title": "Row ground"}]}]}}})
    );
}

#[test]
fn graph_list_single_untitled_section() {
    let g = list_msg(one_section(vec![row("a")])).to_graph(TO);
    assert_eq!(
        g["interactive"],
        json!({"type": "list", "body": {"text": "Choose"},
               "action": {"button": "Options", "sections": [{"rows": [{"id": "a", "title": "Row a"}]}]}})
    );
}

#[test]
fn graph_template_with_components() {
    let msg = all_variants().remove(3);
    assert_eq!(
        msg.to_graph("919867800451"),
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": "919867800451", "type": "template",
          "template": {"name": "order_confirmation", "language": {"code": "en"},
            "components": [
              {"type": "header", "parameters": [{"type": "text", "text": "Sokoni"}]},
              {"type": "body", "parameters": [{"type": "text", "text": "Asha"}, {"type": "text", "text": "ORD-9271"}]},
              {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "A12345"}]},
              {"type": "button", "sub_type": "quick_reply", "index": "1",
               "parameters": [{"type": "payload", "payload": "cancel:ORD-9271"}]}]}})
    );
}

#[test]
fn graph_template_without_parameters_has_no_components() {
    assert_eq!(
        template("hello_world").to_graph(TO),
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO, "type": "template",
               "template": {"name": "hello_world", "language": {"code": "en"}}})
    );
}

#[test]
fn graph_product() {
    let msg = all_variants().remove(4);
    assert_eq!(
        msg.to_graph(TO),
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO, "type": "interactive",
          "interactive": {"type": "product", "body": {"text": "Our best seller"},
            "action": {"catalog_id": "146265584024623", "product_retailer_id": "HAMBURGER"}}})
    );
    let bare = OutMessage::Product {
        body: None,
        footer: Some("f".into()),
        catalog_id: "c".into(),
        product_retailer_id: "p".into(),
    };
    assert_eq!(
        bare.to_graph(TO)["interactive"],
        json!({"type": "product", "footer": {"text": "f"}, "action": {"catalog_id": "c", "product_retailer_id": "p"}})
    );
}

#[test]
fn graph_product_list() {
    let msg = all_variants().remove(5);
    assert_eq!(
        msg.to_graph(TO),
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO, "type": "interactive",
          "interactive": {"type": "product_list",
            "header": {"type": "text", "text": "Menu"},
            "body": {"text": "Pick your lunch"},
            "footer": {"text": "Prices include VAT"},
            "action": {"catalog_id": "146265584024623", "sections": [
                {"title": "Burgers", "product_items": [{"product_retailer_id": "Burgers-0"}, {"product_retailer_id": "Burgers-1"}]},
                {"title": "Drinks", "product_items": [{"product_retailer_id": "Drinks-0"}]}]}}})
    );
}

#[test]
fn graph_media() {
    let doc = all_variants().remove(6);
    assert_eq!(
        doc.to_graph(TO),
        json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO, "type": "document",
               "document": {"link": "https://example.com/invoice.pdf", "caption": "Your invoice", "filename": "invoice-1023.pdf"}})
    );
    let kinds = [
        MediaKind::Image,
        MediaKind::Video,
        MediaKind::Audio,
        MediaKind::Document,
        MediaKind::Sticker,
    ];
    for kind in kinds {
        let g = media(kind).to_graph(TO);
        assert_eq!(g["type"], kind.as_str());
        assert_eq!(g[kind.as_str()], json!({"id": "1234"}));
        assert_eq!(g.as_object().unwrap().len(), 5, "{g}");
    }
}

#[test]
fn every_graph_body_has_the_envelope_fields() {
    for msg in all_variants() {
        let g = msg.to_graph(TO);
        assert_eq!(g["messaging_product"], "whatsapp");
        assert_eq!(g["recipient_type"], "individual");
        assert_eq!(g["to"], TO);
        let t = g["type"].as_str().unwrap();
        assert!(g.get(t).is_some_and(Value::is_object), "{g}");
    }
}

// ---------------------------------------------------------------------------------------------
// kind, is_template, summary

#[test]
fn kinds_templates_and_summaries() {
    let expected = [
        ("text", "Hello"),
        ("buttons", "Confirm? [Button 0 | Button 1 | Button 2]"),
        (
            "list",
            "Which shipping option do you prefer? [Shipping Options]",
        ),
        (
            "template",
            "template order_confirmation: Sokoni, Asha, ORD-9271",
        ),
        ("product", "Our best seller [product HAMBURGER]"),
        ("product_list", "Menu: Pick your lunch [3 products]"),
        ("media", "[document] Your invoice"),
    ];
    for (msg, (kind, summary)) in all_variants().iter().zip(expected) {
        assert_eq!(msg.kind(), kind);
        assert_eq!(msg.summary(), summary);
        assert_eq!(msg.is_template(), kind == "template");
    }
    assert_eq!(template("hello_world").summary(), "template hello_world");
    assert_eq!(media(MediaKind::Sticker).summary(), "[sticker]");
}

// ---------------------------------------------------------------------------------------------
// limits: text

#[test]
fn every_example_variant_is_valid() {
    for msg in all_variants() {
        passes(&msg);
    }
}

#[test]
fn text_body_limits() {
    passes(&OutMessage::text(s(4096)));
    passes(&OutMessage::text(wide(4096)));
    check_fails(
        &OutMessage::text(s(4097)),
        "body",
        "at most 4096 characters (got 4097)",
    );
    check_fails(&OutMessage::text(""), "body", "must not be empty");
}

#[test]
fn limit_error_display() {
    let e = fails(&OutMessage::text(""));
    assert_eq!(e.to_string(), "body: must not be empty");
}

// limits: buttons

#[test]
fn button_count() {
    passes(&buttons_msg(buttons(1)));
    passes(&buttons_msg(buttons(3)));
    check_fails(&buttons_msg(buttons(0)), "buttons", "(got 0)");
    check_fails(
        &buttons_msg(buttons(4)),
        "buttons",
        "at most 3 buttons (got 4)",
    );
}

#[test]
fn button_title_and_id_lengths() {
    let mut bs = buttons(2);
    bs[1].title = wide(20);
    passes(&buttons_msg(bs.clone()));
    bs[1].title = s(21);
    check_fails(
        &buttons_msg(bs.clone()),
        "buttons[1].title",
        "at most 20 characters (got 21)",
    );
    bs[1].title = String::new();
    check_fails(&buttons_msg(bs), "buttons[1].title", "must not be empty");

    let mut bs = buttons(3);
    bs[2].id = s(256);
    passes(&buttons_msg(bs.clone()));
    bs[2].id = s(257);
    check_fails(
        &buttons_msg(bs.clone()),
        "buttons[2].id",
        "at most 256 characters (got 257)",
    );
    bs[2].id = String::new();
    check_fails(&buttons_msg(bs), "buttons[2].id", "must not be empty");
}

#[test]
fn button_ids_and_titles_are_unique() {
    let mut bs = buttons(3);
    bs[2].id = "b0".into();
    check_fails(&buttons_msg(bs), "buttons[2].id", "buttons[0].id");
    let mut bs = buttons(3);
    bs[1].title = "Button 0".into();
    check_fails(&buttons_msg(bs), "buttons[1].title", "must be unique");
}

#[test]
fn buttons_body_header_footer() {
    let with = |header: Option<String>, body: String, footer: Option<String>| OutMessage::Buttons {
        header,
        body,
        footer,
        buttons: buttons(1),
    };
    passes(&with(Some(s(60)), s(1024), Some(s(60))));
    check_fails(
        &with(None, s(1025), None),
        "body",
        "at most 1024 characters (got 1025)",
    );
    check_fails(
        &with(None, String::new(), None),
        "body",
        "must not be empty",
    );
    check_fails(
        &with(Some(s(61)), s(1), None),
        "header",
        "at most 60 characters (got 61)",
    );
    check_fails(
        &with(None, s(1), Some(s(61))),
        "footer",
        "at most 60 characters (got 61)",
    );
}

// limits: lists

#[test]
fn list_button_label() {
    let with = |button: String| OutMessage::List {
        header: None,
        body: "b".into(),
        footer: None,
        button,
        sections: one_section(vec![row("a")]),
    };
    passes(&with(s(20)));
    check_fails(&with(s(21)), "button", "at most 20 characters (got 21)");
    check_fails(&with(String::new()), "button", "must not be empty");
}

#[test]
fn list_body_header_footer() {
    let with = |header: Option<String>, body: String, footer: Option<String>| OutMessage::List {
        header,
        body,
        footer,
        button: "Open".into(),
        sections: one_section(vec![row("a")]),
    };
    passes(&with(Some(s(60)), s(1024), Some(s(60))));
    check_fails(&with(None, s(1025), None), "body", "(got 1025)");
    check_fails(
        &with(None, String::new(), None),
        "body",
        "must not be empty",
    );
    check_fails(&with(Some(s(61)), s(1), None), "header", "(got 61)");
    check_fails(&with(None, s(1), Some(s(61))), "footer", "(got 61)");
}

#[test]
fn list_section_count() {
    let sections = |n: usize| -> Vec<Section> {
        (0..n)
            .map(|i| Section {
                title: Some(format!("S{i}")),
                rows: vec![row(&format!("r{i}"))],
            })
            .collect()
    };
    passes(&list_msg(sections(10)));
    check_fails(&list_msg(sections(0)), "sections", "(got 0)");
    // 11 sections of one row each: the section count is reported first.
    check_fails(
        &list_msg(sections(11)),
        "sections",
        "at most 10 sections (got 11)",
    );
}

#[test]
fn list_rows_in_total() {
    let rows = |prefix: &str, n: usize| -> Vec<Row> {
        (0..n).map(|i| row(&format!("{prefix}{i}"))).collect()
    };
    passes(&list_msg(one_section(rows("a", 10))));
    passes(&list_msg(vec![
        Section {
            title: Some("A".into()),
            rows: rows("a", 5),
        },
        Section {
            title: Some("B".into()),
            rows: rows("b", 5),
        },
    ]));
    check_fails(
        &list_msg(vec![
            Section {
                title: Some("A".into()),
                rows: rows("a", 6),
            },
            Section {
                title: Some("B".into()),
                rows: rows("b", 5),
            },
        ]),
        "sections",
        "at most 10 rows in total (got 11)",
    );
    check_fails(
        &list_msg(vec![
            Section {
                title: Some("A".into()),
                rows: rows("a", 1),
            },
            Section {
                title: Some("B".into()),
                rows: vec![],
            },
        ]),
        "sections[1].rows",
        "at least 1 row",
    );
}

#[test]
fn list_row_fields() {
    let with = |r: Row| {
        list_msg(vec![
            Section {
                title: Some("A".into()),
                rows: vec![row("a0")],
            },
            Section {
                title: Some("B".into()),
                rows: vec![row("b0"), row("b1"), r],
            },
        ])
    };
    let ok = Row {
        id: s(200),
        title: wide(24),
        description: Some(s(72)),
    };
    passes(&with(ok.clone()));
    check_fails(
        &with(Row {
            id: s(201),
            ..ok.clone()
        }),
        "sections[1].rows[2].id",
        "at most 200 characters (got 201)",
    );
    check_fails(
        &with(Row {
            id: String::new(),
            ..ok.clone()
        }),
        "sections[1].rows[2].id",
        "must not be empty",
    );
    check_fails(
        &with(Row {
            title: s(25),
            ..ok.clone()
        }),
        "sections[1].rows[2].title",
        "at most 24 characters (got 25)",
    );
    check_fails(
        &with(Row {
            title: String::new(),
            ..ok.clone()
        }),
        "sections[1].rows[2].title",
        "must not be empty",
    );
    check_fails(
        &with(Row {
            description: Some(s(73)),
            ..ok.clone()
        }),
        "sections[1].rows[2].description",
        "at most 72 characters (got 73)",
    );
    // Row ids must be unique across sections.
    check_fails(
        &with(Row {
            id: "a0".into(),
            ..ok
        }),
        "sections[1].rows[2].id",
        "sections[0].rows[0].id",
    );
}

#[test]
fn list_section_titles() {
    let two = |a: Option<String>, b: Option<String>| {
        list_msg(vec![
            Section {
                title: a,
                rows: vec![row("a")],
            },
            Section {
                title: b,
                rows: vec![row("b")],
            },
        ])
    };
    passes(&two(Some(s(24)), Some("B".into())));
    check_fails(
        &two(Some(s(25)), Some("B".into())),
        "sections[0].title",
        "at most 24 characters (got 25)",
    );
    check_fails(
        &two(Some("A".into()), None),
        "sections[1].title",
        "required when there is more than one section",
    );
    check_fails(
        &two(Some(String::new()), Some("B".into())),
        "sections[0].title",
        "required",
    );
    // A single section needs no title, but a given one is still limited.
    passes(&list_msg(one_section(vec![row("a")])));
    check_fails(
        &list_msg(vec![Section {
            title: Some(s(25)),
            rows: vec![row("a")],
        }]),
        "sections[0].title",
        "(got 25)",
    );
}

// limits: templates

#[test]
fn template_names() {
    passes(&template(&s(512)));
    passes(&template("order_confirmation_2"));
    check_fails(
        &template(&s(513)),
        "name",
        "at most 512 characters (got 513)",
    );
    check_fails(&template(""), "name", "must not be empty");
    check_fails(&template("Order_Confirmation"), "name", "'O'");
    check_fails(&template("order-confirmation"), "name", "'-'");
    check_fails(&template("order confirmation"), "name", "a-z, 0-9 and _");
}

#[test]
fn template_language_and_parameters() {
    let with = |language: &str, header: Vec<&str>, body: Vec<&str>, param: Option<&str>| {
        OutMessage::Template {
            name: "t".into(),
            language: language.into(),
            header: header.into_iter().map(String::from).collect(),
            body: body.into_iter().map(String::from).collect(),
            buttons: param
                .map(|p| TemplateButton::url(0, p))
                .into_iter()
                .collect(),
        }
    };
    passes(&with("en_US", vec!["h"], vec!["a", "b"], Some("x")));
    check_fails(
        &with("", vec![], vec![], None),
        "language",
        "must not be empty",
    );
    check_fails(
        &with("  ", vec![], vec![], None),
        "language",
        "must not be empty",
    );
    check_fails(
        &with("en", vec!["a", "b"], vec![], None),
        "header",
        "at most 1 parameter",
    );
    check_fails(
        &with("en", vec![""], vec![], None),
        "header[0]",
        "must not be empty",
    );
    check_fails(
        &with("en", vec![], vec!["a", ""], None),
        "body[1]",
        "must not be empty",
    );
    check_fails(
        &with("en", vec![], vec![], Some("")),
        "buttons[0].param",
        "must not be empty",
    );
    let mut bad_sub_type = template("t");
    if let OutMessage::Template { buttons, .. } = &mut bad_sub_type {
        buttons.push(TemplateButton::quick_reply(0, "yes"));
        buttons.push(TemplateButton {
            sub_type: "phone_number".into(),
            index: 1,
            param: "x".into(),
        });
    }
    check_fails(
        &bad_sub_type,
        "buttons[1].sub_type",
        "\"url\" or \"quick_reply\"",
    );
}

#[test]
fn template_button_constructors() {
    assert_eq!(
        TemplateButton::url(0, "A1"),
        TemplateButton {
            sub_type: "url".into(),
            index: 0,
            param: "A1".into()
        }
    );
    assert_eq!(TemplateButton::quick_reply(2, "p").sub_type, "quick_reply");
    let from_json: TemplateButton =
        serde_json::from_value(json!({"sub_type": "url", "index": 1, "param": "x"})).unwrap();
    assert_eq!(from_json, TemplateButton::url(1, "x"));
}

// limits: products

#[test]
fn product_limits() {
    let with = |body: Option<String>, footer: Option<String>, catalog: &str, sku: &str| {
        OutMessage::Product {
            body,
            footer,
            catalog_id: catalog.into(),
            product_retailer_id: sku.into(),
        }
    };
    passes(&with(Some(s(1024)), Some(s(60)), "c", "p"));
    passes(&with(None, None, "c", "p"));
    check_fails(&with(Some(s(1025)), None, "c", "p"), "body", "(got 1025)");
    check_fails(&with(None, Some(s(61)), "c", "p"), "footer", "(got 61)");
    check_fails(
        &with(None, None, "", "p"),
        "catalog_id",
        "must not be empty",
    );
    check_fails(
        &with(None, None, "c", ""),
        "product_retailer_id",
        "must not be empty",
    );
}

#[test]
fn product_list_header_body_footer() {
    let with = |header: String, body: String, footer: Option<String>| OutMessage::ProductList {
        header,
        body,
        footer,
        catalog_id: "c".into(),
        sections: vec![psection("A", 1)],
    };
    passes(&with(s(60), s(1024), Some(s(60))));
    check_fails(
        &with(String::new(), s(1), None),
        "header",
        "must not be empty",
    );
    check_fails(&with(s(61), s(1), None), "header", "(got 61)");
    check_fails(
        &with(s(1), String::new(), None),
        "body",
        "must not be empty",
    );
    check_fails(&with(s(1), s(1025), None), "body", "(got 1025)");
    check_fails(&with(s(1), s(1), Some(s(61))), "footer", "(got 61)");
    let mut no_catalog = with(s(1), s(1), None);
    if let OutMessage::ProductList { catalog_id, .. } = &mut no_catalog {
        catalog_id.clear();
    }
    check_fails(&no_catalog, "catalog_id", "must not be empty");
}

#[test]
fn product_list_sections_and_items() {
    passes(&product_list(vec![psection("A", 30)]));
    passes(&product_list(
        (0..10).map(|i| psection(&format!("S{i}"), 3)).collect(),
    ));
    check_fails(&product_list(vec![]), "sections", "(got 0)");
    check_fails(
        &product_list((0..11).map(|i| psection(&format!("S{i}"), 1)).collect()),
        "sections",
        "at most 10 sections (got 11)",
    );
    check_fails(
        &product_list(vec![psection("A", 20), psection("B", 11)]),
        "sections",
        "at most 30 products in total (got 31)",
    );
    check_fails(
        &product_list(vec![psection("A", 1), psection("B", 0)]),
        "sections[1].product_retailer_ids",
        "at least 1",
    );
    check_fails(
        &product_list(vec![psection("", 1)]),
        "sections[0].title",
        "must not be empty",
    );
    passes(&product_list(vec![psection(&s(24), 1)]));
    check_fails(
        &product_list(vec![ProductSection {
            title: s(25),
            product_retailer_ids: vec!["a".into()],
        }]),
        "sections[0].title",
        "(got 25)",
    );
    check_fails(
        &product_list(vec![ProductSection {
            title: "A".into(),
            product_retailer_ids: vec!["a".into(), String::new()],
        }]),
        "sections[0].product_retailer_ids[1]",
        "must not be empty",
    );
}

// limits: media

#[test]
fn media_needs_exactly_one_source() {
    let with = |id: Option<&str>, link: Option<&str>| OutMessage::Media {
        kind: MediaKind::Image,
        id: id.map(String::from),
        link: link.map(String::from),
        caption: None,
        filename: None,
    };
    passes(&with(Some("1"), None));
    passes(&with(None, Some("https://example.com/a.jpg")));
    check_fails(&with(None, None), "id", "either id or link");
    check_fails(
        &with(Some("1"), Some("https://example.com/a.jpg")),
        "id",
        "not both",
    );
    check_fails(&with(Some(""), None), "id", "must not be empty");
    check_fails(&with(None, Some("ftp://example.com/a.jpg")), "link", "http");
}

#[test]
fn media_captions() {
    let with = |kind: MediaKind, caption: String| OutMessage::Media {
        kind,
        id: Some("1".into()),
        link: None,
        caption: Some(caption),
        filename: None,
    };
    for kind in [MediaKind::Image, MediaKind::Video, MediaKind::Document] {
        passes(&with(kind, s(1024)));
        check_fails(
            &with(kind, s(1025)),
            "caption",
            "at most 1024 characters (got 1025)",
        );
    }
    for kind in [MediaKind::Audio, MediaKind::Sticker] {
        check_fails(&with(kind, "hi".into()), "caption", "not allowed for");
        // An empty caption counts as none.
        passes(&with(kind, String::new()));
    }
}

#[test]
fn media_filenames_only_for_documents() {
    let with = |kind: MediaKind| OutMessage::Media {
        kind,
        id: Some("1".into()),
        link: None,
        caption: None,
        filename: Some("a.pdf".into()),
    };
    passes(&with(MediaKind::Document));
    for kind in [
        MediaKind::Image,
        MediaKind::Video,
        MediaKind::Audio,
        MediaKind::Sticker,
    ] {
        check_fails(&with(kind), "filename", "only allowed for document");
    }
}
