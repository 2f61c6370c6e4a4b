//! Customer-facing text. Every message a customer or staff member receives is
//! rendered from the text catalog (`crate::text`), never written inline in logic.

/// A message Sokoni sends to a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg<'a> {
    /// A one-time login code.
    OtpCode {
        business: &'a str,
        code: &'a str,
        minutes: u32,
    },
    /// A customer asked for a person (to the business's staff).
    HandoffAlert {
        customer: &'a str,
        phone: &'a str,
        text: &'a str,
    },
}

impl Msg<'_> {
    /// A stable name for the kind of message (stored with outbound rows).
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::OtpCode { .. } => "otp_code",
            Msg::HandoffAlert { .. } => "handoff_alert",
        }
    }

    /// The approved WhatsApp template that carries this message when the
    /// recipient's 24-hour window is closed: its name and body parameters.
    /// Authentication templates also take the code as their copy-code
    /// button's parameter.
    pub fn fallback_template(&self) -> Option<Fallback> {
        match self {
            Msg::OtpCode { code, .. } => Some(Fallback {
                name: "otp_code",
                body: vec![(*code).to_string()],
                url_button: Some((*code).to_string()),
            }),
            Msg::HandoffAlert {
                customer,
                phone,
                text,
            } => Some(Fallback {
                name: "staff_alert",
                body: vec![
                    (*customer).to_string(),
                    (*phone).to_string(),
                    (*text).to_string(),
                ],
                url_button: None,
            }),
        }
    }
}

/// A template named by a message kind (see [`Msg::fallback_template`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    pub name: &'static str,
    pub body: Vec<String>,
    /// The parameter of the template's first URL (copy-code) button.
    pub url_button: Option<String>,
}

/// Renders `msg` in `language` (`en`, `es`, `sw`) from the text catalog;
/// unknown languages fall back to English.
pub fn render(language: &str, msg: &Msg<'_>) -> String {
    use crate::text::{Key, Overrides, render};
    let none = Overrides::new();
    match msg {
        Msg::OtpCode {
            business,
            code,
            minutes,
        } => render(
            language,
            Key::OtpCode,
            &[
                ("business", business),
                ("code", code),
                ("minutes", &minutes.to_string()),
            ],
            &none,
        ),
        Msg::HandoffAlert {
            customer,
            phone,
            text,
        } => render(
            language,
            Key::HandoffStaff,
            &[("customer", customer), ("phone", phone), ("text", text)],
            &none,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otp_in_each_language() {
        let m = Msg::OtpCode {
            business: "Sokoni",
            code: "123456",
            minutes: 10,
        };
        assert!(render("en", &m).starts_with("123456 is your Sokoni login code"));
        assert!(render("es", &m).contains("Vence en 10 minutos"));
        assert!(render("sw", &m).contains("dakika 10"));
        assert_eq!(render("fr", &m), render("en", &m));
        assert_eq!(m.kind(), "otp_code");
    }
}
