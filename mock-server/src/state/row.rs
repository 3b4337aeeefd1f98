//! What a workspace (an MSP, or a tenant) shows to the OData filters of the workspace lists;
//! each list's owner declares its own wire names for these keys.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::Tenant;
use crate::odata::{self, Prop};

/// A filterable workspace property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkspaceKey {
    /// Workspace id.
    Id,
    /// Creation time.
    CreatedAt,
    /// Update time.
    UpdatedAt,
    /// Workspace name.
    WorkspaceName,
    /// Creator e-mail.
    CreatedBy,
    /// Inventory ownership (tenants only).
    InventoryOwnership,
    /// Workspace type (`MSP`, `MSP_TENANT`).
    WorkspaceType,
}

/// A filter over workspace rows.
pub type Filter = odata::Filter<WorkspaceKey>;

/// The filterable view of one workspace, for lists that hold MSPs as well as tenants (a
/// [`Tenant`] is a row by itself).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceRow<'a> {
    /// Workspace id.
    pub id: Uuid,
    /// Workspace name.
    pub name: &'a str,
    /// `MSP` or `MSP_TENANT`.
    pub workspace_type: &'static str,
    /// Creation time.
    pub created_at: Option<DateTime<Utc>>,
    /// Update time.
    pub updated_at: Option<DateTime<Utc>>,
    /// Creator.
    pub created_by: Option<&'a str>,
    /// Inventory ownership (tenants only).
    pub inventory_ownership: Option<&'static str>,
}

impl<'a> WorkspaceRow<'a> {
    /// The row of a tenant.
    pub fn of_tenant(t: &'a Tenant) -> Self {
        WorkspaceRow {
            id: t.id,
            name: &t.name,
            workspace_type: "MSP_TENANT",
            created_at: t.created_at,
            updated_at: t.updated_at,
            created_by: t.created_by.as_deref(),
            inventory_ownership: Some(t.inventory_ownership.as_str()),
        }
    }
}

impl odata::Row<WorkspaceKey> for WorkspaceRow<'_> {
    fn prop(&self, key: WorkspaceKey) -> Prop<'_> {
        match key {
            WorkspaceKey::Id => Prop::Uuid(self.id),
            WorkspaceKey::CreatedAt => Prop::time(self.created_at),
            WorkspaceKey::UpdatedAt => Prop::time(self.updated_at),
            WorkspaceKey::WorkspaceName => Prop::Str(self.name),
            WorkspaceKey::CreatedBy => Prop::opt_str(self.created_by),
            WorkspaceKey::InventoryOwnership => Prop::opt_str(self.inventory_ownership),
            WorkspaceKey::WorkspaceType => Prop::Str(self.workspace_type),
        }
    }
}

