//! Matching products against the tenant's catalog, with quantities.
//!
//! Names and aliases are folded (case, accents), plural-stripped and compared
//! token by token, with one typo allowed in words of five letters or more. An
//! item that is not in the catalog is never invented.
//!
//! Normalising a catalog costs a few microseconds, more than the rest of
//! `parse`; a thread-local copy of the last catalog seen and its compiled form
//! spares that work when consecutive messages share a tenant (the common case
//! in a queue). The cache is keyed by the catalog's full contents, so results
//! never depend on it.

use std::rc::Rc;

use crate::lexicon::{is_dozen, never_fuzzy, number_word};
use crate::text::{Text, edit_distance, letter_mask, stem};
use crate::{CatalogItem, Item, Lang};

struct Pattern {
    toks: Vec<String>,
    masks: Vec<u32>,
    item: usize,
    /// Lower ranks win ties: 0 name, 1 alias, 2 derived alias.
    rank: u8,
}

fn pattern_tokens(s: &str) -> Vec<String> {
    let t = Text::new(s);
    (0..t.len())
        .filter(|&i| !t.is_punct(i))
        .map(|i| stem(t.s(i)).to_owned())
        .collect()
}

impl Pattern {
    fn new(toks: Vec<String>, item: usize, rank: u8) -> Self {
        let masks = toks.iter().map(|t| letter_mask(t)).collect();
        Pattern {
            toks,
            masks,
            item,
            rank,
        }
    }
}

/// A catalog ready for matching.
struct Compiled {
    pats: Vec<Pattern>,
    /// Per item: the unit it is sold by when one of it ("Sugar 1kg" -> "kg").
    units: Vec<Option<String>>,
}

thread_local! {
    static LAST: std::cell::RefCell<Option<(Vec<CatalogItem>, Rc<Compiled>)>> = const { std::cell::RefCell::new(None) };
}

fn compiled(catalog: &[CatalogItem]) -> Rc<Compiled> {
    LAST.with(|cell| {
        if let Ok(slot) = cell.try_borrow()
            && let Some((cat, c)) = slot.as_ref()
            && cat.as_slice() == catalog
        {
            return Rc::clone(c);
        }
        let c = Rc::new(Compiled {
            pats: build(catalog),
            units: catalog.iter().map(|i| unit_of(&i.name)).collect(),
        });
        if let Ok(mut slot) = cell.try_borrow_mut() {
            *slot = Some((catalog.to_vec(), Rc::clone(&c)));
        }
        c
    })
}

fn build(catalog: &[CatalogItem]) -> Vec<Pattern> {
    let mut pats = Vec::with_capacity(catalog.len() * 4);
    let names: Vec<Vec<String>> = catalog.iter().map(|c| pattern_tokens(&c.name)).collect();
    for (idx, item) in catalog.iter().enumerate() {
        let name = &names[idx];
        if !name.is_empty() {
            pats.push(Pattern::new(name.clone(), idx, 0));
        }
        for a in &item.aliases {
            let toks = pattern_tokens(a);
            if !toks.is_empty() {
                pats.push(Pattern::new(toks, idx, 1));
            }
        }
        // Implied aliases: the flavour after "de" ("Empanada de humita" ->
        // "humita"), the words after a head shared with other items ("Pizza
        // muzzarella" -> "muzzarella"), and a first word no other item starts
        // with ("Unga 2kg" -> "unga").
        if name.len() >= 2 {
            let shared_head = names
                .iter()
                .enumerate()
                .any(|(j, n)| j != idx && n.first() == name.first());
            if let Some(p) = name
                .iter()
                .position(|w| matches!(w.as_str(), "de" | "of" | "con" | "with"))
                && p > 0
                && p + 1 < name.len()
            {
                pats.push(Pattern::new(name[p + 1..].to_vec(), idx, 2));
            } else if shared_head {
                pats.push(Pattern::new(name[1..].to_vec(), idx, 2));
            }
            // "Unga 2kg" -> "unga", "Cooking oil 1L" -> "cooking oil": the
            // name without its size, when only a size follows.
            if let Some(p) = name
                .iter()
                .position(|w| w.starts_with(|c: char| c.is_ascii_digit()))
                && p > 0
                && name[p..].iter().all(|w| is_size_part(w))
            {
                pats.push(Pattern::new(name[..p].to_vec(), idx, 2));
            }
        }
    }
    pats
}

