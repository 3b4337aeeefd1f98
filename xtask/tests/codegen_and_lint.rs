//! The failure modes of `cargo xtask codegen --check` and `cargo xtask lint`, proved on the
//! project's real specs with one thing broken at a time.

use serde_json::{Value, json};
use xtask::{SpecText, codegen, lint, read_specs, workspace_root};

fn specs() -> Vec<SpecText> {
    read_specs(&workspace_root().join("openapi")).expect("openapi/ readable")
}

fn spec(name: &str) -> SpecText {
    specs()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no spec {name}"))
}

fn as_json(s: &SpecText) -> Value {
    serde_norway::from_str(&s.text).expect("yaml")
}

fn with_json(s: &SpecText, value: &Value) -> SpecText {
    SpecText {
        text: serde_json::to_string_pretty(value).expect("json"),
        ..s.clone()
    }
}

#[test]
fn every_spec_lints_clean() {
    for s in specs() {
        let findings = lint::lint_spec(&s);
        assert!(findings.is_empty(), "{}: {findings:#?}", s.display_path);
    }
}

#[test]
fn editing_one_field_makes_check_fail_with_a_diff_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let originals = specs();
    let expected = codegen::generate_all(&originals).unwrap();
    codegen::write(&expected, dir.path()).unwrap();
    assert!(codegen::check(&expected, dir.path()).unwrap().is_empty());

    // Rename one property of the tenant item schema.
    let mut edited = originals.clone();
    let ws = edited
        .iter_mut()
        .find(|s| s.name == "glp-workspaces")
        .unwrap();
    assert!(ws.text.contains("inventoryOwnership"));
    ws.text = ws.text.replace("inventoryOwnership", "inventoryKeeper");
    let after = codegen::generate_all(&edited).unwrap();
    let drifts = codegen::check(&after, dir.path()).unwrap();
    assert_eq!(
        drifts.len(),
        1,
        "only glp_workspaces.rs changes: {drifts:?}"
    );
    assert_eq!(drifts[0].file, "glp_workspaces.rs");
    assert!(drifts[0].diff.contains("+") && drifts[0].diff.contains("inventory_keeper"));
    assert!(drifts[0].diff.contains("-") && drifts[0].diff.contains("inventory_ownership"));
    assert!(
        drifts[0]
            .diff
            .starts_with("--- client/src/generated/glp_workspaces.rs")
    );
}

#[test]
fn a_stray_or_missing_generated_file_is_drift() {
    let dir = tempfile::tempdir().unwrap();
    let expected = codegen::generate_all(&specs()).unwrap();
    codegen::write(&expected, dir.path()).unwrap();
    std::fs::write(dir.path().join("old_api.rs"), "// stale\n").unwrap();
    std::fs::remove_file(dir.path().join("central.rs")).unwrap();
    let drifts = codegen::check(&expected, dir.path()).unwrap();
    let files: Vec<&str> = drifts.iter().map(|d| d.file.as_str()).collect();
    assert!(
        files.contains(&"old_api.rs") && files.contains(&"central.rs"),
        "{files:?}"
    );
}

#[test]
fn duplicate_operation_id_is_named() {
    let s = spec("glp-workspaces");
    let mut v = as_json(&s);
    let list_id = v["paths"]["/workspaces/v1/msp-tenants"]["get"]["operationId"].clone();
    v["paths"]["/workspaces/v1/msp-tenants"]["post"]["operationId"] = list_id.clone();
    let findings = lint::lint_spec(&with_json(&s, &v));
    let dup: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == "operation-id")
        .collect();
    assert_eq!(dup.len(), 1, "{findings:#?}");
    let msg = dup[0].to_string();
    assert!(msg.contains("openapi/glp-workspaces.yaml"), "{msg}");
    assert!(msg.contains("/workspaces/v1/msp-tenants"), "{msg}");
    assert!(msg.contains(list_id.as_str().unwrap()), "{msg}");
}

#[test]
fn missing_operation_id_is_named() {
    let s = spec("nsa-msp");
    let mut v = as_json(&s);
    let (path, method) = first_operation(&v);
    v["paths"][&path][&method]
        .as_object_mut()
        .unwrap()
        .remove("operationId");
    let findings = lint::lint_spec(&with_json(&s, &v));
    assert!(
        findings.iter().any(|f| f.rule == "operation-id"
            && f.location == format!("{} {path}", method.to_uppercase())
            && f.message.contains("no operationId")),
        "{findings:#?}"
    );
}

#[test]
fn bodiless_429_beside_json_400_is_named() {
    let s = spec("glp-workspaces");
    let mut v = as_json(&s);
    let responses = &mut v["paths"]["/workspaces/v1/msp-tenants"]["post"]["responses"];
    assert!(
        responses.get("400").is_some(),
        "POST msp-tenants documents 400"
    );
    responses["429"] = json!({"description": "Too many requests"});
    let findings = lint::lint_spec(&with_json(&s, &v));
    let at_post: Vec<String> = findings
        .iter()
        .filter(|f| f.location == "POST /workspaces/v1/msp-tenants")
        .map(|f| f.to_string())
        .collect();
    assert!(
        at_post
            .iter()
            .any(|m| m.contains("[one-error-type]") && m.contains("429 → bodiless")),
        "{at_post:#?}"
    );
    assert!(
        at_post
            .iter()
            .any(|m| m.contains("[error-schema]") && m.contains("response 429")),
        "{at_post:#?}"
    );
}

