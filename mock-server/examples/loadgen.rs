//! A bounded HTTP/1.1 load generator for `cargo xtask bench` (loopback only, stops by itself).
//!
//! Hand-written on hyper's connection API rather than shelling out to `wrk`/`oha`: it builds
//! with the workspace (no network installs), it can drive the stateful write scenario (create,
//! update, delete with ids taken from `Location` headers), and it refuses any target that is not
//! a loopback address. Each connection runs requests back to back (closed loop), so the figures
//! are throughput at a fixed concurrency, with per-request latency recorded after a warm-up.
//!
//! ```text
//! loadgen get    --url http://127.0.0.1:8080/path?q [--header 'K: V']... [--method POST --body JSON]
//!                [-c 16] [-d 5] [-w 1]
//! loadgen writes --base http://127.0.0.1:8080 --token JWT [-c 16] [-d 5] [-w 1]
//! loadgen token  --base http://127.0.0.1:8080 --workspace ID --client-id C --secret S
//! loadgen ruckus-token --base http://127.0.0.1:8080 --tenant ID --client-id C --secret S
//! ```
//! `get` and `writes` print one JSON object: requests, errors, statuses, rps, p50/p90/p99/max (µs).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use bytes::Bytes;
use clap::{Parser, Subcommand};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpStream;

/// Longest run accepted, seconds (warm-up included): load runs are bounded.
const MAX_SECS: u64 = 120;
/// Most connections accepted.
const MAX_CONNECTIONS: usize = 1024;

#[derive(Parser)]
#[command(
    name = "loadgen",
    about = "Bounded loopback HTTP load generator for cargo xtask bench"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    /// Tokio worker threads for the generator (1 = a single-threaded runtime).
    #[arg(long, default_value_t = 1, global = true)]
    threads: usize,
}

#[derive(clap::Args, Clone)]
struct Load {
    /// Concurrent keep-alive connections.
    #[arg(short = 'c', long, default_value_t = 16)]
    connections: usize,
    /// Measured seconds.
    #[arg(short = 'd', long, default_value_t = 5)]
    duration: u64,
    /// Warm-up seconds (requests sent but not recorded).
    #[arg(short = 'w', long, default_value_t = 1)]
    warmup: u64,
}

#[derive(Subcommand)]
enum Cmd {
    /// Send one request (GET unless told otherwise) repeatedly.
    Get {
        /// Target URL (http://127.0.0.1:PORT/...).
        #[arg(long)]
        url: String,
        /// HTTP method.
        #[arg(long, default_value = "GET")]
        method: String,
        /// JSON request body, sent with every request.
        #[arg(long)]
        body: Option<String>,
        /// Extra request header, `Name: value` (repeatable).
        #[arg(long = "header")]
        headers: Vec<String>,
        /// Status counted as success.
        #[arg(long, default_value_t = 200)]
        expect: u16,
        #[command(flatten)]
        load: Load,
    },
    /// Create, update and delete MSP tenants in a loop on every connection.
    Writes {
        /// Mock base URL.
        #[arg(long)]
        base: String,
        /// MSP access token.
        #[arg(long)]
        token: String,
        #[command(flatten)]
        load: Load,
    },
    /// Send one request and print its body (with `--status`, `STATUS BODY`).
    Fetch {
        /// Target URL.
        #[arg(long)]
        url: String,
        /// HTTP method.
        #[arg(long, default_value = "GET")]
        method: String,
        /// Extra request header, `Name: value` (repeatable).
        #[arg(long = "header")]
        headers: Vec<String>,
        /// JSON request body.
        #[arg(long)]
        body: Option<String>,
        /// Print the status code before the body, and succeed whatever it is.
        #[arg(long)]
        status: bool,
    },
    /// Fetch a RUCKUS One MSP access token (`POST /oauth2/token/{tenant}`) and print it.
    RuckusToken {
        /// Mock base URL.
        #[arg(long)]
        base: String,
        /// The MSP's tenant id.
        #[arg(long)]
        tenant: String,
        /// API client id.
        #[arg(long)]
        client_id: String,
        /// API client secret.
        #[arg(long)]
        secret: String,
    },
    /// Fetch an MSP access token (client_credentials) and print it.
    Token {
        /// Mock base URL.
        #[arg(long)]
        base: String,
        /// MSP workspace id.
        #[arg(long)]
        workspace: String,
        /// API client id.
        #[arg(long)]
        client_id: String,
        /// API client secret.
        #[arg(long)]
        secret: String,
    },
}

