//! Validation of tenant and workspace request bodies against the specs' constraints, shared by
//! the camelCase vendor view and the snake_case document view. Errors name the field.

use serde_json::{Map, Value};

use crate::state::{Address, InventoryOwnership, TenantInput};

/// A body field that breaks its constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted field path in the view's naming, e.g. `address.city`.
    pub field: String,
    /// What is wrong.
    pub issue: String,
}

/// Field names of one view.
#[derive(Debug)]
pub struct Names {
    name: &'static str,
    description: &'static str,
    email: &'static str,
    phone: &'static str,
    ownership: &'static str,
    address: &'static str,
    country: &'static str,
    street: &'static str,
    complement: &'static str,
    city: &'static str,
    state: &'static str,
    zip: &'static str,
}

/// The vendor (`/workspaces/v1`) names.
pub const CAMEL: Names = Names {
    name: "workspaceName",
    description: "description",
    email: "email",
    phone: "phoneNumber",
    ownership: "inventoryOwnership",
    address: "address",
    country: "countryCode",
    street: "streetAddress",
    complement: "streetAddressComplement",
    city: "city",
    state: "stateOrRegion",
    zip: "zip",
};

/// The document (`/workspace-management/v1`) names.
pub const SNAKE: Names = Names {
    name: "workspace_name",
    description: "description",
    email: "email",
    phone: "phone_number",
    ownership: "inventory_ownership",
    address: "address",
    country: "country_code",
    street: "street_address",
    complement: "street_address_complement",
    city: "city",
    state: "state_or_region",
    zip: "zip",
};

/// Countries under export restrictions (vendor view answers 451 for them).
pub const RESTRICTED_COUNTRIES: &[&str] = &["CU", "IR", "KP", "SY"];

/// The vendor's closed list of ISO 3166-1 alpha-2 codes (`CountryCode` in glp-workspaces.yaml).
pub const COUNTRY_CODES: &[&str] = &[
    "AW", "AF", "AO", "AI", "AX", "AL", "AD", "AE", "AR", "AM", "AS", "AQ", "TF", "AG", "AU", "AT",
    "AZ", "BI", "BE", "BJ", "BQ", "BF", "BD", "BG", "BH", "BS", "BA", "BL", "BY", "BZ", "BM", "BO",
    "BR", "BB", "BN", "BT", "BV", "BW", "CF", "CA", "CC", "CH", "CL", "CN", "CI", "CM", "CD", "CG",
    "CK", "CO", "KM", "CV", "CR", "CU", "CW", "CX", "KY", "CY", "CZ", "DE", "DJ", "DM", "DK", "DO",
    "DZ", "EC", "EG", "ER", "EH", "ES", "EE", "ET", "FI", "FJ", "FK", "FR", "FO", "FM", "GA", "GB",
    "GE", "GG", "GH", "GI", "GN", "GP", "GM", "GW", "GQ", "GR", "GD", "GL", "GT", "GF", "GU", "GY",
    "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IM", "IN", "IO", "IE", "IR", "IQ", "IS", "IL", "IT",
    "JM", "JE", "JO", "JP", "KZ", "KE", "KG", "KH", "KI", "KN", "KR", "KW", "LA", "LB", "LR", "LY",
    "LC", "LI", "LK", "LS", "LT", "LU", "LV", "MO", "MF", "MA", "MC", "MD", "MG", "MV", "MX", "MH",
    "MK", "ML", "MT", "MM", "ME", "MN", "MP", "MZ", "MR", "MS", "MQ", "MU", "MW", "MY", "YT", "NA",
    "NC", "NE", "NF", "NG", "NI", "NU", "NL", "NO", "NP", "NR", "NZ", "OM", "PK", "PA", "PN", "PE",
    "PH", "PW", "PG", "PL", "PR", "KP", "PT", "PY", "PS", "PF", "QA", "RE", "RO", "RU", "RW", "SA",
    "SD", "SN", "SG", "GS", "SH", "SJ", "SB", "SL", "SV", "SM", "SO", "PM", "RS", "SS", "ST", "SR",
    "SK", "SI", "SE", "SZ", "SX", "SC", "SY", "TC", "TD", "TG", "TH", "TJ", "TK", "TM", "TL", "TO",
    "TT", "TN", "TR", "TV", "TW", "TZ", "UG", "UA", "UM", "UY", "US", "UZ", "VA", "VC", "VE", "VG",
    "VI", "VN", "VU", "WF", "WS", "YE", "ZA", "ZM", "ZW",
];

fn err(field: impl Into<String>, issue: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        issue: issue.into(),
    }
}

fn opt_string(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    max: Option<usize>,
) -> Result<Option<String>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            if let Some(max) = max {
                let n = s.chars().count();
                if n > max {
                    return Err(err(path, format!("at most {max} characters, got {n}")));
                }
            }
            Ok(Some(s.clone()))
        }
        Some(other) => Err(err(path, format!("must be a string, got {}", kind(other)))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
        && s.len() <= 254
}