#[test]
fn json_200_beside_empty_204_is_named_unless_hand_written() {
    let s = spec("glp-workspaces");
    let mut v = as_json(&s);
    let ok = v["paths"]["/workspaces/v1/msp-tenants/{tenantId}"]["put"]["responses"]["200"].clone();
    let del = &mut v["paths"]["/workspaces/v1/msp-tenants/{tenantId}"]["delete"];
    del["responses"]["200"] = ok;
    let findings = lint::lint_spec(&with_json(&s, &v));
    assert!(
        findings.iter().any(|f| f.rule == "one-success-type"
            && f.location == "DELETE /workspaces/v1/msp-tenants/{tenantId}"),
        "{findings:#?}"
    );
    // The same shape marked hand-written is accepted by lint and dropped by codegen.
    v["paths"]["/workspaces/v1/msp-tenants/{tenantId}"]["delete"]["x-msp-codegen"] =
        json!({"mode": "hand-written", "reason": "test", "rust": "x::y"});
    let marked = with_json(&s, &v);
    assert!(
        !lint::lint_spec(&marked)
            .iter()
            .any(|f| f.rule == "one-success-type"),
        "hand-written operations are exempt"
    );
    let module = codegen::generate_module(&marked).unwrap();
    assert!(module.contains("Not generated (x-msp-codegen: hand-written): DELETE"));
}

#[test]
fn example_that_breaks_its_schema_is_named() {
    let s = spec("glp-workspaces");
    let mut v = as_json(&s);
    let schemas = v["components"]["schemas"].as_object_mut().unwrap();
    let (name, schema) = schemas
        .iter_mut()
        .find(|(_, sch)| sch.get("required").is_some() && sch.get("properties").is_some())
        .unwrap();
    let name = name.clone();
    schema["example"] = json!({"unexpected": true});
    let findings = lint::lint_spec(&with_json(&s, &v));
    assert!(
        findings.iter().any(|f| f.rule == "example"
            && f.location == format!("/components/schemas/{name}/example")
            && f.message.contains("required")),
        "{findings:#?}"
    );
}

#[test]
fn wrong_error_schema_on_an_error_status_is_named() {
    let s = spec("glp-sso");
    let mut v = as_json(&s);
    let (path, method) = first_operation(&v);
    v["paths"][&path][&method]["responses"]["418"] = json!({
        "description": "teapot",
        "content": {"application/json": {"schema": {"type": "object"}}}
    });
    let findings = lint::lint_spec(&with_json(&s, &v));
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "error-schema" && f.message.contains("response 418")),
        "{findings:#?}"
    );
}

#[test]
fn nsa_report_delete_is_hand_written_and_not_generated() {
    let s = spec("nsa-msp");
    let v = as_json(&s);
    let hand = codegen::hand_written_operations(&v);
    assert!(
        hand.iter().any(|(m, p, _, rust)| m == "delete"
            && p.contains("/api/msp/reports/usage")
            && rust.contains("delete_usage_reports")),
        "{hand:?}"
    );
    let module = codegen::generate_module(&s).unwrap();
    for (_, _, id, _) in &hand {
        assert!(
            !module.contains(&format!("pub fn {id}(")),
            "{id} must not be generated"
        );
    }
}

fn first_operation(v: &Value) -> (String, String) {
    for (path, item) in v["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "delete"] {
            if item.get(method).is_some() {
                return (path.clone(), method.to_string());
            }
        }
    }
    panic!("no operations");
}

#[test]
fn every_spec_has_validated_examples_for_its_operations() {
    for s in specs() {
        let v = as_json(&s);
        let places = lint::examples(&s);
        let ops = v["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().keys())
            .filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
            .count();
        // At least one checked example per operation on average (bodies, responses, params).
        assert!(
            places.len() >= ops,
            "{}: {} examples for {} operations",
            s.display_path,
            places.len(),
            ops
        );
        assert!(
            places.iter().any(|(p, _, _)| p.starts_with("/paths/")),
            "{}",
            s.display_path
        );
    }
}

#[test]
fn unlabelled_code_fence_in_a_description_is_named() {
    let s = spec("glp-workspaces");
    let mut v = as_json(&s);
    v["paths"]["/workspaces/v1/msp-tenants"]["get"]["description"] =
        json!("Grammar:\n\n```\nfilter = expr\n```\n");
    let findings = lint::lint_spec(&with_json(&s, &v));
    assert!(
        findings.iter().any(|f| f.rule == "doc-fence"
            && f.location == "/paths/~1workspaces~1v1~1msp-tenants/get/description"),
        "{findings:#?}"
    );
}

#[test]
fn secrets_get_a_redacting_debug_and_an_unredactable_secret_is_refused() {
    let sso = spec("glp-sso");
    let code = codegen::generate_module(&sso).unwrap();
    for name in [
        "TokenRequestClientSecret",
        "TokenRequestSubjectToken",
        "TokenResponseAccessToken",
    ] {
        assert!(
            code.contains(&format!("impl ::std::fmt::Debug for {name} {{")),
            "{name} has no redacting Debug"
        );
        let decl = code
            .find(&format!("pub struct {name}("))
            .unwrap_or_else(|| panic!("no newtype {name}"));
        let derive = &code[code[..decl].rfind("#[derive(").unwrap()..decl];
        assert!(!derive.contains("Debug"), "{name} still derives Debug");
    }
    // Without a constraint typify makes no newtype for the property: the secret would be a
    // plain String with a derived Debug, so codegen must refuse and say what to do.
    let mut v = as_json(&sso);
    let props = &mut v["components"]["schemas"]["TokenRequest"]["properties"];
    props["client_secret"] = json!({"type": "string", "format": "password"});
    // `{:#}` prints anyhow's whole chain: the spec, then the property.
    let err = format!(
        "{:#}",
        codegen::generate_module(&with_json(&sso, &v)).unwrap_err()
    );
    assert!(err.contains("TokenRequest.client_secret"), "{err}");
    assert!(err.contains("minLength"), "{err}");
}
