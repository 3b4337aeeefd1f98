//! The `sort` parameter, in the two syntaxes the specs use: OData `$orderby` style
//! (`key [asc|desc], ...`, the GreenLake platform lists) and `field:asc|desc` (the
//! `/workspace-management/v1` lists). Both are checked against the list's sortable names.

/// Why a `sort` was refused; the message names the key or direction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SortError {
    /// Nothing between two commas (or an empty parameter).
    #[error("sort has an empty key")]
    EmptyKey,
    /// A name the list does not sort by.
    #[error("sort: unsupported property {name:?}; sortable: {known}")]
    UnknownKey {
        /// The name written.
        name: String,
        /// The sortable names, comma-separated.
        known: String,
    },
    /// A direction other than `asc` or `desc`.
    #[error("sort: direction must be asc or desc, got {got:?}")]
    BadDirection {
        /// The word written.
        got: String,
    },
    /// More than a key and a direction.
    #[error("sort: cannot parse {part:?}")]
    Unparsable {
        /// The offending key.
        part: String,
    },
    /// Not `field:asc` or `field:desc` with a sortable field.
    #[error("{raw:?} is not field:asc|desc with field one of {known}")]
    NotFieldDirection {
        /// The parameter.
        raw: String,
        /// The sortable names, comma-separated.
        known: String,
    },
}

/// A parsed sort key: the sortable name, and whether it sorts descending.
pub type Key = (&'static str, bool);

/// Parses `key [asc|desc]` keys separated by commas (asc by default), each one of `keys`.
pub fn parse_keys(raw: &str, keys: &[&'static str]) -> Result<Vec<Key>, SortError> {
    let mut out = Vec::new();
    for part in raw.split(',') {
        let mut words = part.split_whitespace();
        let Some(name) = words.next() else {
            return Err(SortError::EmptyKey);
        };
        let key = keys
            .iter()
            .find(|k| **k == name)
            .ok_or_else(|| SortError::UnknownKey {
                name: name.to_owned(),
                known: keys.join(", "),
            })?;
        let desc = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(SortError::BadDirection {
                    got: other.to_owned(),
                });
            }
        };
        if words.next().is_some() {
            return Err(SortError::Unparsable {
                part: part.to_owned(),
            });
        }
        out.push((*key, desc));
    }
    Ok(out)
}

/// Parses one `field:asc` or `field:desc`, the field one of `keys`.
pub fn parse_field_direction(raw: &str, keys: &[&'static str]) -> Result<Key, SortError> {
    let bad = || SortError::NotFieldDirection {
        raw: raw.to_owned(),
        known: keys.join(", "),
    };
    let (field, dir) = raw.split_once(':').ok_or_else(bad)?;
    let key = keys.iter().find(|k| **k == field).ok_or_else(bad)?;
    match dir {
        "asc" => Ok((key, false)),
        "desc" => Ok((key, true)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &["serialNumber", "model", "createdAt"];

    #[test]
    fn keys_default_to_ascending() {
        assert_eq!(
            parse_keys("createdAt desc,serialNumber", KEYS).unwrap(),
            [("createdAt", true), ("serialNumber", false)]
        );
        assert_eq!(parse_keys(" model asc ", KEYS).unwrap(), [("model", false)]);
    }

    #[test]
    fn key_errors_name_the_problem() {
        let e = |s: &str| parse_keys(s, KEYS).unwrap_err().to_string();
        assert_eq!(e("model,"), "sort has an empty key");
        assert_eq!(e(""), "sort has an empty key");
        assert_eq!(
            e("colour"),
            "sort: unsupported property \"colour\"; sortable: serialNumber, model, createdAt"
        );
        assert_eq!(
            e("model up"),
            "sort: direction must be asc or desc, got \"up\""
        );
        assert_eq!(e("model asc x"), "sort: cannot parse \"model asc x\"");
    }

    #[test]
    fn field_direction() {
        const F: &[&str] = &["name", "created_at"];
        assert_eq!(
            parse_field_direction("name:desc", F).unwrap(),
            ("name", true)
        );
        assert_eq!(
            parse_field_direction("created_at:asc", F).unwrap(),
            ("created_at", false)
        );
        for bad in ["name", "colour:asc", "name:up", "name:asc:x", ":asc"] {
            assert_eq!(
                parse_field_direction(bad, F).unwrap_err().to_string(),
                format!("{bad:?} is not field:asc|desc with field one of name, created_at")
            );
        }
    }
}