fn is_size_part(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_digit())
        || matches!(
            w,
            "kg" | "g"
                | "gr"
                | "l"
                | "lt"
                | "ml"
                | "cl"
                | "litre"
                | "liter"
                | "lb"
                | "oz"
                | "cm"
                | "m"
                | "x"
                | "pack"
                | "pcs"
        )
}

fn word_matches(msg: &str, msg_mask: u32, pat: &str, pat_mask: u32) -> Option<bool> {
    if msg == pat {
        return Some(true);
    }
    if matches!(pat, "y" | "and") && matches!(msg, "y" | "and" | "&" | "e") {
        return Some(true);
    }
    let plen = pat.len();
    if plen < 5 || msg.len() < 4 || msg.len().abs_diff(plen) > 2 {
        return None;
    }
    let max = if plen >= 8 { 2 } else { 1 };
    if (msg_mask ^ pat_mask).count_ones() > 2 * max as u32
        || msg_mask & (1 << 26) != 0
        || pat_mask & (1 << 26) != 0
        || never_fuzzy(msg)
    {
        return None;
    }
    (edit_distance(msg, pat, max) <= max).then_some(false)
}

/// Tries `pat` at message token `i`: (end, exact).
fn match_at(
    t: &Text<'_>,
    stems: &[&str],
    masks: &[u32],
    used: &[bool],
    i: usize,
    pat: &Pattern,
) -> Option<(usize, bool)> {
    let mut k = i;
    let mut exact = true;
    for (j, p) in pat.toks.iter().enumerate() {
        if j > 0 {
            while k < t.len() && t.is_punct(k) && matches!(t.s(k), "-" | "." | "/") && !used[k] {
                k += 1;
            }
        }
        if k >= t.len() || used[k] || (t.is_punct(k) && stems[k] != "&") {
            return None;
        }
        match word_matches(stems[k], masks[k], p, pat.masks[j]) {
            Some(e) => exact &= e,
            None => return None,
        }
        k += 1;
    }
    Some((k, exact))
}

struct Found {
    item: usize,
    start: usize,
    end: usize,
}

/// Tokens that may sit between a count and its product ("2 packets of milk",
/// "una de carne", "3x bread").
fn is_linker(w: &str) -> bool {
    matches!(
        w,
        "de" | "of"
            | "x"
            | "ya"
            | "za"
            | "la"
            | "pcs"
            | "pc"
            | "pieces"
            | "piece"
            | "packets"
            | "packet"
            | "pakiti"
            | "paketi"
            | "unidades"
            | "unidad"
            | "kg"
            | "kgs"
            | "kilo"
            | "kilos"
            | "litre"
            | "litres"
            | "liter"
            | "lita"
            | "bottles"
            | "bottle"
            | "chupa"
            | "loaves"
            | "loaf"
            | "tins"
            | "bags"
            | "bag"
            | "empanadas"
            | "empanada"
            | "pizzas"
            | "pizza"
            | "botellas"
            | "botella"
            | "latas"
            | "lata"
            | "the"
            | "more"
            | "mas"
            | "extra"
            | "big"
            | "small"
            | "grandes"
            | "grande"
            | "large"
            | "cartons"
            | "carton"
            | "crates"
            | "crate"
            | "tray"
            | "trays"
            | "sachets"
            | "sachet"
            | "pairs"
            | "pair"
            | "rolls"
            | "roll"
    )
}