/// Per-connection tallies.
#[derive(Default)]
struct Tally {
    ok: u64,
    errors: u64,
    statuses: BTreeMap<u16, u64>,
    latencies_us: Vec<u32>,
    first_error: Option<String>,
}

impl Tally {
    fn record(&mut self, measured: bool, status: u16, ok: bool, started: Instant) {
        if !measured {
            return;
        }
        let us = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        self.latencies_us.push(us);
        *self.statuses.entry(status).or_default() += 1;
        if ok {
            self.ok += 1;
        } else {
            self.errors += 1;
        }
    }

    fn merge(&mut self, other: Tally) {
        self.ok += other.ok;
        self.errors += other.errors;
        for (s, n) in other.statuses {
            *self.statuses.entry(s).or_default() += n;
        }
        self.latencies_us.extend(other.latencies_us);
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// Parses `url` and checks it targets loopback.
fn loopback(url: &str) -> anyhow::Result<(SocketAddr, String)> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("{url}: only http:// URLs are supported"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr: SocketAddr = authority
        .parse()
        .with_context(|| format!("{url}: the host must be an IP:port, e.g. 127.0.0.1:8080"))?;
    if !addr.ip().is_loopback() {
        bail!("{url}: load is only sent to loopback addresses");
    }
    Ok((addr, path.to_owned()))
}

async fn connect(addr: SocketAddr) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// Sends `req`, reads the whole body, returns status, `Location` and body.
async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    req: Request<Full<Bytes>>,
) -> anyhow::Result<(u16, Option<String>, Bytes)> {
    sender.ready().await?;
    let resp = sender.send_request(req).await?;
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get(hyper::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = resp.into_body().collect().await?.to_bytes();
    Ok((status, location, body))
}

fn request(
    method: &str,
    host: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<Bytes>,
) -> anyhow::Result<Request<Full<Bytes>>> {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, host);
    for (k, v) in headers {
        b = b.header(k.as_str(), v.as_str());
    }
    let body = match body {
        Some(bytes) => {
            b = b.header(hyper::header::CONTENT_TYPE, "application/json");
            Full::new(bytes)
        }
        None => Full::new(Bytes::new()),
    };
    Ok(b.body(body)?)
}

/// Timing of one run: when recording starts and when everything stops.
#[derive(Clone, Copy)]
struct Window {
    record_from: Instant,
    stop_at: Instant,
}

impl Window {
    fn of(load: &Load) -> anyhow::Result<Self> {
        if load.duration + load.warmup > MAX_SECS {
            bail!("duration + warm-up must be at most {MAX_SECS} s");
        }
        if load.connections == 0 || load.connections > MAX_CONNECTIONS {
            bail!("connections must be 1..={MAX_CONNECTIONS}");
        }
        let now = Instant::now();
        let record_from = now + Duration::from_secs(load.warmup);
        Ok(Self {
            record_from,
            stop_at: record_from + Duration::from_secs(load.duration),
        })
    }
}

/// What `get` sends on every request.
#[derive(Clone)]
struct Repeat {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Bytes>,
    expect: u16,
}

async fn get_loop(addr: SocketAddr, r: Repeat, w: Window) -> Tally {
    let mut t = Tally::default();
    let host = addr.to_string();
    let mut sender = match connect(addr).await {
        Ok(s) => s,
        Err(e) => {
            t.first_error = Some(format!("connect: {e}"));
            return t;
        }
    };
    loop {
        let started = Instant::now();
        if started >= w.stop_at {
            break;
        }
        let measured = started >= w.record_from;
        let req = match request(&r.method, &host, &r.path, &r.headers, r.body.clone()) {
            Ok(r) => r,
            Err(e) => {
                t.first_error = Some(e.to_string());
                break;
            }
        };
        match send(&mut sender, req).await {
            Ok((status, _, _)) => t.record(measured, status, status == r.expect, started),
            Err(e) => {
                t.errors += 1;
                t.first_error.get_or_insert_with(|| e.to_string());
                match connect(addr).await {
                    Ok(s) => sender = s,
                    Err(_) => break,
                }
            }
        }
    }
    t
}

async fn writes_loop(addr: SocketAddr, token: String, conn: usize, w: Window) -> Tally {
    let mut t = Tally::default();
    let host = addr.to_string();
    let auth = vec![("authorization".to_owned(), format!("Bearer {token}"))];
    let mut sender = match connect(addr).await {
        Ok(s) => s,
        Err(e) => {
            t.first_error = Some(format!("connect: {e}"));
            return t;
        }
    };
    let mut n: u64 = 0;
    let path = "/workspaces/v1/msp-tenants";
    while Instant::now() < w.stop_at {
        n += 1;
        // Create.
        let started = Instant::now();
        let measured = started >= w.record_from;
        let body = json!({ "workspaceName": format!("bench c{conn} n{n}"), "email": "ops@bench.example.com" });
        let req = match request(
            "POST",
            &host,
            path,
            &auth,
            Some(Bytes::from(body.to_string())),
        ) {
            Ok(r) => r,
            Err(e) => {
                t.first_error = Some(e.to_string());
                break;
            }
        };
        let id = match send(&mut sender, req).await {
            Ok((status, location, body)) => {
                t.record(measured, status, status == 201, started);
                if status != 201 {
                    t.first_error.get_or_insert_with(|| {
                        format!("create: {status} {}", String::from_utf8_lossy(&body))
                    });
                    continue;
                }
                match location.and_then(|l| l.rsplit('/').next().map(str::to_owned)) {
                    Some(id) => id,
                    None => {
                        t.first_error = Some("create: no Location header".into());
                        break;
                    }
                }
            }
            Err(e) => {
                t.first_error.get_or_insert_with(|| e.to_string());
                break;
            }
        };
        // Update (rename), then delete.
        let item = format!("{path}/{id}");
        let body = json!({ "workspaceName": format!("bench c{conn} n{n} renamed") });
        let steps = [
            ("PUT", Some(Bytes::from(body.to_string())), 200),
            ("DELETE", None, 204),
        ];
        for (method, body, expect) in steps {
            let started = Instant::now();
            let measured = started >= w.record_from;
            let req = match request(method, &host, &item, &auth, body) {
                Ok(r) => r,
                Err(e) => {
                    t.first_error = Some(e.to_string());
                    return t;
                }
            };
            match send(&mut sender, req).await {
                Ok((status, _, body)) => {
                    t.record(measured, status, status == expect, started);
                    if status != expect {
                        t.first_error.get_or_insert_with(|| {
                            format!("{method}: {status} {}", String::from_utf8_lossy(&body))
                        });
                    }
                }
                Err(e) => {
                    t.first_error.get_or_insert_with(|| e.to_string());
                    return t;
                }
            }
        }
    }
    t
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    // Nearest-rank percentile.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn report(mut total: Tally, secs: u64) -> serde_json::Value {
    total.latencies_us.sort_unstable();
    let l = &total.latencies_us;
    let n = l.len() as u64;
    json!({
        "requests": n,
        "ok": total.ok,
        "errors": total.errors,
        "statuses": total.statuses,
        "secs": secs,
        "rps": n as f64 / secs.max(1) as f64,
        "p50_us": percentile(l, 50.0),
        "p90_us": percentile(l, 90.0),
        "p99_us": percentile(l, 99.0),
        "max_us": l.last().copied().unwrap_or(0),
        "first_error": total.first_error,
    })
}

fn parse_headers(headers: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .with_context(|| format!("header {h:?} is not 'Name: value'"))
        })
        .collect()
}

