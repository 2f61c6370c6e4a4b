//! The one error type of the application services. A front end maps it
//! once: the HTTP edge to its envelope (404, 422 with the field, 409 with a
//! code), the CLI to a readable line, a WhatsApp command to a reply.

use crate::outbound::OutboundError;
use store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Not found, or another business's.
    #[error("not found")]
    NotFound,
    /// An input field is wrong.
    #[error("{field}: {message}")]
    Invalid {
        field: std::borrow::Cow<'static, str>,
        message: String,
    },
    /// The request conflicts with what is stored (a move the rules hold
    /// back, a payment already made, a customer who opted out).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        field: Option<&'static str>,
    },
    /// Something on our side (the random source, a message that cannot be
    /// built): logged, never shown.
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(StoreError),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    pub fn invalid(
        field: impl Into<std::borrow::Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        ServiceError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(
        code: &'static str,
        message: impl Into<String>,
        field: Option<&'static str>,
    ) -> Self {
        ServiceError::Conflict {
            code,
            message: message.into(),
            field,
        }
    }

    /// A message that is not essential, to a customer who said stop.
    pub fn opted_out() -> Self {
        Self::conflict(
            "opted_out",
            "the customer opted out of reminders and promotions",
            None,
        )
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            e => ServiceError::Store(e),
        }
    }
}

impl From<OutboundError> for ServiceError {
    fn from(e: OutboundError) -> Self {
        match e {
            OutboundError::OptedOut => ServiceError::opted_out(),
            OutboundError::NoWhatsapp => ServiceError::conflict(
                "no_whatsapp",
                "this customer has no WhatsApp number",
                Some("customer_id"),
            ),
            OutboundError::NoNumber => ServiceError::conflict(
                "no_number",
                "the business has no active WhatsApp number",
                None,
            ),
            OutboundError::Invalid(field, message) => {
                ServiceError::Internal(format!("{field}: {message}"))
            }
            OutboundError::Store(e) => e.into(),
        }
    }
}