fn is_unit_word(w: &str) -> bool {
    matches!(
        w,
        "kilo"
            | "kilos"
            | "kg"
            | "lita"
            | "litre"
            | "litres"
            | "trei"
            | "tray"
            | "trays"
            | "pakiti"
            | "packets"
            | "packet"
            | "chupa"
            | "bottles"
            | "pcs"
            | "pieces"
            | "vipande"
            | "paketi"
    )
}

/// The unit a catalog name sells by when it is one of it ("Sugar 1kg" -> "kg").
fn unit_of(name: &str) -> Option<String> {
    let toks = pattern_tokens(name);
    toks.windows(2)
        .find(|w| w[0] == "1" && matches!(w[1].as_str(), "kg" | "l" | "lt"))
        .map(|w| w[1].clone())
}

/// A count ending just before `end` (exclusive), read backwards:
/// (qty, first token).
fn qty_before(t: &Text<'_>, used: &[bool], end: usize, lang: Lang) -> Option<(u32, usize)> {
    let mut j = end;
    let mut skips = 0;
    while j > 0 && skips < 3 && is_linker(t.s(j - 1)) && !is_dozen(t.s(j - 1)) {
        j -= 1;
        skips += 1;
    }
    if j == 0 {
        return None;
    }
    let i = j - 1;
    if used[i] {
        return None;
    }
    let w = t.s(i);
    if is_dozen(w) {
        // "media docena", "una docena", "2 docenas", "docena de carne".
        if i > 0 && !used[i - 1] {
            let p = t.s(i - 1);
            if matches!(p, "media" | "half") {
                return Some((6, i - 1));
            }
            if p == "a" && i > 1 && t.s(i - 2) == "half" {
                return Some((6, i - 2));
            }
            if let Some(n) = simple_count(t, i - 1, lang) {
                return Some((n * 12, i - 1));
            }
        }
        return Some((12, i));
    }
    if matches!(w, "media" | "half") {
        // "una docena de carne y media de pollo": half a dozen when dozens are in play.
        let dozens = (0..t.len()).any(|k| is_dozen(t.s(k)));
        return dozens.then_some((6, i));
    }
    if w == "y" && i > 0 && t.s(i - 1) == "media" {
        return None;
    }
    let n = simple_count(t, i, lang)?;
    // "kumi na mbili" = 12
    if i >= 2 && t.s(i - 1) == "na" && t.s(i - 2) == "kumi" && lang == Lang::En {
        return Some((10 + n, i - 2));
    }
    Some((n, i))
}

fn simple_count(t: &Text<'_>, i: usize, lang: Lang) -> Option<u32> {
    if t.is_num(i) {
        let s = t.s(i);
        if t.digits(i) <= 3 && !s.contains(['.', ',']) {
            let v = t.value(i) as u32;
            return (v > 0).then_some(v);
        }
        return None;
    }
    let w = t.s(i);
    if is_dozen(w) {
        return None;
    }
    number_word(w, lang)
}

/// A count right after a product ("sukari tatu", "milk x2", "unga 2"):
/// (qty, token index, end).
fn qty_after(
    t: &Text<'_>,
    used: &[bool],
    start: usize,
    lang: Lang,
    unit_size: Option<&str>,
) -> Option<(u32, usize, usize)> {
    let mut k = start;
    if matches!(t.s(k), "x" | ":" | "-" | "=" | "*") {
        k += 1;
    }
    // "mchele kilo mbili", "mayai trei 2", "sabuni ya kufulia mbili"
    if is_unit_word(t.s(k)) && !used[k] {
        k += 1;
    } else if matches!(t.s(k), "ya" | "za" | "la" | "cha" | "vya")
        && t.is_word(k + 1)
        && !used[k + 1]
        && (simple_count(t, k + 2, lang).is_some() && !t.is_num(k + 2))
    {
        k += 2;
    }
    if k >= t.len() || used[k] {
        return None;
    }
    // A glued unit means a size ("2kg"), not a count, unless the product is
    // sold by that unit ("sukari 2kg" of "Sugar 1kg" is two packets).
    if t.is_num(k)
        && k + 1 < t.len()
        && t.glued(k + 1)
        && t.is_word(k + 1)
        && !matches!(t.s(k + 1), "x" | "pcs")
    {
        if unit_size.is_some_and(|u| u == t.s(k + 1)) {
            let n = simple_count(t, k, lang)?;
            return Some((n, k, k + 2));
        }
        return None;
    }
    let mut n = simple_count(t, k, lang)?;
    let mut end = k + 1;
    if lang == Lang::En
        && t.s(k) == "kumi"
        && t.s(end) == "na"
        && let Some(m) = number_word(t.s(end + 1), lang)
    {
        n = 10 + m;
        end += 2;
    }
    if is_dozen(t.s(end)) {
        n *= 12;
        end += 1;
    }
    Some((n, k, end))
}

