//! `msp-conformance run --target` against a mock served on its own port: passes, prints the
//! per-family summary and writes JUnit XML that parses; without the admin API the families
//! that need it are skipped with a notice; unreachable targets fail.

use std::process::Command;

use msp_mock_server::{MockServer, RateLimits};

fn mock(rt: &tokio::runtime::Runtime) -> MockServer {
    rt.block_on(
        MockServer::builder()
            .rate_limits(RateLimits {
                per_client: 1_000_000,
                per_workspace: 1_000_000,
                tenant_create: 1_000_000,
                ..RateLimits::default()
            })
            .start(),
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn run_against_a_mock_passes_and_writes_junit() {
    let rt = runtime();
    let mock = mock(&rt);
    let dir = std::env::temp_dir().join(format!("msp-conformance-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junit = dir.join("report.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_msp-conformance"))
        .args([
            "run",
            "--target",
            mock.uri(),
            "--cases",
            "16",
            "--seed",
            "3",
        ])
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    for family in [
        "glp.crud",
        "glp.tokens",
        "glp.rate_limits",
        "glp.malformed",
        "nsa.crud",
        "ruckus.crud",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(family) && l.contains("pass")),
            "{family} missing from the summary:\n{stdout}"
        );
    }
    assert!(stdout.contains("spec.body"), "{stdout}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let report = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!(report.tests, 6, "{xml}");
    assert_eq!(report.failures, 0, "{xml}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn without_admin_the_admin_families_are_skipped() {
    let rt = runtime();
    let mock = mock(&rt);
    let creds = mock.credentials();
    let dir = std::env::temp_dir().join(format!("msp-conformance-noadmin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("creds.json");
    std::fs::write(&file, serde_json::to_string(&creds).unwrap()).unwrap();
    let junit = dir.join("report.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_msp-conformance"))
        .args(["run", "--target", mock.uri(), "--no-admin", "--cases", "8"])
        .arg("--credentials")
        .arg(&file)
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("glp.tokens") && l.contains("skipped")),
        "{stdout}"
    );
    assert!(
        stdout.contains("notice: needs the msp-mock admin API"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("glp.crud") && l.contains("pass")),
        "{stdout}"
    );
    // nsa.crud runs without the admin API too (its clock advances are skipped).
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("nsa.crud") && l.contains("pass")),
        "{stdout}"
    );
    // ruckus.crud too (its clock advances and bursts are skipped; it polls its activities).
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("ruckus.crud") && l.contains("pass")),
        "{stdout}"
    );
    let report =
        quick_junit::Report::deserialize_from_str(&std::fs::read_to_string(&junit).unwrap())
            .unwrap();
    assert_eq!(report.tests, 6);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_unreachable_target_exits_non_zero() {
    let out = Command::new(env!("CARGO_BIN_EXE_msp-conformance"))
        .args(["run", "--target", "http://127.0.0.1:9", "--cases", "2"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
