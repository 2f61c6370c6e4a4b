//! Strict validation of model output against the nlu.md contract. A model
//! answer is accepted whole or not at all, except that items whose SKU is not
//! in the tenant's catalog are dropped (the model must not invent products).

use nlu::{Context, ExtractedProduct, Understanding};
use serde_json::{Map, Value};

use crate::ProviderError;

fn invalid(msg: impl Into<String>) -> ProviderError {
    ProviderError::Invalid(msg.into())
}

pub(crate) fn understanding(v: Value, ctx: &Context) -> Result<Understanding, ProviderError> {
    let Value::Object(obj) = v else {
        return Err(invalid("not a JSON object"));
    };
    // Nulls and empty strings mean "absent".
    let mut clean: Map<String, Value> = obj
        .into_iter()
        .filter(|(_, v)| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
        .collect();
    if let Some(items) = clean.remove("items") {
        let Value::Array(items) = items else {
            return Err(invalid("items is not an array"));
        };
        let kept: Vec<Value> = items
            .into_iter()
            .filter(|it| {
                it.get("sku")
                    .and_then(Value::as_str)
                    .is_some_and(|sku| ctx.catalog.iter().any(|c| c.sku == sku))
            })
            .collect();
        if !kept.is_empty() {
            clean.insert("items".to_owned(), Value::Array(kept));
        }
    }
    if let Some(Value::Object(m)) = clean.get_mut("measurements") {
        if m.is_empty() {
            clean.remove("measurements");
        } else {
            for (k, v) in m.iter_mut() {
                let x = v
                    .as_f64()
                    .ok_or_else(|| invalid(format!("measurement {k} is not a number")))?;
                if !(x > 0.0 && x < 400.0) {
                    return Err(invalid(format!("measurement {k} = {x} is out of range")));
                }
                *v = Value::from((x * 100.0).round() / 100.0);
            }
        }
    }
    // Amounts may come as 15000.0: keep whole numbers only.
    if let Some(a) = clean.get("amount") {
        let x = a
            .as_f64()
            .ok_or_else(|| invalid("amount is not a number"))?;
        if !x.is_finite() || x < 0.0 {
            return Err(invalid("amount out of range"));
        }
        clean.insert("amount".to_owned(), Value::from(x.round() as i64));
    }
    let u: Understanding =
        serde_json::from_value(Value::Object(clean)).map_err(|e| invalid(e.to_string()))?;
    if u.items
        .as_ref()
        .is_some_and(|items| items.iter().any(|i| i.qty == 0))
        || u.quantity == Some(0)
    {
        return Err(invalid("a quantity is zero"));
    }
    Ok(u)
}

pub(crate) fn products(
    v: Value,
    minor_digits: u32,
) -> Result<Vec<ExtractedProduct>, ProviderError> {
    let list = v
        .get("products")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("no products array"))?;
    let scale = 10f64.powi(minor_digits.min(6) as i32);
    let mut out = Vec::with_capacity(list.len());
    for p in list {
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("product without a name"))?;
        let price = p
            .get("price")
            .and_then(Value::as_f64)
            .filter(|x| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| invalid(format!("{name}: bad price")))?;
        let aliases = match p.get("aliases") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(_) => return Err(invalid(format!("{name}: aliases is not an array"))),
        };
        let sku = p
            .get("sku")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .filter(|s| !s.is_empty());
        out.push(ExtractedProduct {
            name: name.to_owned(),
            price_minor: (price * scale).round() as i64,
            aliases,
            sku,
        });
    }
    Ok(out)
}