/// All catalog items the message mentions, in order of first mention.
pub(crate) fn items(
    t: &Text<'_>,
    used: &mut [bool],
    catalog: &[CatalogItem],
    lang: Lang,
) -> Vec<Item> {
    if catalog.is_empty() {
        return Vec::new();
    }
    let compiled = compiled(catalog);
    let pats = &compiled.pats;
    let stems: Vec<&str> = (0..t.len()).map(|i| stem(t.s(i))).collect();
    let masks: Vec<u32> = stems.iter().map(|s| letter_mask(s)).collect();
    let mut found: Vec<Found> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if used[i] || t.is_punct(i) {
            i += 1;
            continue;
        }
        // Longest match; then exact over fuzzy; then name over alias.
        let mut best: Option<(usize, bool, u8, usize)> = None;
        for p in pats {
            if let Some((end, exact)) = match_at(t, &stems, &masks, used, i, p) {
                let better = match best {
                    None => true,
                    Some((be, bex, brank, _)) => {
                        (end, exact, std::cmp::Reverse(p.rank))
                            > (be, bex, std::cmp::Reverse(brank))
                    }
                };
                if better {
                    best = Some((end, exact, p.rank, p.item));
                }
            }
        }
        if let Some((end, _, _, item)) = best {
            // "a loaf of bread", "Pishori rice": one product named twice.
            if let Some(last) = found.last_mut()
                && last.item == item
                && (last.end..i).all(|k| matches!(t.s(k), "of" | "de" | "ya" | "la" | "-"))
            {
                last.end = end;
            } else {
                found.push(Found {
                    item,
                    start: i,
                    end,
                });
            }
            i = end;
        } else {
            i += 1;
        }
    }
    for f in &found {
        for u in &mut used[f.start..f.end] {
            *u = true;
        }
    }
    // Quantities: the count before a product wins; a count after it is taken
    // unless the next product needs it as its own leading count.
    let mut out: Vec<Item> = Vec::new();
    let mut explicit: Vec<bool> = Vec::with_capacity(found.len());
    let befores: Vec<Option<(u32, usize)>> = found
        .iter()
        .map(|f| qty_before(t, used, f.start, lang))
        .collect();
    for (k, f) in found.iter().enumerate() {
        let mut qty = None;
        if let Some((n, first)) = befores[k]
            && !used[first]
        {
            qty = Some(n);
            for u in &mut used[first..f.start] {
                *u = true;
            }
        }
        let unit = compiled.units[f.item].as_deref();
        if qty.is_none()
            && let Some((n, idx, end)) = qty_after(t, used, f.end, lang, unit)
        {
            let wanted_by_next = found.get(k + 1).is_some_and(|nf| {
                befores[k + 1].is_some_and(|(_, first)| first == idx)
                    && qty_after(t, used, nf.end, lang, compiled.units[nf.item].as_deref())
                        .is_none()
            });
            if !wanted_by_next {
                qty = Some(n);
                for u in &mut used[f.end..end] {
                    *u = true;
                }
            }
        }
        explicit.push(qty.is_some());
        let qty = qty.unwrap_or(1);
        let sku = &catalog[f.item].sku;
        if let Some(existing) = out.iter_mut().find(|it| &it.sku == sku) {
            existing.qty += qty;
        } else {
            out.push(Item {
                sku: sku.clone(),
                qty,
            });
        }
    }
    spread_dozens(t, used, &found, &explicit, &mut out, lang);
    out
}

