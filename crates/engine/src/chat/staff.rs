//! Staff writing to their own business's number. They are not customers:
//! no customer row, no cart, no order in their name. A reply to an alert
//! about a customer (WhatsApp's reply-to context) goes to that customer
//! ([`crate::inbox::reply_by_hand`]). A message that reads as a command
//! (`orders today`, `ready SEW-0042`), a tap on a question's buttons, or a
//! yes or no while a question waits becomes a `staff_command` job, which
//! runs it through the services and answers (`crate::staff_commands`);
//! anything else gets what they can do here. The message itself is stored
//! by the intake.

use crate::conversation::Turn;
use domain::UserId;
use domain::messages::Msg;
use domain::tenant::Role;
use store::Tx;

/// What the staff flow does with one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Say what staff can do here, and where to do the rest.
    Help,
    /// Run it as a command.
    Command(String),
    /// Nothing to say (a reaction, a status tap).
    Nothing,
}

/// Decides the answer to a staff member's message; `asked`: a question
/// (cancel this order?) waits for their yes or no.
pub(crate) fn answer(content: &channels::inbound::Content, asked: bool) -> Answer {
    use crate::notify::{STAFF_NO, STAFF_YES};
    use channels::inbound::Content;
    match content {
        Content::Reaction { .. } => Answer::Nothing,
        Content::ButtonReply { id, .. } if id == STAFF_YES || id == STAFF_NO => {
            Answer::Command(id.clone())
        }
        Content::Text { body } if asked && nlu::yes_no(body).is_some() => {
            let yes = nlu::yes_no(body) == Some(true);
            Answer::Command(if yes { STAFF_YES } else { STAFF_NO }.to_string())
        }
        Content::Text { body } if crate::staff_commands::is_command(body) => {
            Answer::Command(body.clone())
        }
        _ => Answer::Help,
    }
}

/// What a reply to an alert about a customer does: `done` hands them back
/// (the command), anything else typed goes to them; media does not.
fn reply_to_customer(content: &channels::inbound::Content) -> Option<Result<&str, ()>> {
    use channels::inbound::Content;
    match content {
        Content::Reaction { .. } => None,
        Content::Text { body } => match nlu::parse_command(body) {
            nlu::CommandParse::Command {
                command: nlu::Command::Done,
                ..
            } => None,
            _ => Some(Ok(body.as_str())),
        },
        _ => Some(Err(())),
    }
}

/// One staff turn: the help text, in the business's language, through the
/// outbox (staff have no customer window of their own, so outside it the
/// approved template carries it).
pub(crate) async fn turn(
    tx: &mut Tx,
    turn: &Turn<'_>,
    user: UserId,
    name: &str,
    role: Role,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let replied_to = turn.message.context.as_ref().and_then(|c| c.id.as_deref());
    if let Some(wamid) = replied_to
        && role != Role::Viewer
        && let Some(customer) = store::staff::about(&mut *tx, turn.tenant, wamid).await?
        && let Some(what) = reply_to_customer(&turn.message.content)
    {
        return by_hand(tx, turn, user, customer, what, now).await;
    }
    let asked = store::staff::session(&mut *tx, turn.tenant, user)
        .await?
        .pending
        .is_some();
    match answer(&turn.message.content, asked) {
        Answer::Nothing => Ok(()),
        Answer::Command(text) => {
            crate::jobs::enqueue(
                &mut *tx,
                &crate::staff_commands::StaffCommand {
                    tenant_id: turn.tenant,
                    message_id: turn.message_id,
                    user_id: user,
                    phone: turn.phone.as_str().to_string(),
                    text,
                },
                None,
            )
            .await?;
            Ok(())
        }
        Answer::Help => {
            let tenant = store::tenants::get(&mut *tx, turn.tenant).await?;
            let language = domain::text::language_of(&tenant.locale.to_string());
            let first = name.split_whitespace().next().unwrap_or(name);
            crate::notify::to_outbox(
                (&mut *tx).into(),
                Some(turn.tenant),
                turn.phone,
                language,
                &Msg::StaffHelp {
                    name: first,
                    business: &tenant.business_name,
                },
            )
            .await
        }
    }
}

