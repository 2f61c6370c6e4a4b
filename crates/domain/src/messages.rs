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
    /// The bot promised a customer a person (to the business's staff):
    /// who, why, and what they said or sent.
    NeedsPerson {
        customer: &'a str,
        phone: &'a str,
        why: Attention,
        text: &'a str,
    },
    /// A staff member wrote to their own business's number: what they can
    /// do there (the commands, and replying to alerts).
    StaffHelp { name: &'a str, business: &'a str },
    /// The answer to a staff member's command, already in their language.
    StaffReply { text: &'a str },
    /// A question to a staff member with a yes and a no button (ids
    /// `staff:yes`, `staff:no`), already in their language.
    StaffAsk {
        text: &'a str,
        yes: &'a str,
        no: &'a str,
    },
    /// What a customer a person is answering said (a reply to it answers
    /// them).
    CustomerSays { customer: &'a str, text: &'a str },
}

/// Why a conversation needs a person: each is a promise the bot made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attention {
    /// The customer asked for a person.
    AskedForPerson,
    /// The bot misunderstood three messages in a row.
    NotUnderstood,
    /// A voice note, photo or document the bot cannot read.
    Media,
    /// "I have paid": someone must check.
    PaymentClaimed,
    /// Bank transfer chosen, but the business has no bank details on file.
    TransferDetails,
    /// A cancellation of an order already in production.
    CancelRequest,
    /// A payment the provider declined at checkout.
    PaymentDeclined,
    /// The bot failed on a message, every time it tried: the message is
    /// kept, unanswered.
    BotFailed,
}

impl Attention {
    pub const ALL: [Attention; 8] = [
        Attention::AskedForPerson,
        Attention::NotUnderstood,
        Attention::Media,
        Attention::PaymentClaimed,
        Attention::TransferDetails,
        Attention::CancelRequest,
        Attention::PaymentDeclined,
        Attention::BotFailed,
    ];

    /// The stable name, as stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Attention::AskedForPerson => "asked_for_person",
            Attention::NotUnderstood => "not_understood",
            Attention::Media => "media",
            Attention::PaymentClaimed => "payment_claimed",
            Attention::TransferDetails => "transfer_details",
            Attention::CancelRequest => "cancel_request",
            Attention::PaymentDeclined => "payment_declined",
            Attention::BotFailed => "bot_failed",
        }
    }

    /// How the staff alert says it.
    pub fn key(self) -> crate::text::Key {
        use crate::text::Key;
        match self {
            Attention::AskedForPerson => Key::AttentionAskedForPerson,
            Attention::NotUnderstood => Key::AttentionNotUnderstood,
            Attention::Media => Key::AttentionMedia,
            Attention::PaymentClaimed => Key::AttentionPaymentClaimed,
            Attention::TransferDetails => Key::AttentionTransferDetails,
            Attention::CancelRequest => Key::AttentionCancelRequest,
            Attention::PaymentDeclined => Key::AttentionPaymentDeclined,
            Attention::BotFailed => Key::AttentionBotFailed,
        }
    }
}

impl std::str::FromStr for Attention {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Attention::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown reason {s:?}"))
    }
}

impl TryFrom<String> for Attention {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl Msg<'_> {
    /// A stable name for the kind of message (stored with outbound rows).
    pub fn kind(&self) -> &'static str {
        match self {
            Msg::OtpCode { .. } => "otp_code",
            Msg::NeedsPerson { .. } => "needs_person",
            Msg::StaffHelp { .. } => "staff_help",
            Msg::StaffReply { .. } => "staff_reply",
            Msg::StaffAsk { .. } => "staff_ask",
            Msg::CustomerSays { .. } => "customer_says",
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
            Msg::NeedsPerson {
                customer,
                phone,
                why,
                text,
            } => Some(Fallback {
                name: "staff_needs_person",
                body: vec![
                    (*customer).to_string(),
                    (*phone).to_string(),
                    why.as_str().to_string(),
                    (*text).to_string(),
                ],
                url_button: None,
            }),
            Msg::StaffHelp { name, business } => Some(Fallback {
                name: "staff_help",
                body: vec![(*name).to_string(), (*business).to_string()],
                url_button: None,
            }),
            // The staff member just wrote: their window is open.
            Msg::StaffReply { .. } | Msg::StaffAsk { .. } => None,
            // Sent to whoever is answering the customer: they wrote lately.
            Msg::CustomerSays { .. } => None,
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
        Msg::NeedsPerson {
            customer,
            phone,
            why,
            text,
        } => {
            let reason = render(language, why.key(), &[], &none);
            render(
                language,
                Key::StaffNeedsPerson,
                &[
                    ("customer", customer),
                    ("phone", phone),
                    ("reason", &reason),
                    ("text", text),
                ],
                &none,
            )
        }
        Msg::StaffHelp { name, business } => render(
            language,
            Key::StaffHelp,
            &[("name", name), ("business", business)],
            &none,
        ),
        Msg::StaffReply { text } | Msg::StaffAsk { text, .. } => (*text).to_string(),
        Msg::CustomerSays { customer, text } => render(
            language,
            Key::StaffCustomerSays,
            &[("customer", customer), ("text", text)],
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

    #[test]
    fn staff_alerts_say_why_in_each_language_and_carry_a_template() {
        for why in Attention::ALL {
            assert_eq!(why.as_str().parse::<Attention>(), Ok(why));
            let m = Msg::NeedsPerson {
                customer: "Lucía",
                phone: "+5491123456789",
                why,
                text: "ya pagué",
            };
            let reason_en = crate::text::Key::template(why.key(), "en");
            let en = render("en", &m);
            assert!(en.contains("Lucía") && en.contains(reason_en), "{en}");
            let es = render("es", &m);
            assert!(
                es.contains(crate::text::Key::template(why.key(), "es")),
                "{es}"
            );
            assert_ne!(en, es);
            let fb = m.fallback_template().unwrap();
            assert_eq!(fb.name, "staff_needs_person");
            assert_eq!(fb.body[2], why.as_str());
        }
        assert!("nope".parse::<Attention>().is_err());
        let help = Msg::StaffHelp {
            name: "Funmi",
            business: "Funmi Couture",
        };
        assert!(render("en", &help).contains("dashboard"));
        assert!(render("es", &help).contains("panel"));
        assert_eq!(help.fallback_template().unwrap().name, "staff_help");
    }
}
