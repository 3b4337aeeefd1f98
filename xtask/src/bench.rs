//! `cargo xtask bench [--compare]`: builds the release binaries, starts the mock (and the
//! baselines) on loopback, drives them with the bounded `loadgen` example and prints throughput,
//! p50/p99, RSS and start time per scenario, then every target of issue 7 with its ratio.
//!
//! Everything runs on 127.0.0.1 with a bounded duration per scenario; every server started
//! here is killed when its guard drops. `--compare` installs Prism and WireMock from the npm
//! registry into a temporary folder and measures them serving the same page as a static stub.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// Prism version measured by `--compare`.
pub const PRISM: &str = "@stoplight/prism-cli@5.16";
/// WireMock version measured by `--compare` (the npm package ships the standalone jar).
pub const WIREMOCK: &str = "wiremock@3.13";

/// What `cargo xtask bench` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Also measure Prism and WireMock.
    pub compare: bool,
    /// Measured seconds per load scenario (after a 1 s warm-up).
    pub duration: u64,
    /// Concurrent connections of the read scenarios.
    pub connections: usize,
    /// Reuse the existing release binaries.
    pub no_build: bool,
    /// Skip the 10,000 tenants × 100 devices scenario (large fixture, slow to load).
    pub no_big: bool,
    /// Skip the in-process client/suite figures (`cargo bench --bench client_suite`).
    pub no_client: bool,
}

/// Tenants of the standard bench world.
const TENANTS: usize = 1000;
/// Tenants and devices per tenant of the big world.
const BIG_TENANTS: usize = 10_000;
const BIG_DEVICES: usize = 100;
/// The measured page.
const PAGE_PATH: &str = "/workspaces/v1/msp-tenants?limit=20";
const MSP_ID: &str = "5b0c0e5e-0000-4000-8000-000000000001";
const CLIENT_ID: &str = "bench-client";
const CLIENT_SECRET: &str = "bench-secret";
/// The RUCKUS One MSP of the static-baseline world, and its EC query (the first page by name).
const RUCKUS_MSP: &str = "9b0c0e5e00004000800000000000b001";
const RUCKUS_CLIENT_ID: &str = "bench-ruckus-client";
const RUCKUS_CLIENT_SECRET: &str = "bench-ruckus-secret";
const RUCKUS_QUERY_PATH: &str = "/tenants/query";
const RUCKUS_QUERY: &str = r#"{"filters":{"tenantType":["MSP_EC"]},"page":1,"pageSize":20,"sortField":"name","sortOrder":"ASC"}"#;
/// How long a server may take to answer its first request.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// One load run's figures, as printed by `loadgen`.
#[derive(Debug, Clone, Default)]
struct Load {
    rps: f64,
    p50_us: u64,
    p99_us: u64,
    requests: u64,
    errors: u64,
    first_error: Option<String>,
}

impl Load {
    fn parse(v: &Value) -> Self {
        Self {
            rps: v["rps"].as_f64().unwrap_or(0.0),
            p50_us: v["p50_us"].as_u64().unwrap_or(0),
            p99_us: v["p99_us"].as_u64().unwrap_or(0),
            requests: v["requests"].as_u64().unwrap_or(0),
            errors: v["errors"].as_u64().unwrap_or(0),
            first_error: v["first_error"].as_str().map(str::to_owned),
        }
    }
}

/// A row of the results table.
struct Row {
    scenario: String,
    load: Load,
    rss_mb: Option<f64>,
}

/// A started server; killed when dropped.
struct Server {
    name: String,
    child: Child,
    lines: Receiver<String>,
    addr: SocketAddr,
    ready_ms: f64,
}

