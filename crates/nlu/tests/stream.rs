//! `parse_stream`: JSON lines in, JSON lines out, in order; a bad line becomes
//! an `{"error": ...}` line without ending the stream.

use std::io::Cursor;

use serde_json::Value;

#[test]
fn parses_lines_in_order_and_reports_bad_ones() {
    let input = concat!(
        r#"{"text": "Nataka sukari tatu", "locale": "sw-KE", "vertical": "shop", "now": "2026-11-20T09:30:00+03:00", "timezone": "Africa/Nairobi", "catalog": [{"sku": "SUGAR-1KG", "name": "Sugar 1kg", "aliases": ["sukari"]}]}"#,
        "\n",
        "this is not json\n",
        "\n",
        r#"{"text": "Hola, dos muzzas para el viernes", "locale": "es-AR", "vertical": "restaurant", "now": "2026-11-19T19:00:00-03:00", "timezone": "America/Argentina/Buenos_Aires", "catalog": [{"sku": "PIZZA-MUZZA", "name": "Pizza muzzarella", "aliases": ["muzza"]}]}"#,
        "\n",
        r#"{"text": "hi", "locale": "en-NG", "vertical": "tailor", "now": "2026-11-22T10:00:00+01:00", "timezone": "Mars/Olympus"}"#,
        "\n",
        r#"{"text": "hip 97cm, waist 76 cm", "locale": "en-NG", "vertical": "tailor", "now": "2026-11-22T10:00:00+01:00"}"#,
        "\n",
    );
    let mut out = Vec::new();
    nlu::parse_stream(Cursor::new(input), &mut out).unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["intent"], "new_order");
    assert_eq!(lines[0]["items"][0]["sku"], "SUGAR-1KG");
    assert_eq!(lines[0]["items"][0]["qty"], 3);
    assert!(
        lines[0].get("deadline").is_none(),
        "absent fields are omitted"
    );
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["deadline"], "2026-11-20");
    assert!(lines[3]["error"].as_str().unwrap().contains("timezone"));
    assert_eq!(lines[4]["measurements"]["hip"], 38.19);
    assert_eq!(lines[4]["measurements"]["waist"], 29.92);
}

#[test]
fn evaluate_rejects_a_line_without_expected() {
    let input = r#"{"text": "hi", "locale": "en-NG", "vertical": "tailor", "now": "2026-11-22T10:00:00+01:00"}"#;
    let err = nlu::evaluate(Cursor::new(input)).unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
}
