//! Store errors. A unique violation names the index it hit, the same name
//! on both backends, so callers can turn it into a precise conflict.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("unique constraint {0} violated")]
    Unique(&'static str),
    #[error("database URL must start with sqlite: or postgres://")]
    BadUrl,
    /// A database URL option we read ourselves is wrong.
    #[error("database URL: {0}")]
    BadOption(String),
    #[error("{0} is not supported on this backend")]
    Unsupported(&'static str),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sqlx(sqlx::Error),
    /// A value could not be written as JSON.
    #[error("cannot encode: {0}")]
    Encode(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The unique indexes callers may need to tell apart, with the columns SQLite
/// names in its error message (it does not name the index). The schema test
/// checks this table against both databases.
pub const UNIQUE_INDEXES: &[(&str, &str)] = &[
    ("tenants_slug_key", "tenants.slug"),
    ("users_email_key", "users.email"),
    ("users_tenant_phone_key", "users.tenant_id, users.phone"),
    ("invite_codes_hash_key", "invite_codes.code_hash"),
    (
        "onboarding_sessions_invite_key",
        "onboarding_sessions.invite_id",
    ),
    (
        "onboarding_sessions_tenant_key",
        "onboarding_sessions.tenant_id",
    ),
    ("refresh_tokens_hash_key", "refresh_tokens.token_hash"),
    (
        "customers_tenant_phone_key",
        "customers.tenant_id, customers.phone",
    ),
    (
        "customers_tenant_wa_id_key",
        "customers.tenant_id, customers.wa_id",
    ),
    (
        "measurements_version_key",
        "measurements.tenant_id, measurements.customer_id, measurements.version",
    ),
    (
        "measurements_current_key",
        "measurements.tenant_id, measurements.customer_id",
    ),
    (
        "orders_tenant_ref_key",
        "orders.tenant_id, orders.order_ref",
    ),
    ("order_stages_open_key", "order_stages.order_id"),
    (
        "payments_provider_ref_key",
        "payments.provider, payments.provider_ref",
    ),
    ("jobs_dedup_key", "jobs.dedup_key"),
    ("payments_reference_key", "payments.reference"),
    ("payments_open_key", "payments.order_id, payments.type"),
    ("payments_callback_token_key", "payments.callback_token"),
    (
        "payment_events_key",
        "payment_events.provider, payment_events.event_key",
    ),
    (
        "payment_providers_tenant_key",
        "payment_providers.tenant_id, payment_providers.provider",
    ),
    ("sandbox_charges_reference_key", "sandbox_charges.reference"),
    (
        "wa_numbers_phone_number_id_key",
        "wa_numbers.phone_number_id",
    ),
    (
        "wa_events_provider_key",
        "wa_events.kind, wa_events.provider_key",
    ),
    ("wa_messages_wamid_key", "wa_messages.wa_message_id"),
    (
        "products_tenant_sku_key",
        "products.tenant_id, products.sku",
    ),
    (
        "delivery_zones_tenant_name_key",
        "delivery_zones.tenant_id, delivery_zones.name",
    ),
    (
        "business_settings_tenant_key",
        "business_settings.tenant_id",
    ),
    (
        "chat_sessions_customer_key",
        "chat_sessions.tenant_id, chat_sessions.customer_id",
    ),
];

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => return StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                // PostgreSQL names the index; SQLite lists the columns.
                let found = match db.constraint() {
                    Some(name) => UNIQUE_INDEXES.iter().find(|(n, _)| *n == name),
                    None => {
                        let msg = db.message();
                        let cols = msg.rsplit(": ").next().unwrap_or_default();
                        UNIQUE_INDEXES.iter().find(|(_, c)| *c == cols)
                    }
                };
                if let Some((name, _)) = found {
                    return StoreError::Unique(name);
                }
            }
            _ => {}
        }
        StoreError::Sqlx(e)
    }
}
