//! The two migration trees must describe the same database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use store::schema::{describe, sqlite_type_for};
use store::testing;

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let sqlite = describe(&testing::sqlite().await).await.unwrap();
    assert!(sqlite.contains_key("orders") && sqlite.contains_key("jobs"));
    let Some(pg) = testing::postgres().await else {
        return;
    };
    let pg = describe(&pg).await.unwrap();
    assert_eq!(
        sqlite.keys().collect::<Vec<_>>(),
        pg.keys().collect::<Vec<_>>(),
        "same tables"
    );
    for (name, lite) in &sqlite {
        let post = &pg[name];
        let lite_cols: Vec<_> = lite.columns.iter().map(|c| (&c.name, c.not_null)).collect();
        let post_cols: Vec<_> = post.columns.iter().map(|c| (&c.name, c.not_null)).collect();
        assert_eq!(lite_cols, post_cols, "columns and nullability of {name}");
        for (l, p) in lite.columns.iter().zip(&post.columns) {
            assert_eq!(
                l.ty,
                sqlite_type_for(&p.ty),
                "{name}.{}: PostgreSQL {} should be SQLite {}",
                l.name,
                p.ty,
                sqlite_type_for(&p.ty)
            );
        }
        assert_eq!(lite.indexes, post.indexes, "indexes of {name}");
    }
}

#[tokio::test]
async fn every_tenant_owned_table_has_a_tenant_index() {
    for db in testing::backends().await {
        let schema = describe(&db).await.unwrap();
        for (name, table) in &schema {
            if name == "tenants" || !table.columns.iter().any(|c| c.name == "tenant_id") {
                continue;
            }
            assert!(
                table
                    .indexes
                    .values()
                    .any(|i| i.columns.first().map(String::as_str) == Some("tenant_id")),
                "{name} has tenant_id but no index leading with it ({})",
                db.backend()
            );
        }
    }
}

#[tokio::test]
async fn the_unique_index_table_names_real_unique_indexes() {
    for db in testing::backends().await {
        let schema = describe(&db).await.unwrap();
        for (index, cols) in store::UNIQUE_INDEXES {
            let table = cols.split('.').next().unwrap();
            let expected: Vec<String> = cols
                .split(", ")
                .map(|c| c.split('.').nth(1).unwrap().to_string())
                .collect();
            let found = schema[table]
                .indexes
                .get(*index)
                .unwrap_or_else(|| panic!("{index} missing on {}", db.backend()));
            assert!(found.unique, "{index} is unique");
            assert_eq!(
                found.columns,
                expected,
                "{index} columns on {}",
                db.backend()
            );
        }
    }
}
