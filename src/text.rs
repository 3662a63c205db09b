//! Texts in several languages.

use std::collections::BTreeMap;

use serde::Serialize;

/// A text per locale, such as an action's instruction in English and French.
///
/// ```
/// use crisis_playbook::Playbook;
///
/// let playbook = Playbook::from_yaml_str(include_str!("../playbooks/negative-comment-storm.yaml"))?;
/// let title = playbook.title();
/// assert_eq!(title.get("fr", playbook.locale()), "Tempête de commentaires négatifs");
/// // A locale without a translation falls back to the playbook's default locale.
/// assert_eq!(title.get("de", playbook.locale()), "Negative comment storm");
/// # Ok::<(), crisis_playbook::LoadError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct LocalizedText {
    texts: BTreeMap<String, String>,
}

impl LocalizedText {
    pub(crate) fn new(texts: BTreeMap<String, String>) -> Self {
        LocalizedText { texts }
    }

    /// The text in `locale`, else in `fallback`, else in any locale, else the empty string.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let title = playbook.title();
    /// assert_eq!(title.get("de", "en"), "Negative comment storm");
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn get(&self, locale: &str, fallback: &str) -> &str {
        self.texts
            .get(locale)
            .or_else(|| self.texts.get(fallback))
            .or_else(|| self.texts.values().next())
            .map_or("", String::as_str)
    }

    /// The locales this text has, in alphabetical order.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let title = playbook.title();
    /// assert_eq!(title.locales().collect::<Vec<_>>(), ["en", "fr"]);
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn locales(&self) -> impl Iterator<Item = &str> {
        self.texts.keys().map(String::as_str)
    }

    /// The text in exactly `locale`, if there is one.
    ///
    /// ```
    /// # use crisis_playbook::Playbook;
    /// # let playbook = Playbook::from_path("playbooks/negative-comment-storm.yaml")?;
    /// let title = playbook.title();
    /// assert_eq!(title.exact("de"), None);
    /// assert!(title.exact("fr").is_some());
    /// # Ok::<(), crisis_playbook::LoadError>(())
    /// ```
    pub fn exact(&self, locale: &str) -> Option<&str> {
        self.texts.get(locale).map(String::as_str)
    }
}
