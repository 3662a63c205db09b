//! The rules for names authors write, stated once: the JSON Schema's patterns and the loader's
//! checks both come from here, so an editor and `lint` never disagree about a name.

/// Names of states, signals, metrics, parameters, roles and actions: what conditions can refer
/// to. A lowercase letter, then lowercase letters, digits and `_`.
pub(crate) const PATTERN: &str = "^[a-z][a-z0-9_]*$";

/// A playbook's id, which also names its files: lowercase letters, digits, `_` and `-`, not
/// starting with a separator.
pub(crate) const PLAYBOOK_ID_PATTERN: &str = "^[a-z0-9][a-z0-9_-]*$";

/// Whether `name` follows [`PATTERN`].
pub(crate) fn is_valid(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `id` follows [`PLAYBOOK_ID_PATTERN`].
pub(crate) fn is_playbook_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_pattern_as_written() {
        for good in ["a", "watch", "storm_2", "x_"] {
            assert!(is_valid(good), "{good}");
        }
        for bad in ["", "Watch", "2storm", "_x", "a-b", "é"] {
            assert!(!is_valid(bad), "{bad}");
        }
        for good in ["demo", "2026-recall", "a_b-c"] {
            assert!(is_playbook_id(good), "{good}");
        }
        for bad in ["", "-demo", "_demo", "Demo", "a b"] {
            assert!(!is_playbook_id(bad), "{bad}");
        }
        // The patterns say the same as the functions, in the schema's words.
        assert_eq!(PATTERN, "^[a-z][a-z0-9_]*$");
        assert_eq!(PLAYBOOK_ID_PATTERN, "^[a-z0-9][a-z0-9_-]*$");
    }
}
