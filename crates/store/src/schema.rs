//! Reads back the live schema of either backend in one shape, so a test can
//! prove the two migration trees describe the same tables, columns and
//! indexes.

use crate::{Db, StoreResult};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// The backend's own type name, lowercased.
    pub ty: String,
    pub not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub unique: bool,
    pub columns: Vec<String>,
    pub partial: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Secondary indexes by name (primary keys left out).
    pub indexes: BTreeMap<String, Index>,
}

pub type Schema = BTreeMap<String, Table>;

/// The type SQLite declares for a column of PostgreSQL type `pg` in our
/// migrations (the lockstep rule).
pub fn sqlite_type_for(pg: &str) -> &'static str {
    match pg {
        "uuid" | "bytea" => "blob",
        "bigint" | "integer" | "smallint" | "boolean" => "integer",
        "double precision" | "real" => "real",
        _ => "text",
    }
}

pub async fn describe(db: &Db) -> StoreResult<Schema> {
    let mut schema = Schema::new();
    match db {
        Db::Postgres(p) => {
            let cols: Vec<(String, String, String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
                 FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND table_name <> '_sqlx_migrations' ORDER BY table_name, ordinal_position",
            )
            .fetch_all(p)
            .await?;
            for (table, name, ty, nullable) in cols {
                schema.entry(table).or_default().columns.push(Column {
                    name,
                    ty: ty.to_lowercase(),
                    not_null: nullable == "NO",
                });
            }
            let idx: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT tablename::text, indexname::text, indexdef FROM pg_indexes \
                 WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations' \
                 AND indexname NOT LIKE '%_pkey'",
            )
            .fetch_all(p)
            .await?;
            for (table, name, def) in idx {
                let inner = def
                    .split_once('(')
                    .and_then(|(_, rest)| rest.split_once(')'))
                    .map(|(cols, _)| cols)
                    .unwrap_or_default();
                schema.entry(table).or_default().indexes.insert(
                    name,
                    Index {
                        unique: def.starts_with("CREATE UNIQUE"),
                        columns: inner.split(',').map(|c| c.trim().to_string()).collect(),
                        partial: def.contains(" WHERE "),
                    },
                );
            }
        }
        Db::Sqlite(p) => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name <> '_sqlx_migrations' ORDER BY name",
            )
            .fetch_all(p)
            .await?;
            for table in tables {
                let mut t = Table::default();
                let cols: Vec<(String, String, bool, i64)> = sqlx::query_as(
                    "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
                )
                .bind(&table)
                .fetch_all(p)
                .await?;
                for (name, ty, not_null, pk) in cols {
                    t.columns.push(Column {
                        name,
                        ty: ty.to_lowercase(),
                        not_null: not_null || pk > 0,
                    });
                }
                let idx: Vec<(String, bool, String, bool)> = sqlx::query_as(
                    "SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)",
                )
                .bind(&table)
                .fetch_all(p)
                .await?;
                for (name, unique, origin, partial) in idx {
                    if origin == "pk" {
                        continue;
                    }
                    let columns: Vec<String> =
                        sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                            .bind(&name)
                            .fetch_all(p)
                            .await?;
                    t.indexes.insert(
                        name,
                        Index {
                            unique,
                            columns,
                            partial,
                        },
                    );
                }
                schema.insert(table, t);
            }
        }
    }
    Ok(schema)
}
