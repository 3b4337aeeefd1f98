//! Conversion of tenant and workspace request bodies into [`TenantInput`], shared by the
//! camelCase vendor view and the snake_case document view. The field constraints (required
//! name, ISO country list, maximum lengths, e-mail format, ownership values) are the specs' and
//! are checked by the extractor before these run; errors name the field.

use serde_json::{Map, Value};

use crate::state::{Address, InventoryOwnership, TenantInput};

/// A body field that cannot be converted.
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

fn err(field: impl Into<String>, issue: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        issue: issue.into(),
    }
}

/// The string member `key` of `obj`, when present.
fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Converts a tenant (or workspace) body into a [`TenantInput`]. `with_ownership` is false for
/// workspace updates, whose schema has no inventory ownership.
///
/// The extractor has already checked the body against the operation's schema (every field
/// constraint lives in the spec); this only converts, and answers a [`FieldError`] for a body
/// that cannot be converted (required name or country code missing, unknown ownership). No
/// cross-field rule applies to these bodies.
pub fn tenant_input(
    body: &Value,
    n: &Names,
    with_ownership: bool,
) -> Result<TenantInput, FieldError> {
    let Some(obj) = body.as_object() else {
        return Err(err("body", "must be a JSON object"));
    };
    let name = text(obj, n.name).ok_or_else(|| err(n.name, "is required"))?;
    let inventory_ownership = match obj.get(n.ownership).and_then(Value::as_str) {
        Some(s) if with_ownership => Some(InventoryOwnership::parse(s).ok_or_else(|| {
            err(
                n.ownership,
                format!("must be MSP_OWNED_INVENTORY or CUSTOMER_OWNED_INVENTORY, got {s:?}"),
            )
        })?),
        _ => None,
    };
    let address = match obj.get(n.address).and_then(Value::as_object) {
        None => None,
        Some(a) => Some(Address {
            country_code: text(a, n.country)
                .ok_or_else(|| err(format!("{}.{}", n.address, n.country), "is required"))?,
            street_address: text(a, n.street),
            street_address_complement: text(a, n.complement),
            city: text(a, n.city),
            state_or_region: text(a, n.state),
            zip: text(a, n.zip),
        }),
    };
    Ok(TenantInput {
        name,
        description: text(obj, n.description),
        email: text(obj, n.email),
        phone_number: text(obj, n.phone),
        inventory_ownership,
        address,
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

    // What each invalid body is refused for is asserted against the specs' schemas in
    // `validation.rs` (`vendor_violations_name_the_field`, `document_violations_name_the_field`).

    #[test]
    fn unconvertible_bodies_name_the_field() {
        let f = |v: Value| tenant_input(&v, &CAMEL, true).unwrap_err().field;
        assert_eq!(f(json!({})), "workspaceName");
        assert_eq!(f(json!({"workspaceName": 5})), "workspaceName");
        assert_eq!(
            f(json!({"workspaceName": "a", "inventoryOwnership": "X"})),
            "inventoryOwnership"
        );
        assert_eq!(
            f(json!({"workspaceName": "a", "address": {}})),
            "address.countryCode"
        );
        let t = tenant_input(
            &json!({"workspace_name": "a", "inventory_ownership": "CUSTOMER_OWNED_INVENTORY",
                    "address": {"country_code": "FR", "zip": "75001"}}),
            &SNAKE,
            false,
        )
        .unwrap();
        assert_eq!(t.inventory_ownership, None);
        assert_eq!(t.address.unwrap().zip.as_deref(), Some("75001"));
    }
}
