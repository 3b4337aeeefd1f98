//! HTTPS: the `msp-mock` binary with `--tls --ca-out` serves a certificate that verifies with
//! the written CA and fails verification without it; the library's `.tls(true)` does the same.
//! The binary's `--rate-limits` flag is documented in `--help` and switches the quotas off.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary on a random port and returns it with the URL it printed.
fn start_binary(ca_out: &std::path::Path) -> (Running, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_msp-mock"));
    cmd.args(["--listen", "127.0.0.1:0", "--tls", "--ca-out"])
        .arg(ca_out);
    start(cmd)
}

/// Starts `cmd` (the binary with its flags) and returns it with the URL it printed.
fn start(mut cmd: Command) -> (Running, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("msp-mock listening on ") {
                let _ = tx.send(url.trim().to_owned());
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("msp-mock printed its URL");
    (running, url)
}

#[tokio::test]
async fn binary_serves_https_trusted_through_the_written_ca() {
    let dir = std::env::temp_dir().join(format!("msp-mock-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_path = dir.join("ca.pem");
    let (_server, url) = start_binary(&ca_path);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let pem = std::fs::read(&ca_path).unwrap();
    assert!(String::from_utf8_lossy(&pem).contains("BEGIN CERTIFICATE"));

    let trusting = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .build()
        .unwrap();
    // The listener is bound before the URL is printed, so the first request connects.
    let r = trusting
        .get(format!("{url}/__admin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The token endpoint works over HTTPS, and the issuer is the https URL.
    let disc: serde_json::Value = trusting
        .get(format!("{url}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(disc["issuer"], url.as_str());

    // Without the CA the certificate does not verify.
    let plain = reqwest::Client::new();
    let e = plain
        .get(format!("{url}/__admin/health"))
        .send()
        .await
        .unwrap_err();
    assert!(
        format!("{e:?}").to_lowercase().contains("certificate"),
        "expected a certificate verification failure, got {e:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn library_builder_serves_https_and_exposes_the_ca() {
    let mock = msp_mock_server::MockServer::builder()
        .tls(true)
        .start()
        .await;
    assert!(mock.uri().starts_with("https://127.0.0.1:"));
    let pem = mock.ca_pem().expect("CA PEM");
    let c = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()])
        .build()
        .unwrap();
    let creds = mock.credentials();
    let msp = &creds.msps[0];
    let r = c
        .post(format!(
            "{}/authorization/v2/oauth2/{}/token",
            mock.uri(),
            msp.workspace_id
        ))
        .basic_auth(&msp.client_id, Some(&msp.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // nSA cookies carry `secure` over HTTPS.
    let r = c
        .get(format!("{}/login/msp", mock.uri()))
        .send()
        .await
        .unwrap();
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.contains("secure"), "{set}");
    // A client that does not trust the CA fails.
    assert!(reqwest::Client::new().get(mock.uri()).send().await.is_err());
    assert!(
        msp_mock_server::MockServer::start()
            .await
            .ca_pem()
            .is_none()
    );
}

#[test]
fn help_documents_the_rate_limit_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_msp-mock"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--rate-limits <MODE>"), "{help}");
    assert!(help.contains("'off' never answers 429"), "{help}");
    assert!(help.contains("[default: fixture]"), "{help}");
    // A bad mode is refused at start, naming the accepted ones.
    let out = Command::new(env!("CARGO_BIN_EXE_msp-mock"))
        .args(["--rate-limits", "fast"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fixture, off or xN"), "{err}");
}

/// A world whose only MSP may make two calls per window.
const TWO_CALLS: &str = r#"
settings:
  rate_limits:
    per_client: 2
msps:
  - workspace_id: 11111111-1111-4111-8111-111111111111
    name: Alpha MSP
    client_id: alpha-client
    client_secret: alpha-secret
"#;

/// Runs the binary on [`TWO_CALLS`] with `extra` flags and counts the 429s among 10 tenant
/// lists.
async fn limited_calls(extra: &[&str]) -> usize {
    let dir = std::env::temp_dir().join(format!(
        "msp-mock-limits-{}-{}",
        std::process::id(),
        extra.join("")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let world = dir.join("world.yaml");
    std::fs::write(&world, TWO_CALLS).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_msp-mock"));
    cmd.args(["--listen", "127.0.0.1:0", "--fixture"])
        .arg(&world)
        .args(extra);
    let (_server, url) = start(cmd);
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!(
            "{url}/authorization/v2/oauth2/11111111-1111-4111-8111-111111111111/token"
        ))
        .basic_auth("alpha-client", Some("alpha-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let mut limited = 0;
    for _ in 0..10 {
        let r = http
            .get(format!("{url}/workspaces/v1/msp-tenants"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if r.status() == 429 {
            limited += 1;
        } else {
            assert_eq!(r.status(), 200);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    limited
}

#[tokio::test]
async fn binary_rate_limits_off_lifts_the_fixture_quota() {
    // Ten calls against a quota of two within one window (seconds apart on a real clock).
    assert_eq!(limited_calls(&[]).await, 8);
    assert_eq!(limited_calls(&["--rate-limits", "off"]).await, 0);
    assert_eq!(limited_calls(&["--rate-limits", "x5"]).await, 0);
}
