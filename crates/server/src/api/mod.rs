//! The JSON API under `/api/v1`, one module per area.

pub mod auth;
pub mod automation;
pub mod customers;
pub mod health;
pub mod hours;
pub mod inbox;
pub mod inventory;
pub mod measurements;
pub mod operator;
pub mod orders;
pub mod payments;
pub mod products;
pub mod settings;
pub mod templates;
pub mod users;
pub mod whatsapp;
pub mod zones;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One page of a list, newest first.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Cursor pagination parameters.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct PageParams {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// Checks a page size; returns it.
pub fn page_limit(limit: Option<i64>) -> Result<i64, crate::error::AppError> {
    let l = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&l) {
        return Err(crate::error::AppError::field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    Ok(l)
}

/// Parses a cursor (the id of the last item seen).
pub fn cursor<T: std::str::FromStr>(
    raw: Option<&str>,
) -> Result<Option<T>, crate::error::AppError> {
    raw.map(|c| {
        c.parse().map_err(|_| {
            crate::error::AppError::field("cursor", "not a cursor from a previous page")
        })
    })
    .transpose()
}

/// Builds a page from `limit + 1` fetched rows.
pub fn page<T>(mut rows: Vec<T>, limit: i64, id_of: impl Fn(&T) -> String) -> Page<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(id_of) } else { None };
    Page {
        items: rows,
        next_cursor,
    }
}