impl Server {
    /// Waits for a stdout line starting with `prefix` and returns the rest.
    fn line_after(&self, prefix: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(l) = self.lines.recv_timeout(Duration::from_millis(100))
                && let Some(rest) = l.trim().strip_prefix(prefix)
            {
                return Ok(rest.trim().to_owned());
            }
        }
        bail!("{} printed no line starting with {prefix:?}", self.name)
    }

    fn rss_mb(&self) -> Option<f64> {
        rss_kb(self.child.id(), "VmRSS").map(|kb| kb as f64 / 1024.0)
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `VmRSS`/`VmHWM` of a process in kB (Linux `/proc`).
fn rss_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A free loopback port (bound then released).
fn free_port() -> anyhow::Result<SocketAddr> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

/// One HTTP/1.1 GET over a fresh connection; the status code, or `None` when nothing answers.
///
/// Hand-written on `std::net`: it is only a readiness probe, and xtask stays free of an async
/// runtime and an HTTP client stack.
fn probe(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// Starts `cmd`, drains its stdout into a channel, and waits until `GET ready_path` answers
/// `ready_status`; the time from spawn to that answer is the start time.
fn start(
    name: &str,
    mut cmd: Command,
    addr: SocketAddr,
    ready_path: &str,
    ready_status: u16,
) -> anyhow::Result<Server> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let t0 = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {name}: {cmd:?}"))?;
    let (tx, lines) = channel();
    if let Some(out) = child.stdout.take() {
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                // The receiver may be gone; keep draining so the child never blocks.
                let _ = tx.send(line);
            }
        });
    }
    let mut server = Server {
        name: name.to_owned(),
        child,
        lines,
        addr,
        ready_ms: 0.0,
    };
    loop {
        if probe(addr, ready_path) == Some(ready_status) {
            server.ready_ms = t0.elapsed().as_secs_f64() * 1000.0;
            return Ok(server);
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            bail!("{name} exited before it was ready ({status})");
        }
        if t0.elapsed() > READY_TIMEOUT {
            bail!("{name} was not ready within {READY_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}

/// Paths of the release binaries.
struct Bins {
    mock: PathBuf,
    loadgen: PathBuf,
    bare: PathBuf,
    static_bytes: PathBuf,
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn build(root: &Path, no_build: bool) -> anyhow::Result<Bins> {
    if !no_build {
        eprintln!(
            "bench: building release binaries (msp-mock, loadgen, bare_axum, static_bytes)..."
        );
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .args([
                "build",
                "--release",
                "-p",
                "msp-mock-server",
                "--bin",
                "msp-mock",
                "--example",
                "loadgen",
                "--example",
                "bare_axum",
                "--example",
                "static_bytes",
            ])
            .status()?;
        if !status.success() {
            bail!("cargo build --release failed");
        }
    }
    let rel = target_dir(root).join("release");
    let bins = Bins {
        mock: rel.join("msp-mock"),
        loadgen: rel.join("examples/loadgen"),
        bare: rel.join("examples/bare_axum"),
        static_bytes: rel.join("examples/static_bytes"),
    };
    for p in [&bins.mock, &bins.loadgen, &bins.bare, &bins.static_bytes] {
        if !p.exists() {
            bail!("{} is missing; run without --no-build", p.display());
        }
    }
    Ok(bins)
}

/// A deterministic tenant id.
fn tenant_id(i: usize) -> String {
    format!("7e000000-0000-4000-8000-{i:012x}")
}

/// A deterministic RUCKUS One EC id (32 hex digits, quoted in YAML so it stays a string).
fn ruckus_ec_id(i: usize) -> String {
    format!("5e1a{i:028x}")
}

/// Writes the bench fixture: one GreenLake MSP with `tenants` tenants of `devices` devices
/// each, quotas high enough that the load is never rate limited, and a cap leaving room for the
/// write load; with `ruckus_ecs > 0`, also one RUCKUS One MSP with that many ECs (one admin
/// each) and a call bucket the load never empties.
fn write_fixture(
    path: &Path,
    tenants: usize,
    devices: usize,
    ruckus_ecs: usize,
) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::new(file);
    writeln!(
        w,
        "settings:\n  tenant_cap: {cap}\n  rate_limits: {{ window_secs: 60, per_client: 1000000000, \
         per_workspace: 1000000000, tenant_create: 1000000000 }}\nmsps:\n  - workspace_id: {MSP_ID}\n    \
         name: Bench MSP\n    client_id: {CLIENT_ID}\n    client_secret: {CLIENT_SECRET}\n    \
         email: ops@bench.example.com\n    tenants:",
        cap = tenants + 10_000
    )?;
    for i in 0..tenants {
        writeln!(
            w,
            "      - {{ id: {id}, name: \"Customer {i:05}\", email: \"it{i}@customer.example.com\", \
             created_by: ops@bench.example.com, address: {{ country_code: US, city: Springfield }}, devices: [",
            id = tenant_id(i)
        )?;
        for d in 0..devices {
            writeln!(
                w,
                "          {{ serial_number: SN{i:05}{d:03}, mac_address: \"20:4c:03:{a:02x}:{b:02x}:{d:02x}\", \
                 model: AP-635, name: ap-{i}-{d} }},",
                a = (i >> 8) & 0xff,
                b = i & 0xff,
                d = d & 0xff
            )?;
        }
        writeln!(w, "        ] }}")?;
    }
    if ruckus_ecs > 0 {
        writeln!(
            w,
            "ruckus:\n  settings: {{ calls_per_minute: 1000000000 }}\n  msps:\n    - tenant_id: \"{RUCKUS_MSP}\"\n      \
             name: Bench RUCKUS MSP\n      client_id: {RUCKUS_CLIENT_ID}\n      client_secret: {RUCKUS_CLIENT_SECRET}\n      \
             email: ops@bench-ruckus.example.com\n      admins:\n        - {{ id: \"a1d0{z:028x}\", \
             email: prime@bench-ruckus.example.com, first_name: Pat, last_name: Prime, role: PRIME_ADMIN, \
             delegate_to_all_ecs: true }}\n      tenants:",
            z = 1
        )?;
        for i in 0..ruckus_ecs {
            writeln!(
                w,
                "        - {{ id: \"{id}\", name: \"Customer {i:05}\", account: {{ city: Springfield, country: US }}, \
                 admins: [{{ id: \"ec0a{i:028x}\", email: \"it{i}@customer.example.com\", first_name: It, last_name: Admin }}] }}",
                id = ruckus_ec_id(i)
            )?;
        }
    }
    w.flush()?;
    Ok(())
}

fn mock_cmd(bins: &Bins, fixture: &Path, addr: SocketAddr) -> Command {
    let mut cmd = Command::new(&bins.mock);
    cmd.arg("--listen")
        .arg(addr.to_string())
        .arg("--fixture")
        .arg(fixture)
        .env("RUST_LOG", "warn");
    cmd
}

fn start_mock(bins: &Bins, fixture: &Path) -> anyhow::Result<Server> {
    let addr = free_port()?;
    start(
        "msp-mock",
        mock_cmd(bins, fixture, addr),
        addr,
        "/__admin/health",
        200,
    )
}

/// Runs `loadgen` with `args` and parses its JSON report.
fn loadgen(bins: &Bins, args: &[String]) -> anyhow::Result<Value> {
    let out = Command::new(&bins.loadgen)
        .args(args)
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        bail!("loadgen {} failed", args.join(" "));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).with_context(|| format!("loadgen printed {text:?}"))
}

fn loadgen_text(bins: &Bins, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(&bins.loadgen)
        .args(args)
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        bail!("loadgen {} failed", args.join(" "));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn mock_token(bins: &Bins, mock: &Server) -> anyhow::Result<String> {
    loadgen_text(
        bins,
        &[
            "token",
            "--base",
            &mock.url(""),
            "--workspace",
            MSP_ID,
            "--client-id",
            CLIENT_ID,
            "--secret",
            CLIENT_SECRET,
        ],
    )
}

/// Interleaved rounds of the mock/bare-axum read comparison.
const ROUNDS: usize = 3;

/// The run with the median throughput.
fn median_load(mut runs: Vec<Load>) -> Load {
    runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    runs.get(runs.len() / 2).cloned().unwrap_or_default()
}

fn join_rps(runs: &[Load]) -> String {
    runs.iter()
        .map(|l| format!("{:.0}", l.rps))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Warm-up of the native servers (the mock, the baseline), seconds.
const WARMUP: u64 = 1;
/// Warm-up of Prism (Node) and WireMock (JVM), seconds: long enough for their JIT compilers,
/// so they are compared at their best.
const JIT_WARMUP: u64 = 5;

fn get_load(
    bins: &Bins,
    opts: &Options,
    url: &str,
    token: Option<&str>,
    warmup: u64,
) -> anyhow::Result<Load> {
    load_with(bins, opts, url, None, token, warmup)
}

/// The bounded load of one request repeated on every connection: a GET, or with `post_body` a
/// POST of that JSON body.
fn load_with(
    bins: &Bins,
    opts: &Options,
    url: &str,
    post_body: Option<&str>,
    token: Option<&str>,
    warmup: u64,
) -> anyhow::Result<Load> {
    let mut args = vec![
        "get".to_owned(),
        "--url".into(),
        url.to_owned(),
        "-c".into(),
        opts.connections.to_string(),
        "-d".into(),
        opts.duration.to_string(),
        "-w".into(),
        warmup.to_string(),
    ];
    if let Some(t) = token {
        args.push("--header".into());
        args.push(format!("Authorization: Bearer {t}"));
    }
    if let Some(body) = post_body {
        args.extend([
            "--method".into(),
            "POST".into(),
            "--body".into(),
            body.into(),
        ]);
    }
    let load = Load::parse(&loadgen(bins, &args)?);
    if load.errors > 0 || load.requests == 0 {
        eprintln!(
            "bench: warning: {url}: {} errors of {} requests (first: {:?})",
            load.errors, load.requests, load.first_error
        );
    }
    Ok(load)
}

/// Installs Prism and WireMock with npm into `dir`; returns (prism bin, wiremock jar).
fn install_npm(dir: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    eprintln!(
        "bench: installing {PRISM} and {WIREMOCK} with npm into {}...",
        dir.display()
    );
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
        .arg(dir)
        .args([PRISM, WIREMOCK])
        .status()
        .context("running npm (is Node.js installed?)")?;
    if !status.success() {
        bail!("npm install {PRISM} {WIREMOCK} failed");
    }
    let prism = dir.join("node_modules/.bin/prism");
    let jar = find_jar(&dir.join("node_modules/wiremock"))?
        .context("the wiremock npm package holds no standalone jar")?;
    Ok((prism, jar))
}

fn find_jar(dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            if let Some(j) = find_jar(&p)? {
                return Ok(Some(j));
            }
        } else if p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("wiremock") && n.ends_with(".jar"))
        {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

/// A one-operation OpenAPI document whose example is `page`, for Prism's static mode.
fn prism_spec(page: &Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": { "title": "bench", "version": "1" },
        "paths": { "/workspaces/v1/msp-tenants": { "get": {
            "parameters": [{ "name": "limit", "in": "query", "schema": { "type": "integer" } }],
            "responses": { "200": { "description": "page", "content": {
                "application/json": { "example": page } } } } } } }
    })
}

/// The measured results and the machine they came from.
struct Results {
    rows: Vec<Row>,
    lines: Vec<String>,
    targets: Vec<(String, String, bool)>,
}

impl Results {
    fn target(&mut self, what: &str, figure: String, met: bool) {
        self.targets.push((what.to_owned(), figure, met));
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or_else(|| "?".into(), |kb| format!("{} GB", kb / 1024 / 1024));
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    format!("{cpu}, {cores} cores, {mem} RAM; load average at start {load}")
}

fn fmt_rss(r: Option<f64>) -> String {
    r.map_or_else(|| "-".into(), |mb| format!("{mb:.1} MB"))
}

/// Runs every scenario and prints the report; exit 0 when it ran (targets missed are reported,
/// not failures: benchmarks are measurements, not tests).
pub fn run(root: &Path, opts: &Options) -> anyhow::Result<ExitCode> {
    let bins = build(root, opts.no_build)?;
    let tmp = std::env::temp_dir().join(format!("msp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let result = run_in(root, opts, &bins, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    let results = result?;
    let report = render(opts, &results);
    println!("{report}");
    let out = target_dir(root).join("bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("latest.md"), &report)?;
    eprintln!(
        "bench: report written to {}",
        out.join("latest.md").display()
    );
    Ok(ExitCode::SUCCESS)
}

fn run_in(root: &Path, opts: &Options, bins: &Bins, tmp: &Path) -> anyhow::Result<Results> {
    let mut res = Results {
        rows: Vec::new(),
        lines: vec![format!("machine: {}", machine())],
        targets: Vec::new(),
    };
    let fixture = tmp.join("world-1k.yaml");
    write_fixture(&fixture, TENANTS, 1, 0)?;

    // Start time with the embedded default world: median of 5 launches.
    let mut defaults = Vec::new();
    for _ in 0..5 {
        let addr = free_port()?;
        let mut cmd = Command::new(&bins.mock);
        cmd.arg("--listen")
            .arg(addr.to_string())
            .env("RUST_LOG", "warn");
        defaults.push(start("msp-mock", cmd, addr, "/__admin/health", 200)?.ready_ms);
    }
    defaults.sort_by(f64::total_cmp);
    let default_ms = defaults[defaults.len() / 2];
    res.lines.push(format!(
        "start (spawn → /__admin/health 200, default world): median {default_ms:.1} ms over 5 launches (min {:.1}, max {:.1})",
        defaults[0],
        defaults[defaults.len() - 1]
    ));
    res.target(
        "start: health 200 within 50 ms (default world)",
        format!("{default_ms:.1} ms"),
        default_ms <= 50.0,
    );

    // Start time: median of 5 launches with the 1,000-tenant world.
    let mut starts = Vec::new();
    let mut idle_rss = None;
    for _ in 0..5 {
        let s = start_mock(bins, &fixture)?;
        std::thread::sleep(Duration::from_millis(200));
        idle_rss = s.rss_mb();
        starts.push(s.ready_ms);
    }
    starts.sort_by(f64::total_cmp);
    let start_ms = starts[starts.len() / 2];
    res.lines.push(format!(
        "start (spawn → /__admin/health 200, {TENANTS} tenants): median {start_ms:.1} ms over 5 launches (min {:.1}, max {:.1})",
        starts[0],
        starts[starts.len() - 1]
    ));
    res.lines.push(format!(
        "idle RSS, {TENANTS} tenants × 1 device: {}",
        fmt_rss(idle_rss)
    ));
    res.target(
        "start: health 200 within 50 ms (1,000 tenants)",
        format!("{start_ms:.1} ms"),
        start_ms <= 50.0,
    );
    res.target(
        "memory: ≤ 30 MB RSS idle with 1,000 tenants",
        fmt_rss(idle_rss),
        idle_rss.is_some_and(|m| m <= 30.0),
    );

    // Reads on the mock.
    let mock = start_mock(bins, &fixture)?;
    let token = mock_token(bins, &mock)?;
    let page_url = mock.url(PAGE_PATH);
    let page_text = loadgen_text(
        bins,
        &[
            "fetch",
            "--url",
            &page_url,
            "--header",
            &format!("Authorization: Bearer {token}"),
        ],
    )?;
    let page: Value = serde_json::from_str(&page_text).context("the mock's page is not JSON")?;
    let page_file = tmp.join("page.json");
    std::fs::write(&page_file, &page_text)?;
    res.lines.push(format!(
        "page: GET {PAGE_PATH} → {} bytes, {} items of {} total",
        page_text.len(),
        page["count"],
        page["total"]
    ));
    // Reads, interleaved with the bare-axum baseline: both servers stay up and take turns, so
    // background load on a shared machine hits both alike; each figure is the median round.
    let addr = free_port()?;
    let mut cmd = Command::new(&bins.bare);
    cmd.arg("--listen")
        .arg(addr.to_string())
        .arg("--page")
        .arg(&page_file);
    let bare = start("bare_axum", cmd, addr, "/health", 200)?;
    let bare_token = bare.line_after("token:")?;
    let mut mock_runs = Vec::new();
    let mut bare_runs = Vec::new();
    let mut ratios = Vec::new();
    for round in 1..=ROUNDS {
        eprintln!("bench: reads, round {round}/{ROUNDS}: mock, then bare axum...");
        let m = get_load(bins, opts, &page_url, Some(&token), WARMUP)?;
        let b = get_load(bins, opts, &bare.url(PAGE_PATH), Some(&bare_token), WARMUP)?;
        ratios.push(m.rps / b.rps.max(1.0));
        mock_runs.push(m);
        bare_runs.push(b);
    }
    let mock_read = median_load(mock_runs.clone());
    let bare_load = median_load(bare_runs.clone());
    res.rows.push(Row {
        scenario: format!("msp-mock GET limit=20 ({TENANTS} tenants, RS256 token)"),
        load: mock_read.clone(),
        rss_mb: mock.rss_mb(),
    });
    res.rows.push(Row {
        scenario: "bare axum + HS256 check, same page".into(),
        load: bare_load.clone(),
        rss_mb: bare.rss_mb(),
    });
    drop(bare);
    ratios.sort_by(f64::total_cmp);
    let r = ratios[ratios.len() / 2];
    res.lines.push(format!(
        "reads, {ROUNDS} interleaved rounds (req/s): mock {}; bare axum {}; per-round ratio {}",
        join_rps(&mock_runs),
        join_rps(&bare_runs),
        ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    res.target(
        "reads: ≥ 1.0× bare axum + HS256 (median round)",
        format!(
            "{r:.2}× ({:.0} vs {:.0} req/s)",
            mock_read.rps, bare_load.rps
        ),
        r >= 1.0,
    );
    res.target(
        "reads: p99 ≤ 2 ms at 16 connections",
        format!("p99 {:.2} ms", mock_read.p99_us as f64 / 1000.0),
        mock_read.p99_us <= 2000,
    );

    // Writes on the same mock.
    eprintln!("bench: mock writes...");
    let writes_raw = loadgen(
        bins,
        &[
            "writes".to_owned(),
            "--base".into(),
            mock.url(""),
            "--token".into(),
            token.clone(),
            "-c".into(),
            opts.connections.to_string(),
            "-d".into(),
            opts.duration.to_string(),
            "-w".into(),
            WARMUP.to_string(),
        ],
    )?;
    let writes = Load::parse(&writes_raw);
    res.rows.push(Row {
        scenario: "msp-mock tenant create/update/delete".into(),
        load: writes.clone(),
        rss_mb: mock.rss_mb(),
    });
    let rules = check_rules(bins, &mock, &token)?;
    res.lines
        .push(format!("rules after the write load: {rules}"));
    res.target(
        "writes: ≥ 5,000 ops/s with cap and uniqueness enforced",
        format!("{:.0} ops/s, {} errors; {rules}", writes.rps, writes.errors),
        writes.rps >= 5000.0 && writes.errors == 0 && !rules.contains("BROKEN"),
    );
    let after_hwm = rss_kb(mock.child.id(), "VmHWM").map(|k| k as f64 / 1024.0);
    res.lines.push(format!(
        "mock peak RSS after reads + writes: {}",
        fmt_rss(after_hwm)
    ));
    drop(mock);

    static_ratios(bins, opts, tmp, &mut res)?;

    if opts.compare {
        compare(bins, opts, tmp, &page, &mock_read, &mut res)?;
    }

    if !opts.no_big {
        big(bins, opts, tmp, PAGE_PATH, &mock_read, &mut res)?;
    }

    if !opts.no_client {
        client_suite(root, &mut res)?;
    }
    Ok(res)
}

/// The GreenLake tenant list and the RUCKUS One EC query, each against the static-bytes
/// baseline (`static_bytes`: the page's bytes, captured from the mock, after a bearer compare),
/// on one mock whose world holds both vendors' lists at the same size. Interleaved rounds; each
/// ratio is the median of the per-round ratios. Measurements only: no target is set.
fn static_ratios(bins: &Bins, opts: &Options, tmp: &Path, res: &mut Results) -> anyhow::Result<()> {
    let fixture = tmp.join("world-1k-ruckus.yaml");
    write_fixture(&fixture, TENANTS, 1, TENANTS)?;
    let mock = start_mock(bins, &fixture)?;
    let glp_token = mock_token(bins, &mock)?;
    let ruckus_token = loadgen_text(
        bins,
        &[
            "ruckus-token",
            "--base",
            &mock.url(""),
            "--tenant",
            RUCKUS_MSP,
            "--client-id",
            RUCKUS_CLIENT_ID,
            "--secret",
            RUCKUS_CLIENT_SECRET,
        ],
    )?;
    let glp_url = mock.url(PAGE_PATH);
    let ruckus_url = mock.url(RUCKUS_QUERY_PATH);
    let glp_page = loadgen_text(
        bins,
        &[
            "fetch",
            "--url",
            &glp_url,
            "--header",
            &format!("Authorization: Bearer {glp_token}"),
        ],
    )?;
    let ruckus_page = loadgen_text(
        bins,
        &[
            "fetch",
            "--method",
            "POST",
            "--url",
            &ruckus_url,
            "--header",
            &format!("Authorization: Bearer {ruckus_token}"),
            "--body",
            RUCKUS_QUERY,
        ],
    )?;
    let rv: Value =
        serde_json::from_str(&ruckus_page).context("the mock's EC query answer is not JSON")?;
    let items = rv["data"].as_array().map_or(0, Vec::len);
    if items != 20 || rv["totalCount"].as_u64() != Some(TENANTS as u64) {
        bail!(
            "the EC query answered {items} ECs of {} (expected 20 of {TENANTS})",
            rv["totalCount"]
        );
    }
    res.lines.push(format!(
        "RUCKUS page: POST {RUCKUS_QUERY_PATH} {RUCKUS_QUERY} → {} bytes, {items} ECs of {} total",
        ruckus_page.len(),
        rv["totalCount"]
    ));
    let glp_file = tmp.join("static-glp.json");
    let ruckus_file = tmp.join("static-ruckus.json");
    std::fs::write(&glp_file, &glp_page)?;
    std::fs::write(&ruckus_file, &ruckus_page)?;
    let route = |path: &str, file: &Path| {
        format!(
            "{}={}",
            path.split('?').next().unwrap_or(path),
            file.display()
        )
    };
    let addr = free_port()?;
    let mut cmd = Command::new(&bins.static_bytes);
    cmd.arg("--listen")
        .arg(addr.to_string())
        .arg("--route")
        .arg(route(PAGE_PATH, &glp_file))
        .arg("--route")
        .arg(route(RUCKUS_QUERY_PATH, &ruckus_file));
    let stat = start("static_bytes", cmd, addr, "/health", 200)?;
    let stat_token = stat.line_after("token:")?;

    // Per scenario: (mock runs, static runs, per-round ratios).
    let mut runs: [(Vec<Load>, Vec<Load>, Vec<f64>); 2] = Default::default();
    for round in 1..=ROUNDS {
        eprintln!(
            "bench: static-bytes ratios, round {round}/{ROUNDS}: GLP list, RUCKUS EC query..."
        );
        for (i, (path, body, token)) in [
            (PAGE_PATH, None, &glp_token),
            (RUCKUS_QUERY_PATH, Some(RUCKUS_QUERY), &ruckus_token),
        ]
        .into_iter()
        .enumerate()
        {
            let m = load_with(bins, opts, &mock.url(path), body, Some(token), WARMUP)?;
            let b = load_with(bins, opts, &stat.url(path), body, Some(&stat_token), WARMUP)?;
            runs[i].2.push(m.rps / b.rps.max(1.0));
            runs[i].0.push(m);
            runs[i].1.push(b);
        }
    }
    let names = [
        (
            format!("msp-mock GET limit=20 ({TENANTS} tenants; world with RUCKUS)"),
            "static bytes + bearer compare, GLP page",
            "GLP tenant list",
        ),
        (
            format!("msp-mock RUCKUS EC query, 20 of {TENANTS} ECs"),
            "static bytes + bearer compare, RUCKUS page",
            "RUCKUS EC query",
        ),
    ];
    for ((mock_runs, stat_runs, mut ratios), (mock_name, stat_name, what)) in
        runs.into_iter().zip(names)
    {
        ratios.sort_by(f64::total_cmp);
        let r = ratios.get(ratios.len() / 2).copied().unwrap_or(0.0);
        let m = median_load(mock_runs.clone());
        let b = median_load(stat_runs.clone());
        res.lines.push(format!(
            "{what} vs static bytes: {r:.3}× ({:.0} vs {:.0} req/s; rounds: mock {}; static {}; per-round ratio {})",
            m.rps,
            b.rps,
            join_rps(&mock_runs),
            join_rps(&stat_runs),
            ratios
                .iter()
                .map(|r| format!("{r:.3}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        res.rows.push(Row {
            scenario: mock_name,
            load: m,
            rss_mb: mock.rss_mb(),
        });
        res.rows.push(Row {
            scenario: stat_name.into(),
            load: b,
            rss_mb: stat.rss_mb(),
        });
    }
    Ok(())
}

/// Checks, after the write load, that uniqueness and the cap still hold: a duplicate name is
/// refused with 409 and the tenant count is back to the fixture's.
fn check_rules(bins: &Bins, mock: &Server, token: &str) -> anyhow::Result<String> {
    let auth = format!("Authorization: Bearer {token}");
    let page: Value = serde_json::from_str(&loadgen_text(
        bins,
        &[
            "fetch",
            "--url",
            &mock.url("/workspaces/v1/msp-tenants?limit=1"),
            "--header",
            &auth,
        ],
    )?)?;
    let total = page["total"].as_u64().unwrap_or(0);
    let dup = loadgen_text(
        bins,
        &[
            "fetch",
            "--status",
            "--method",
            "POST",
            "--url",
            &mock.url("/workspaces/v1/msp-tenants"),
            "--header",
            &auth,
            "--body",
            r#"{"workspaceName":"customer 00001"}"#,
        ],
    )?;
    let ok = total == TENANTS as u64 && dup.starts_with("409");
    Ok(format!(
        "{} tenants (fixture {TENANTS}); duplicate name → {}{}",
        total,
        dup.split_whitespace().next().unwrap_or("?"),
        if ok { "" } else { " BROKEN" }
    ))
}

fn compare(
    bins: &Bins,
    opts: &Options,
    tmp: &Path,
    page: &Value,
    mock_read: &Load,
    res: &mut Results,
) -> anyhow::Result<()> {
    let (prism_bin, jar) = install_npm(&tmp.join("npm"))?;

    eprintln!("bench: prism...");
    let spec = tmp.join("prism.json");
    std::fs::write(&spec, serde_json::to_vec(&prism_spec(page))?)?;
    let addr = free_port()?;
    let mut cmd = Command::new(&prism_bin);
    // Request logging off, as for every server measured here.
    cmd.args([
        "mock",
        "--verboseLevel",
        "warn",
        "--host",
        "127.0.0.1",
        "--port",
    ])
    .arg(addr.port().to_string())
    .arg(&spec);
    let prism = start("prism", cmd, addr, PAGE_PATH, 200)?;
    let prism_load = get_load(bins, opts, &prism.url(PAGE_PATH), Some("x"), JIT_WARMUP)?;
    res.rows.push(Row {
        scenario: "Prism 5.16 static example, same page".into(),
        load: prism_load.clone(),
        rss_mb: prism.rss_mb(),
    });
    res.lines
        .push(format!("prism start: {:.0} ms", prism.ready_ms));
    drop(prism);

    eprintln!("bench: wiremock...");
    let wm_root = tmp.join("wiremock");
    std::fs::create_dir_all(wm_root.join("mappings"))?;
    let stub = json!({
        "request": { "method": "GET", "urlPath": "/workspaces/v1/msp-tenants" },
        "response": { "status": 200, "jsonBody": page,
                      "headers": { "Content-Type": "application/json" } }
    });
    std::fs::write(
        wm_root.join("mappings/page.json"),
        serde_json::to_vec(&stub)?,
    )?;
    let addr = free_port()?;
    let mut cmd = Command::new("java");
    cmd.arg("-jar")
        .arg(&jar)
        .args(["--bind-address", "127.0.0.1", "--port"])
        .arg(addr.port().to_string())
        .arg("--root-dir")
        .arg(&wm_root)
        // WireMock's documented settings for load: no journal, no request logging.
        .args([
            "--no-request-journal",
            "--disable-request-logging",
            "--disable-banner",
        ]);
    let wm = start("wiremock", cmd, addr, PAGE_PATH, 200)?;
    let wm_load = get_load(bins, opts, &wm.url(PAGE_PATH), Some("x"), JIT_WARMUP)?;
    res.rows.push(Row {
        scenario: "WireMock 3.13 static stub, same page".into(),
        load: wm_load.clone(),
        rss_mb: wm.rss_mb(),
    });
    res.lines
        .push(format!("wiremock start: {:.0} ms", wm.ready_ms));
    drop(wm);

    let rp = mock_read.rps / prism_load.rps.max(1.0);
    let rw = mock_read.rps / wm_load.rps.max(1.0);
    res.target(
        "reads: ≥ 3.5× Prism 5.16",
        format!(
            "{rp:.1}× ({:.0} vs {:.0} req/s)",
            mock_read.rps, prism_load.rps
        ),
        rp >= 3.5,
    );
    res.target(
        "reads: ≥ 2.5× WireMock 3.13",
        format!(
            "{rw:.1}× ({:.0} vs {:.0} req/s)",
            mock_read.rps, wm_load.rps
        ),
        rw >= 2.5,
    );
    Ok(())
}

fn big(
    bins: &Bins,
    opts: &Options,
    tmp: &Path,
    path: &str,
    small_read: &Load,
    res: &mut Results,
) -> anyhow::Result<()> {
    eprintln!("bench: writing the {BIG_TENANTS} × {BIG_DEVICES} fixture...");
    let fixture = tmp.join("world-big.yaml");
    write_fixture(&fixture, BIG_TENANTS, BIG_DEVICES, 0)?;
    let size = std::fs::metadata(&fixture)?.len();
    eprintln!(
        "bench: starting the mock on it ({} MB of YAML)...",
        size / 1_000_000
    );
    let mock = start_mock(bins, &fixture)?;
    std::thread::sleep(Duration::from_millis(300));
    let idle = mock.rss_mb();
    res.lines.push(format!(
        "{BIG_TENANTS} tenants × {BIG_DEVICES} devices: ready in {:.0} ms ({} MB fixture), idle RSS {}",
        mock.ready_ms,
        size / 1_000_000,
        fmt_rss(idle)
    ));
    res.target(
        "memory: 10,000 tenants × 100 devices ≤ 500 MB",
        fmt_rss(idle),
        idle.is_some_and(|m| m <= 500.0),
    );
    let token = mock_token(bins, &mock)?;
    let load = get_load(bins, opts, &mock.url(path), Some(&token), WARMUP)?;
    res.rows.push(Row {
        scenario: format!("msp-mock GET limit=20 ({BIG_TENANTS} tenants × {BIG_DEVICES} devices)"),
        load: load.clone(),
        rss_mb: mock.rss_mb(),
    });
    // Proportional to the page: 10× the tenants should cost (almost) nothing per page.
    let r = load.rps / small_read.rps.max(1.0);
    res.target(
        "listing cost ∝ page: limit=20 throughput at 10k tenants ≥ 0.9× at 1k",
        format!("{r:.2}× ({:.0} vs {:.0} req/s)", load.rps, small_read.rps),
        r >= 0.9,
    );
    Ok(())
}

/// Runs `cargo bench -p msp-mock-server --bench client_suite` (in-process mock + generated
/// client) and collects the `BENCH {json}` lines it prints.
fn client_suite(root: &Path, res: &mut Results) -> anyhow::Result<()> {
    eprintln!("bench: client runtime and suite throughput (cargo bench --bench client_suite)...");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "bench",
            "-q",
            "-p",
            "msp-mock-server",
            "--bench",
            "client_suite",
        ])
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        bail!("cargo bench --bench client_suite failed");
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut found = 0;
    for l in text.lines() {
        let Some(j) = l.strip_prefix("BENCH ") else {
            continue;
        };
        let v: Value = serde_json::from_str(j)?;
        found += 1;
        match v["name"].as_str() {
            Some("overhead") => {
                let ns = v["authorize_ns"].as_f64().unwrap_or(f64::MAX);
                let tn = v["tenant_lookup_ns"].as_f64().unwrap_or(f64::MAX);
                let total = ns + tn;
                res.lines.push(format!(
                    "client runtime: authorize (cached token + header) {ns:.0} ns, cached tenant-session lookup {tn:.0} ns"
                ));
                res.target(
                    "client: runtime overhead per request < 5 µs",
                    format!("{:.2} µs", total / 1000.0),
                    total < 5000.0,
                );
            }
            Some("exchanges") => {
                let ex = v["exchanges"].as_u64().unwrap_or(0);
                let calls = v["calls"].as_u64().unwrap_or(0);
                let secs = v["secs"].as_f64().unwrap_or(0.0);
                res.lines.push(format!(
                    "client: {} tenants × 10 calls = {calls} calls in {secs:.2} s, {ex} token exchanges",
                    v["tenants"]
                ));
                res.target(
                    "client: 1,000 tenants × 10 calls → exactly 1,000 exchanges",
                    format!("{ex} exchanges"),
                    ex == 1000,
                );
            }
            Some("suite") => {
                let cps = v["calls_per_sec"].as_f64().unwrap_or(0.0);
                res.lines.push(format!(
                    "suite: {} API calls through the generated client against the in-process mock in {:.2} s ({})",
                    v["calls"], v["secs"].as_f64().unwrap_or(0.0), v["mix"].as_str().unwrap_or("")
                ));
                res.target(
                    "conformance: ≥ 2,000 API calls/s through the generated client",
                    format!("{cps:.0} calls/s"),
                    cps >= 2000.0,
                );
            }
            _ => {}
        }
    }
    if found == 0 {
        bail!("client_suite printed no BENCH lines");
    }
    Ok(())
}

fn render(opts: &Options, res: &Results) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## cargo xtask bench{} — {} connections, {} s per scenario after a {WARMUP} s warm-up \
         ({JIT_WARMUP} s for Prism and WireMock)\n",
        if opts.compare { " --compare" } else { "" },
        opts.connections,
        opts.duration
    );
    let _ = writeln!(
        s,
        "| scenario | req/s | p50 | p99 | errors | RSS after |\n|---|---:|---:|---:|---:|---:|"
    );
    for r in &res.rows {
        let _ = writeln!(
            s,
            "| {} | {:.0} | {:.2} ms | {:.2} ms | {} | {} |",
            r.scenario,
            r.load.rps,
            r.load.p50_us as f64 / 1000.0,
            r.load.p99_us as f64 / 1000.0,
            r.load.errors,
            fmt_rss(r.rss_mb)
        );
    }
    let _ = writeln!(s);
    for l in &res.lines {
        let _ = writeln!(s, "- {l}");
    }
    let _ = writeln!(s, "\n| target | measured | met |\n|---|---|---|");
    for (what, figure, met) in &res.targets {
        let _ = writeln!(
            s,
            "| {what} | {figure} | {} |",
            if *met { "yes" } else { "**no**" }
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_is_valid_yaml_with_the_asked_sizes() {
        let dir = std::env::temp_dir().join(format!("msp-bench-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("w.yaml");
        write_fixture(&p, 3, 2, 0).unwrap();
        let v: Value = serde_norway::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let tenants = v["msps"][0]["tenants"].as_array().unwrap();
        assert_eq!(tenants.len(), 3);
        assert_eq!(tenants[2]["devices"].as_array().unwrap().len(), 2);
        assert_eq!(tenants[1]["id"], tenant_id(1));
        assert_eq!(v["settings"]["tenant_cap"], 10_003);
    }

    #[test]
    fn fixture_with_ruckus_loads_in_the_mock() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.yaml");
        write_fixture(&p, 5, 1, 5).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let f = msp_mock_server::Fixture::from_yaml(&text).unwrap();
        assert_eq!(f.world.glp.msps[0].tenants.len(), 5);
        let r = &f.world.ruckus;
        assert_eq!(r.settings.calls_per_minute, 1_000_000_000);
        assert_eq!(r.msps.len(), 1);
        assert_eq!(r.msps[0].tenant_id.simple().to_string(), RUCKUS_MSP);
        assert_eq!(r.msps[0].client_id, RUCKUS_CLIENT_ID);
        assert_eq!(r.msps[0].tenants.len(), 5);
        assert_eq!(
            r.msps[0].tenants[4].id.simple().to_string(),
            ruckus_ec_id(4)
        );
        assert_eq!(r.msps[0].tenants[4].name, "Customer 00004");
        // Without ECs there is no RUCKUS section at all.
        write_fixture(&p, 2, 1, 0).unwrap();
        let f = msp_mock_server::Fixture::from_yaml(&std::fs::read_to_string(&p).unwrap()).unwrap();
        assert!(f.world.ruckus.msps.is_empty());
    }

    #[test]
    fn rss_is_read_from_proc() {
        let kb = rss_kb(std::process::id(), "VmRSS").unwrap();
        assert!(kb > 0);
    }

    #[test]
    fn probe_reports_nothing_on_a_closed_port() {
        let addr = free_port().unwrap();
        assert_eq!(probe(addr, "/"), None);
    }
}