/// A staff member's reply to an alert: to the customer, and a word back
/// when it did not go, or when they now hold the conversation.
async fn by_hand(
    tx: &mut Tx,
    turn: &Turn<'_>,
    user: UserId,
    customer: domain::CustomerId,
    what: Result<&str, ()>,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use crate::inbox::HandReply;
    use domain::text::Key;
    let tenant = store::tenants::get(&mut *tx, turn.tenant).await?;
    let outcome = match what {
        Ok(text) => Some(
            crate::inbox::reply_by_hand(tx, &tenant, turn.number, user, customer, text, now)
                .await?,
        ),
        Err(()) => None,
    };
    let (key, name) = match &outcome {
        None => (Key::CmdReplyTextOnly, String::new()),
        Some(HandReply::Sent { first: false, .. }) => return Ok(()),
        Some(HandReply::Sent { customer, .. }) => (Key::CmdReplying, customer.clone()),
        Some(HandReply::WindowClosed { customer }) => (Key::CmdWindowClosed, customer.clone()),
        Some(HandReply::Unreachable) => (Key::CmdUnreachable, String::new()),
    };
    let language = domain::text::language_of(&tenant.locale.to_string());
    let texts = store::business::get(&mut *tx, turn.tenant).await?.texts;
    let text = domain::text::render(language, key, &[("customer", &name)], &texts);
    crate::notify::to_outbox(
        (&mut *tx).into(),
        Some(turn.tenant),
        turn.phone,
        language,
        &Msg::StaffReply { text: &text },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use channels::inbound::Content;

    #[test]
    fn staff_commands_run_and_anything_else_gets_help() {
        let text = Content::Text {
            body: "orders today".into(),
        };
        assert_eq!(answer(&text, false), Answer::Command("orders today".into()));
        let chat = Content::Text {
            body: "good morning, how is everyone doing today?".into(),
        };
        assert_eq!(answer(&chat, false), Answer::Help);
        let reaction = Content::Reaction {
            message_id: "wamid.x".into(),
            emoji: Some("👍".into()),
        };
        assert_eq!(answer(&reaction, false), Answer::Nothing);
    }

    #[test]
    fn a_question_takes_its_buttons_and_a_typed_yes_or_no() {
        let tap = Content::ButtonReply {
            id: "staff:yes".into(),
            title: "Yes, cancel".into(),
        };
        assert_eq!(answer(&tap, false), Answer::Command("staff:yes".into()));
        let si = Content::Text { body: "Sí".into() };
        assert_eq!(answer(&si, true), Answer::Command("staff:yes".into()));
        let hapana = Content::Text {
            body: "hapana".into(),
        };
        assert_eq!(answer(&hapana, true), Answer::Command("staff:no".into()));
        // Without a question waiting, "yes" is just chat.
        assert_eq!(answer(&si, false), Answer::Help);
    }

    #[test]
    fn a_reply_to_an_alert_goes_to_the_customer_except_done_and_media() {
        let text = Content::Text {
            body: "Hi Ada, your gown is ready".into(),
        };
        assert_eq!(
            reply_to_customer(&text),
            Some(Ok("Hi Ada, your gown is ready"))
        );
        let done = Content::Text {
            body: "done".into(),
        };
        assert_eq!(reply_to_customer(&done), None);
        let photo = Content::Media {
            kind: channels::inbound::MediaKind::Image,
            id: "m1".into(),
            mime_type: None,
            sha256: None,
            caption: None,
            filename: None,
            voice: None,
            animated: None,
        };
        assert_eq!(reply_to_customer(&photo), Some(Err(())));
    }
}