/// "4 docenas: 2 de carne, 1 de jyq, 1 de humita" counts dozens; "10 docenas,
/// todas de carne" gives them all to one product.
fn spread_dozens(
    t: &Text<'_>,
    used: &mut [bool],
    found: &[Found],
    explicit: &[bool],
    out: &mut [Item],
    lang: Lang,
) {
    let Some(d) = (0..t.len())
        .find(|&i| !used[i] && matches!(t.s(i), "docenas" | "dozens") && i > 0 && !used[i - 1])
    else {
        return;
    };
    let Some(n) = simple_count(t, d - 1, lang) else {
        return;
    };
    if out.len() == 1
        && found.len() == 1
        && !explicit[0]
        && (0..found[0].start).any(|k| matches!(t.s(k), "todas" | "todos" | "all"))
    {
        out[0].qty = n * 12;
    } else if explicit.iter().all(|e| *e) && out.iter().map(|i| i.qty).sum::<u32>() == n {
        for it in out.iter_mut() {
            it.qty *= 12;
        }
    } else {
        return;
    }
    used[d - 1] = true;
    used[d] = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(entries: &[(&str, &str, &[&str])]) -> Vec<CatalogItem> {
        entries
            .iter()
            .map(|(s, n, a)| CatalogItem {
                sku: (*s).into(),
                name: (*n).into(),
                aliases: a.iter().map(|x| (*x).into()).collect(),
            })
            .collect()
    }

    fn run(text: &str, c: &[CatalogItem], lang: Lang) -> Vec<(String, u32)> {
        let t = Text::new(text);
        let mut used = vec![false; t.len()];
        items(&t, &mut used, c, lang)
            .into_iter()
            .map(|i| (i.sku, i.qty))
            .collect()
    }

    #[test]
    fn empanadas() {
        let c = cat(&[
            ("EMP-CARNE", "Empanada de carne", &["carne"]),
            (
                "EMP-JYQ",
                "Empanada de jamón y queso",
                &["jamon y queso", "jyq"],
            ),
            ("EMP-HUMITA", "Empanada de humita", &[]),
            ("PIZZA-MUZZA", "Pizza muzzarella", &["muzza"]),
        ]);
        assert_eq!(
            run("tres de humita y una de jamón y queso", &c, Lang::Es),
            [("EMP-HUMITA".into(), 3), ("EMP-JYQ".into(), 1)]
        );
        assert_eq!(
            run("media docena de carne", &c, Lang::Es),
            [("EMP-CARNE".into(), 6)]
        );
        assert_eq!(run("dos muzzas", &c, Lang::Es), [("PIZZA-MUZZA".into(), 2)]);
        assert_eq!(
            run("una docena de carne y media de humita", &c, Lang::Es),
            [("EMP-CARNE".into(), 12), ("EMP-HUMITA".into(), 6)]
        );
        assert_eq!(run("quiero sushi", &c, Lang::Es), []);
    }

    #[test]
    fn swahili() {
        let c = cat(&[
            ("UNGA-2KG", "Unga 2kg", &["unga", "maize flour"]),
            ("SUGAR-1KG", "Sugar 1kg", &["sukari"]),
        ]);
        assert_eq!(
            run("Nataka unga mbili na sukari moja", &c, Lang::En),
            [("UNGA-2KG".into(), 2), ("SUGAR-1KG".into(), 1)]
        );
        assert_eq!(
            run("2 unga 3 sugar", &c, Lang::En),
            [("UNGA-2KG".into(), 2), ("SUGAR-1KG".into(), 3)]
        );
        assert_eq!(run("unga 2kg x3", &c, Lang::En), [("UNGA-2KG".into(), 3)]);
    }
}
