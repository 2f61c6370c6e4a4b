//! The conversation's words: every text the chat bot sends (message bodies,
//! button and list titles) lives here, once per language, under a stable key.
//! Logic picks a key and its arguments; it never writes a sentence.
//!
//! Templates name their arguments in braces (`{business}`); a tenant may
//! override any template per language (`business_settings.texts`), using the
//! same arguments. English (`en`) and Rioplatense Spanish (`es`) carry every
//! key; Swahili (`sw`) carries the greetings, and falls back to English.

use std::collections::BTreeMap;

/// A tenant's wording: language → key name → template.
pub type Overrides = BTreeMap<String, BTreeMap<String, String>>;

/// The longest override a tenant may store (WhatsApp bodies are ≤ 4096).
pub const MAX_OVERRIDE_LEN: usize = 1024;

macro_rules! catalog {
    ($( $key:ident = $name:literal { en: $en:literal, es: $es:literal $(, sw: $sw:literal)? $(,)? } ),* $(,)?) => {
        /// One text of the catalog.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key { $($key),* }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key),*];

            /// The stable name, used in overrides.
            pub fn name(self) -> &'static str {
                match self { $(Key::$key => $name),* }
            }

            pub fn from_name(name: &str) -> Option<Key> {
                match name { $($name => Some(Key::$key),)* _ => None }
            }

            /// The built-in template in `lang`, if that language has one.
            pub fn builtin(self, lang: &str) -> Option<&'static str> {
                match (self, lang) {
                    $(
                        (Key::$key, "en") => Some($en),
                        (Key::$key, "es") => Some($es),
                        $((Key::$key, "sw") => Some($sw),)?
                    )*
                    _ => None,
                }
            }
        }
    };
}

include!("text_catalog.rs");

impl Key {
    /// The template used for `lang`: the language's own, else English.
    pub fn template(self, lang: &str) -> &'static str {
        self.builtin(lang)
            .or_else(|| self.builtin("en"))
            .unwrap_or_default()
    }
}

/// The language of a locale that the catalog speaks (`es-AR` → `es`).
pub fn language_of(locale: &str) -> &'static str {
    match locale.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("es") => "es",
        Some("sw") => "sw",
        _ => "en",
    }
}

/// Renders `key` in `lang`, with the tenant's override if it has one.
/// Unknown `{names}` are left as they are; arguments are not re-expanded.
pub fn render(lang: &str, key: Key, args: &[(&str, &str)], overrides: &Overrides) -> String {
    let template = overrides
        .get(lang)
        .and_then(|m| m.get(key.name()))
        .map(String::as_str)
        .unwrap_or_else(|| key.template(lang));
    fill(template, args)
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{names}` a template uses.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            names.push(name);
        }
        rest = &after[close + 1..];
    }
    names
}

/// Checks a tenant's override of `key_name` in `lang`: a known key and
/// language, not empty, not too long, and only the arguments the built-in
/// template has. The error says what is wrong.
pub fn check_override(lang: &str, key_name: &str, text: &str) -> Result<(), String> {
    if !crate::tenant::LANGUAGES.contains(&lang) {
        return Err(format!(
            "unknown language {lang:?}; use one of {}",
            crate::tenant::LANGUAGES.join(", ")
        ));
    }
    let key = Key::from_name(key_name).ok_or_else(|| format!("unknown text {key_name:?}"))?;
    if text.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > MAX_OVERRIDE_LEN {
        return Err(format!("at most {MAX_OVERRIDE_LEN} characters"));
    }
    let allowed = placeholders(key.template("en"));
    if let Some(bad) = placeholders(text)
        .into_iter()
        .find(|p| !allowed.contains(p))
    {
        return Err(if allowed.is_empty() {
            format!("{{{bad}}} is not available here; this text takes no arguments")
        } else {
            format!(
                "{{{bad}}} is not available here; use {}",
                allowed
                    .iter()
                    .map(|a| format!("{{{a}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_speaks_english_and_spanish_with_the_same_arguments() {
        for key in Key::ALL {
            let en = key.builtin("en").unwrap_or_default();
            let es = key.builtin("es").unwrap_or_default();
            assert!(!en.trim().is_empty(), "{} has no English", key.name());
            assert!(!es.trim().is_empty(), "{} has no Spanish", key.name());
            let mut a = placeholders(en);
            let mut b = placeholders(es);
            a.sort_unstable();
            a.dedup();
            b.sort_unstable();
            b.dedup();
            assert_eq!(a, b, "{}: en and es take different arguments", key.name());
            if let Some(sw) = key.builtin("sw") {
                let mut c = placeholders(sw);
                c.sort_unstable();
                c.dedup();
                assert_eq!(a, c, "{}: sw takes different arguments", key.name());
            }
            assert_eq!(Key::from_name(key.name()), Some(*key));
        }
    }

    #[test]
    fn key_names_are_unique() {
        let mut names: Vec<_> = Key::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn render_fills_arguments_and_prefers_the_tenant_override() {
        let key = Key::ALL[0];
        let none = Overrides::new();
        let text = render("en", key, &[("business", "Funmi Styles")], &none);
        assert!(!text.contains("{business}"));
        let mut o = Overrides::new();
        o.entry("en".into())
            .or_default()
            .insert(key.name().into(), "Hi from {business}!".into());
        assert_eq!(
            render("en", key, &[("business", "Funmi")], &o),
            "Hi from Funmi!"
        );
        // Another language keeps the built-in text.
        assert_ne!(
            render("es", key, &[("business", "Funmi")], &o),
            "Hi from Funmi!"
        );
    }

    #[test]
    fn fill_leaves_unknown_and_unclosed_braces() {
        assert_eq!(fill("a {x} {y} {", &[("x", "1")]), "a 1 {y} {");
        assert_eq!(fill("{x}", &[("x", "{x}")]), "{x}");
    }

    #[test]
    fn swahili_falls_back_to_english() {
        let missing = Key::ALL.iter().find(|k| k.builtin("sw").is_none());
        if let Some(k) = missing {
            assert_eq!(k.template("sw"), k.template("en"));
        }
        assert_eq!(language_of("es-AR"), "es");
        assert_eq!(language_of("sw-KE"), "sw");
        assert_eq!(language_of("en-NG"), "en");
        assert_eq!(language_of(""), "en");
    }

    #[test]
    fn overrides_are_checked() {
        let key = Key::ALL[0];
        assert!(check_override("en", key.name(), "Welcome to {business}").is_ok());
        assert!(check_override("fr", key.name(), "Bonjour").is_err());
        assert!(check_override("en", "no_such_text", "x").is_err());
        assert!(check_override("en", key.name(), "  ").is_err());
        let err = check_override("en", key.name(), "Hi {password}").unwrap_err();
        assert!(err.contains("{password}"), "{err}");
        assert!(check_override("en", key.name(), &"x".repeat(MAX_OVERRIDE_LEN + 1)).is_err());
    }
}