async fn run(cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Fetch {
            url,
            method,
            headers,
            body,
            status,
        } => {
            let (addr, path) = loopback(&url)?;
            let headers = parse_headers(&headers)?;
            let mut sender = connect(addr).await?;
            let req = request(
                &method,
                &addr.to_string(),
                &path,
                &headers,
                body.map(Bytes::from),
            )?;
            let (code, _, body) = send(&mut sender, req).await?;
            let text = String::from_utf8_lossy(&body);
            if status {
                println!("{code} {text}");
            } else if (200..300).contains(&code) {
                println!("{text}");
            } else {
                bail!("{method} {url} answered {code}: {text}");
            }
        }
        Cmd::Get {
            url,
            method,
            body,
            headers,
            expect,
            load,
        } => {
            let (addr, path) = loopback(&url)?;
            let repeat = Repeat {
                method,
                path,
                headers: parse_headers(&headers)?,
                body: body.map(Bytes::from),
                expect,
            };
            let w = Window::of(&load)?;
            let tasks: Vec<_> = (0..load.connections)
                .map(|_| tokio::spawn(get_loop(addr, repeat.clone(), w)))
                .collect();
            let mut total = Tally::default();
            for task in tasks {
                total.merge(task.await?);
            }
            println!("{}", report(total, load.duration));
        }
        Cmd::Writes { base, token, load } => {
            let (addr, _) = loopback(&base)?;
            let w = Window::of(&load)?;
            let tasks: Vec<_> = (0..load.connections)
                .map(|c| tokio::spawn(writes_loop(addr, token.clone(), c, w)))
                .collect();
            let mut total = Tally::default();
            for task in tasks {
                total.merge(task.await?);
            }
            println!("{}", report(total, load.duration));
        }
        Cmd::RuckusToken {
            base,
            tenant,
            client_id,
            secret,
        } => {
            let (addr, _) = loopback(&base)?;
            let mut sender = connect(addr).await?;
            let form = serde_urlencoded::to_string([
                ("grant_type", "client_credentials"),
                ("client_id", client_id.as_str()),
                ("client_secret", secret.as_str()),
            ])?;
            let req = Request::builder()
                .method("POST")
                .uri(format!("/oauth2/token/{tenant}"))
                .header(hyper::header::HOST, addr.to_string())
                .header(
                    hyper::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(Full::new(Bytes::from(form)))?;
            print_token(send(&mut sender, req).await?)?;
        }
        Cmd::Token {
            base,
            workspace,
            client_id,
            secret,
        } => {
            let (addr, _) = loopback(&base)?;
            let mut sender = connect(addr).await?;
            let basic =
                base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
            let req = Request::builder()
                .method("POST")
                .uri(format!("/authorization/v2/oauth2/{workspace}/token"))
                .header(hyper::header::HOST, addr.to_string())
                .header(hyper::header::AUTHORIZATION, format!("Basic {basic}"))
                .header(
                    hyper::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(Full::new(Bytes::from_static(
                    b"grant_type=client_credentials",
                )))?;
            print_token(send(&mut sender, req).await?)?;
        }
    }
    Ok(())
}

/// Prints the `access_token` of a token endpoint's 200 answer.
fn print_token((status, _, body): (u16, Option<String>, Bytes)) -> anyhow::Result<()> {
    if status != 200 {
        bail!(
            "token endpoint answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    let token = v["access_token"]
        .as_str()
        .context("token response has no access_token")?;
    println!("{token}");
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let rt = if cli.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cli.threads)
            .enable_all()
            .build()?
    };
    rt.block_on(run(cli.cmd))
}