impl odata::Row<WorkspaceKey> for Tenant {
    fn prop(&self, key: WorkspaceKey) -> Prop<'_> {
        match key {
            WorkspaceKey::Id => Prop::Uuid(self.id),
            WorkspaceKey::CreatedAt => Prop::time(self.created_at),
            WorkspaceKey::UpdatedAt => Prop::time(self.updated_at),
            WorkspaceKey::WorkspaceName => Prop::Str(&self.name),
            WorkspaceKey::CreatedBy => Prop::opt_str(self.created_by.as_deref()),
            WorkspaceKey::InventoryOwnership => Prop::Str(self.inventory_ownership.as_str()),
            WorkspaceKey::WorkspaceType => Prop::Str("MSP_TENANT"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glp::management::{SNAKE_FIELDS, SNAKE_WORKSPACE_FIELDS};
    use crate::glp::workspaces::CAMEL_FIELDS;
    use crate::odata::{Row, parse};
    use crate::state::model::InventoryOwnership;
    use chrono::TimeZone;

    fn tenant(name: &str, day: u32) -> Tenant {
        let at = Utc.with_ymd_and_hms(2026, 1, day, 0, 0, 0).unwrap();
        Tenant {
            id: uuid::Uuid::new_v4(),
            name: name.to_owned(),
            description: None,
            email: None,
            phone_number: None,
            inventory_ownership: InventoryOwnership::MspOwnedInventory,
            address: None,
            created_at: Some(at),
            updated_at: Some(at),
            created_by: Some("ops@msp.example.com".into()),
            generation: 0,
            devices: Default::default(),
            version: 0,
        }
    }

    fn p(s: &str) -> Filter {
        parse(s, &CAMEL_FIELDS).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn a_tenant_and_its_row_agree() {
        let mut t = tenant("Bravo", 10);
        for created_by in [Some("ops@msp.example.com".to_owned()), None] {
            t.created_by = created_by;
            let row = WorkspaceRow::of_tenant(&t);
            for key in [
                WorkspaceKey::Id,
                WorkspaceKey::CreatedAt,
                WorkspaceKey::UpdatedAt,
                WorkspaceKey::WorkspaceName,
                WorkspaceKey::CreatedBy,
                WorkspaceKey::InventoryOwnership,
                WorkspaceKey::WorkspaceType,
            ] {
                assert_eq!(t.prop(key), row.prop(key), "{key:?}");
            }
        }
    }

    #[test]
    fn every_operator_compares() {
        let t = tenant("Bravo", 10);
        assert!(p("workspaceName eq 'Bravo'").matches(&t));
        assert!(!p("workspaceName ne 'Bravo'").matches(&t));
        assert!(p("workspaceName gt 'Alpha'").matches(&t));
        assert!(p("workspaceName ge 'Bravo'").matches(&t));
        assert!(p("workspaceName lt 'Charlie'").matches(&t));
        assert!(p("workspaceName le 'Bravo'").matches(&t));
        assert!(!p("workspaceName lt 'Bravo'").matches(&t));
        assert!(p("createdAt gt 2026-01-09T00:00:00Z").matches(&t));
        assert!(!p("createdAt gt '2026-01-10T00:00:00Z'").matches(&t));
        assert!(p("inventoryOwnership eq 'MSP_OWNED_INVENTORY'").matches(&t));
    }

    #[test]
    fn and_binds_tighter_than_or_and_parentheses_override() {
        let t = tenant("Bravo", 10);
        // false and false or true  => (false and false) or true => true
        let f = p("workspaceName eq 'x' and workspaceName eq 'y' or workspaceName eq 'Bravo'");
        assert!(f.matches(&t));
        // false and (false or true) => false
        let f = p("workspaceName eq 'x' and (workspaceName eq 'y' or workspaceName eq 'Bravo')");
        assert!(!f.matches(&t));
    }

    #[test]
    fn doubled_quote_escapes() {
        let t = tenant("O'Brien Ltd", 1);
        assert!(p("workspaceName eq 'O''Brien Ltd'").matches(&t));
    }

    #[test]
    fn id_matches_with_or_without_dashes() {
        let t = tenant("A", 1);
        let simple = t.id.simple().to_string();
        assert!(p(&format!("id eq '{simple}'")).matches(&t));
        assert!(p(&format!("id eq {}", t.id)).matches(&t));
    }

    #[test]
    fn errors_name_the_problem() {
        let e = |s: &str| parse(s, &CAMEL_FIELDS).unwrap_err().to_string();
        assert!(e("colour eq 'red'").contains("unknown field 'colour'"));
        assert!(e("workspaceName like 'x'").contains("unknown operator 'like'"));
        assert!(e("workspaceName eq 'x").contains("unterminated"));
        assert!(e("(workspaceName eq 'x'").contains("expected ')'"));
        assert!(e("workspaceName eq 'x' 'y'").contains("unexpected text"));
        assert!(e("workspaceName eq x").contains("quoted string"));
        assert!(e("createdAt gt 'yesterday'").contains("date-time"));
        assert!(e("").contains("empty"));
        assert!(e("workspaceName eq").contains("expected a value"));
        assert!(parse("workspaceName eq 'a' and", &CAMEL_FIELDS).is_err());
        assert!(e("workspaceName ; drop").contains("unexpected character"));
        assert!(e("id eq 'x'").contains("uuid"));
    }

    #[test]
    fn hostile_input_is_bounded() {
        let deep = format!("{}workspaceName eq 'a'{}", "(".repeat(100), ")".repeat(100));
        assert!(e_of(&deep).contains("nested deeper"));
        let long = "a".repeat(2049);
        assert!(e_of(&long).contains("longer than 2048"));
    }

    fn e_of(s: &str) -> String {
        parse(s, &CAMEL_FIELDS).unwrap_err().to_string()
    }

    #[test]
    fn snake_view_uses_snake_names() {
        let t = tenant("Bravo", 10);
        assert!(
            parse("workspace_name eq 'Bravo'", &SNAKE_FIELDS)
                .unwrap()
                .matches(&t)
        );
        assert!(parse("workspaceName eq 'Bravo'", &SNAKE_FIELDS).is_err());
        assert!(parse("workspace_type eq 'MSP'", &SNAKE_FIELDS).is_err());
        let msp = WorkspaceRow {
            id: uuid::Uuid::new_v4(),
            name: "Alpha MSP",
            workspace_type: "MSP",
            created_at: None,
            updated_at: None,
            created_by: Some("admin@alpha.example.com"),
            inventory_ownership: None,
        };
        let f = parse("workspace_type eq 'MSP'", &SNAKE_WORKSPACE_FIELDS).unwrap();
        assert!(f.matches(&msp));
        assert!(!f.matches(&t));
        assert!(parse("inventory_ownership eq 'x'", &SNAKE_WORKSPACE_FIELDS).is_err());
    }

    #[test]
    fn null_checks_presence() {
        let mut t = tenant("A", 1);
        assert!(p("createdBy ne null").matches(&t));
        t.created_by = None;
        assert!(p("createdBy eq null").matches(&t));
    }
}
