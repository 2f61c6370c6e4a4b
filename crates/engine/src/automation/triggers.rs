//! A business's triggers as its owner sees and changes them: the defaults
//! every business starts with, and the checks on a change (an unknown
//! kind, a threshold out of range, wording with an argument the trigger
//! does not give, quiet hours that are not times are each an error naming
//! the field, and change nothing).

use crate::error::ServiceError;
use crate::services::Services;
use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::automation::{Config, QuietHours, Thresholds, TriggerKind, thresholds};
use domain::tenant::Vertical;
use domain::text::{Overrides, check_override};
use store::automation::{Trigger, TriggerFields};
use store::{Ex, StoreResult};
use uuid::Uuid;

/// A trigger as the API shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TriggerView {
    pub id: Uuid,
    pub kind: String,
    pub enabled: bool,
    /// The thresholds as set (absent fields take the defaults).
    #[schema(value_type = Object)]
    pub config: serde_json::Value,
    /// The thresholds in force, defaults included.
    pub params: String,
    /// The wording per language and catalog text, overriding the built-in.
    #[schema(value_type = Object)]
    pub texts: Overrides,
    /// The texts this trigger's wording may override.
    pub text_keys: Vec<&'static str>,
    /// This trigger's own quiet hours; absent: the business's.
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Trigger> for TriggerView {
    fn from(t: Trigger) -> Self {
        TriggerView {
            text_keys: TriggerKind::parse(&t.kind)
                .map(|k| k.keys().iter().map(|k| k.name()).collect())
                .unwrap_or_default(),
            id: t.id,
            kind: t.kind,
            enabled: t.enabled,
            config: t.config.0,
            params: t.params,
            texts: t.texts.0,
            quiet_start: t.quiet_start,
            quiet_end: t.quiet_end,
            last_run_at: t.last_run_at,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// Gives a business the default triggers: one of each kind, enabled, with
/// the seed's thresholds and the catalog's wording.
pub async fn install_defaults(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    vertical: Vertical,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let mut ex = ex.into();
    let empty = serde_json::json!({});
    let texts = Overrides::new();
    for kind in TriggerKind::ALL {
        let params = default_params(kind, vertical);
        store::automation::insert_trigger(
            ex.re(),
            tenant,
            &TriggerFields {
                kind: kind.as_str(),
                enabled: true,
                config: &empty,
                params: &params,
                texts: &texts,
                quiet_start: None,
                quiet_end: None,
            },
            at,
        )
        .await?;
    }
    Ok(())
}

fn default_params(kind: TriggerKind, vertical: Vertical) -> String {
    thresholds(kind, vertical, &Config::default())
        .map(|t| t.params())
        .unwrap_or_default()
}

/// A new trigger or a change to one; absent fields keep what is stored
/// (for a new one: the defaults).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerInput {
    /// Only when creating: `customer_inactive`, `order_ready`,
    /// `unpaid_balance`, `deadline_risk`, `birthday`, `repeat_customer`,
    /// `low_stock`, `daily_summary`, `scheduled_message`.
    pub kind: Option<String>,
    pub enabled: Option<bool>,
    /// The thresholds; replaces the stored ones (`{}`: the defaults).
    pub config: Option<serde_json::Value>,
    /// Replaces the wording: language → text key (see `text_keys`) → text.
    #[schema(value_type = Option<Object>)]
    pub texts: Option<Overrides>,
    /// "HH:MM"; both or neither; `null` returns to the business's.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub quiet_start: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub quiet_end: Option<Option<String>>,
}

fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(d).map(Some)
}

/// What a valid input resolves to.
struct Checked {
    enabled: bool,
    config: serde_json::Value,
    params: String,
    texts: Overrides,
    quiet: Option<(String, String)>,
}

fn check(
    kind: TriggerKind,
    vertical: Vertical,
    input: &TriggerInput,
    current: Option<&Trigger>,
) -> Result<Checked, ServiceError> {
    let config_json = match (&input.config, current) {
        (Some(c), _) => c.clone(),
        (None, Some(t)) => t.config.0.clone(),
        (None, None) => serde_json::json!({}),
    };
    let config: Config = serde_json::from_value(config_json.clone()).map_err(|e| {
        let msg = e.to_string();
        // serde names an unknown field in its message.
        let field = msg
            .split('`')
            .nth(1)
            .map(|f| format!("config.{f}"))
            .unwrap_or_else(|| "config".into());
        ServiceError::invalid(field, msg)
    })?;
    let th: Thresholds = thresholds(kind, vertical, &config)
        .map_err(|e| ServiceError::invalid(e.field, e.message))?;
    let texts = match (&input.texts, current) {
        (Some(t), _) => t.clone(),
        (None, Some(c)) => c.texts.0.clone(),
        (None, None) => Overrides::new(),
    };
    let allowed: Vec<&str> = kind.keys().iter().map(|k| k.name()).collect();
    for (lang, keys) in &texts {
        for (key, text) in keys {
            let field = format!("texts.{lang}.{key}");
            if !allowed.contains(&key.as_str()) {
                return Err(ServiceError::invalid(
                    field,
                    if allowed.is_empty() {
                        format!("{kind} has no wording to change")
                    } else {
                        format!("{kind} uses {}", allowed.join(", "))
                    },
                ));
            }
            check_override(lang, key, text).map_err(|m| ServiceError::invalid(field, m))?;
        }
    }
    let current_quiet = current.and_then(|t| t.quiet_start.clone().zip(t.quiet_end.clone()));
    let start = match &input.quiet_start {
        Some(v) => v.clone(),
        None => current_quiet.as_ref().map(|q| q.0.clone()),
    };
    let end = match &input.quiet_end {
        Some(v) => v.clone(),
        None => current_quiet.as_ref().map(|q| q.1.clone()),
    };
    let quiet = match (start, end) {
        (None, None) => None,
        (Some(_), None) => {
            return Err(ServiceError::invalid(
                "quiet_end",
                "give both quiet_start and quiet_end",
            ));
        }
        (None, Some(_)) => {
            return Err(ServiceError::invalid(
                "quiet_start",
                "give both quiet_start and quiet_end",
            ));
        }
        (Some(s), Some(e)) => {
            let q =
                QuietHours::parse(&s, &e).map_err(|e| ServiceError::invalid(e.field, e.message))?;
            Some(q.display())
        }
    };
    Ok(Checked {
        enabled: input.enabled.or(current.map(|t| t.enabled)).unwrap_or(true),
        config: config_json,
        params: th.params(),
        texts,
        quiet,
    })
}

impl Checked {
    fn fields<'a>(&'a self, kind: &'a str) -> TriggerFields<'a> {
        TriggerFields {
            kind,
            enabled: self.enabled,
            config: &self.config,
            params: &self.params,
            texts: &self.texts,
            quiet_start: self.quiet.as_ref().map(|q| q.0.as_str()),
            quiet_end: self.quiet.as_ref().map(|q| q.1.as_str()),
        }
    }
}

pub async fn list(svc: &Services, tenant: TenantId) -> Result<Vec<TriggerView>, ServiceError> {
    Ok(store::automation::triggers(&svc.db, tenant)
        .await?
        .into_iter()
        .map(TriggerView::from)
        .collect())
}

pub async fn create(
    svc: &Services,
    tenant: TenantId,
    input: &TriggerInput,
) -> Result<TriggerView, ServiceError> {
    let name = input
        .kind
        .as_deref()
        .ok_or_else(|| ServiceError::invalid("kind", "required"))?;
    let kind = TriggerKind::parse(name).ok_or_else(|| {
        ServiceError::invalid(
            "kind",
            format!(
                "unknown trigger; use one of {}",
                TriggerKind::ALL.map(|k| k.as_str()).join(", ")
            ),
        )
    })?;
    let vertical = store::tenants::get(&svc.db, tenant).await?.vertical;
    let c = check(kind, vertical, input, None)?;
    let id = store::automation::insert_trigger(
        &svc.db,
        tenant,
        &c.fields(kind.as_str()),
        svc.clock.now(),
    )
    .await?;
    Ok(store::automation::trigger(&svc.db, tenant, id)
        .await?
        .into())
}

pub async fn update(
    svc: &Services,
    tenant: TenantId,
    id: Uuid,
    input: &TriggerInput,
) -> Result<TriggerView, ServiceError> {
    let current = store::automation::trigger(&svc.db, tenant, id).await?;
    let kind = TriggerKind::parse(&current.kind)
        .ok_or_else(|| ServiceError::Internal(format!("stored trigger kind {}", current.kind)))?;
    if let Some(k) = &input.kind
        && k != kind.as_str()
    {
        return Err(ServiceError::invalid(
            "kind",
            "a trigger's kind cannot change; create another trigger",
        ));
    }
    let vertical = store::tenants::get(&svc.db, tenant).await?.vertical;
    let c = check(kind, vertical, input, Some(&current))?;
    store::automation::update_trigger(
        &svc.db,
        tenant,
        id,
        &c.fields(kind.as_str()),
        svc.clock.now(),
    )
    .await?;
    Ok(store::automation::trigger(&svc.db, tenant, id)
        .await?
        .into())
}

/// The business's quiet hours.
pub async fn quiet_hours(
    svc: &Services,
    tenant: TenantId,
) -> Result<(String, String), ServiceError> {
    let s = store::business::get(&svc.db, tenant).await?;
    Ok((s.quiet_start, s.quiet_end))
}

/// Changes the business's quiet hours ("HH:MM", both).
pub async fn set_quiet_hours(
    svc: &Services,
    tenant: TenantId,
    start: &str,
    end: &str,
) -> Result<(String, String), ServiceError> {
    let q = QuietHours::parse(start, end).map_err(|e| ServiceError::invalid(e.field, e.message))?;
    let (start, end) = q.display();
    let s = store::business::update(
        &svc.db,
        tenant,
        &store::business::SettingsPatch {
            quiet_start: Some(start),
            quiet_end: Some(end),
            ..Default::default()
        },
    )
    .await?;
    Ok((s.quiet_start, s.quiet_end))
}