/// Validates a tenant (or workspace) body. `with_ownership` is false for workspace updates,
/// whose schema has no inventory ownership.
pub fn tenant_input(
    body: &Value,
    n: &Names,
    with_ownership: bool,
) -> Result<TenantInput, FieldError> {
    let Some(obj) = body.as_object() else {
        return Err(err("body", "must be a JSON object"));
    };
    let name = match obj.get(n.name) {
        None | Some(Value::Null) => return Err(err(n.name, "is required")),
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err(err(n.name, "must not be empty or only whitespace"));
        }
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(err(
                n.name,
                format!("must be a string, got {}", kind(other)),
            ));
        }
    };
    let description = opt_string(obj, n.description, n.description, None)?;
    let email = opt_string(obj, n.email, n.email, None)?;
    if let Some(e) = &email
        && !is_email(e)
    {
        return Err(err(n.email, format!("{e:?} is not an email address")));
    }
    let phone_number = opt_string(obj, n.phone, n.phone, None)?;
    let inventory_ownership = if with_ownership {
        match opt_string(obj, n.ownership, n.ownership, None)? {
            None => None,
            Some(s) => Some(InventoryOwnership::parse(&s).ok_or_else(|| {
                err(
                    n.ownership,
                    format!("must be MSP_OWNED_INVENTORY or CUSTOMER_OWNED_INVENTORY, got {s:?}"),
                )
            })?),
        }
    } else {
        None
    };
    let address = match obj.get(n.address) {
        None | Some(Value::Null) => None,
        Some(Value::Object(a)) => Some(address(a, n)?),
        Some(other) => {
            return Err(err(
                n.address,
                format!("must be an object, got {}", kind(other)),
            ));
        }
    };
    Ok(TenantInput {
        name,
        description,
        email,
        phone_number,
        inventory_ownership,
        address,
    })
}

fn address(a: &Map<String, Value>, n: &Names) -> Result<Address, FieldError> {
    let p = |f: &str| format!("{}.{f}", n.address);
    let country_code = opt_string(a, n.country, &p(n.country), None)?
        .ok_or_else(|| err(p(n.country), "is required"))?;
    if !COUNTRY_CODES.contains(&country_code.as_str()) {
        return Err(err(
            p(n.country),
            format!("{country_code:?} is not an ISO 3166-1 alpha-2 country code"),
        ));
    }
    Ok(Address {
        country_code,
        street_address: opt_string(a, n.street, &p(n.street), None)?,
        street_address_complement: opt_string(a, n.complement, &p(n.complement), Some(60))?,
        city: opt_string(a, n.city, &p(n.city), Some(40))?,
        state_or_region: opt_string(a, n.state, &p(n.state), Some(220))?,
        zip: opt_string(a, n.zip, &p(n.zip), Some(10))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn valid_body_parses() {
        let t = tenant_input(
            &json!({"workspaceName": "A", "email": "a@b.co", "inventoryOwnership": "CUSTOMER_OWNED_INVENTORY",
                    "address": {"countryCode": "US", "city": "X"}}),
            &CAMEL,
            true,
        )
        .unwrap();
        assert_eq!(t.name, "A");
        assert_eq!(
            t.inventory_ownership,
            Some(InventoryOwnership::CustomerOwnedInventory)
        );
        assert_eq!(t.address.unwrap().country_code, "US");
    }

    #[test]
    fn violations_name_the_field() {
        let f = |v: Value| tenant_input(&v, &CAMEL, true).unwrap_err().field;
        assert_eq!(f(json!({})), "workspaceName");
        assert_eq!(f(json!({"workspaceName": "  "})), "workspaceName");
        assert_eq!(f(json!({"workspaceName": 5})), "workspaceName");
        assert_eq!(f(json!({"workspaceName": "a", "email": "nope"})), "email");
        assert_eq!(
            f(json!({"workspaceName": "a", "inventoryOwnership": "X"})),
            "inventoryOwnership"
        );
        assert_eq!(
            f(json!({"workspaceName": "a", "address": {}})),
            "address.countryCode"
        );
        assert_eq!(
            f(json!({"workspaceName": "a", "address": {"countryCode": "XX"}})),
            "address.countryCode"
        );
        assert_eq!(
            f(
                json!({"workspaceName": "a", "address": {"countryCode": "US", "city": "c".repeat(41)}})
            ),
            "address.city"
        );
        assert_eq!(
            tenant_input(&json!({"workspace_name": "a", "address": {"country_code": "US", "zip": "12345678901"}}), &SNAKE, true)
                .unwrap_err()
                .field,
            "address.zip"
        );
    }
}
