//! Staff writing to their own business's number. They are not customers:
//! no customer row, no cart, no order in their name. A message that reads
//! as a command (`orders today`, `ready SEW-0042`) becomes a
//! `staff_command` job, which runs it through the services and answers
//! (`crate::staff_commands`); anything else gets what they can do here. The
//! message itself is stored by the intake.

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

/// Decides the answer to a staff member's message.
pub(crate) fn answer(content: &channels::inbound::Content, _role: Role) -> Answer {
    use channels::inbound::Content;
    match content {
        Content::Reaction { .. } => Answer::Nothing,
        Content::Text { body } if crate::staff_commands::is_command(body) => {
            Answer::Command(body.clone())
        }
        _ => Answer::Help,
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
) -> anyhow::Result<()> {
    match answer(&turn.message.content, role) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use channels::inbound::Content;

    #[test]
    fn staff_commands_run_and_anything_else_gets_help() {
        let text = Content::Text {
            body: "orders today".into(),
        };
        assert_eq!(
            answer(&text, Role::Owner),
            Answer::Command("orders today".into())
        );
        let chat = Content::Text {
            body: "good morning, how is everyone doing today?".into(),
        };
        assert_eq!(answer(&chat, Role::Owner), Answer::Help);
        let reaction = Content::Reaction {
            message_id: "wamid.x".into(),
            emoji: Some("👍".into()),
        };
        assert_eq!(answer(&reaction, Role::Staff), Answer::Nothing);
    }
}
