//! Command-line surface: clap definitions of every subcommand and their arguments. Raw
//! arguments are resolved into validated settings by `crate::commands` before any work.

use crate::profile::Auth;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "scimreplay",
    version,
    about = "Replays Okta's SCIM 2.0 provisioning traffic against a SCIM server and tells whether Okta will work with it",
    long_about = "Replays the exact HTTP sequences Okta's provisioning engine sends (connection test, import, push user, \
profile update, deactivate, reactivate, password sync, group push, membership, rename, Push Now, group delete) \
against a SCIM 2.0 endpoint, checks every response against what Okta needs, and diffs normalized responses \
against committed snapshots.",
    after_help = crate::exit::help_table()
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replay scenarios against a target (default: the embedded reference server)
    Run(Box<RunArgs>),
    /// Run only the steady-state checks (fidelity, idempotency, sync loop) and print a drift table
    Steady(Box<SteadyArgs>),
    /// Okta-like mass push (many users, one big group, import, deactivation), timed and verified
    Load(Box<LoadArgs>),
    /// Record traffic through a reverse proxy in front of a SCIM server into a replayable scenario
    Record(RecordArgs),
    /// Convert a HAR capture of SCIM traffic into a replayable scenario
    Import(ImportArgs),
    /// List the scenarios that would run, without sending anything
    List(ListArgs),
    /// Check scenario files and profiles for errors, without sending anything
    Validate(ValidateArgs),
    /// List every Okta check with id, severity, fix hint and reference
    Checks(ChecksArgs),
    /// List the built-in Okta app profiles
    Profiles,
    /// Review pending snapshot files one by one (accept, reject or skip)
    Review(crate::snapshot::ReviewArgs),
    /// Accept pending snapshot files
    Accept(crate::snapshot::AcceptArgs),
    /// Reject (delete) pending snapshot files
    Reject(crate::snapshot::RejectArgs),
    /// Run the reference SCIM 2.0 server
    Serve(crate::server::ServeArgs),
    /// Print a shell completion script, e.g. `scimreplay completions bash > /etc/bash_completion.d/scimreplay`
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `scimreplay man > scimreplay.1`
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Which dialects to replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectChoice {
    Put,
    Patch,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Which scenarios to take.
#[derive(Debug, Args, Clone)]
pub struct SelectArgs {
    /// Scenario files, directories or scenario names (`okta/push-new-user`, `push-new-user`)
    /// [default: scenarios]
    #[arg(value_name = "PATH|NAME")]
    pub paths: Vec<PathBuf>,
    /// Okta app profile: a built-in name (see `scimreplay profiles`) or a profile file
    #[arg(long, short = 'p', default_value = crate::profile::DEFAULT, value_name = "NAME|FILE")]
    pub profile: String,
    /// Dialect(s) to replay [default: the profile's]
    #[arg(long, value_enum)]
    pub dialect: Option<DialectChoice>,
    /// Only scenarios whose full or short name matches this glob (repeatable), e.g.
    /// 'okta/group-*', 'group-*' or push-new-user; a leading ! leaves matches out
    #[arg(long = "scenario", short = 's', value_name = "GLOB")]
    pub scenarios: Vec<String>,
    /// Only scenarios with this tag (repeatable); a leading ! leaves the tag out, e.g. '!inferred'
    #[arg(long = "tag", short = 't', value_name = "TAG")]
    pub tags: Vec<String>,
    /// Leave out scenarios with this tag (repeatable), e.g. --skip-tag inferred
    #[arg(long = "skip-tag", value_name = "TAG")]
    pub skip_tags: Vec<String>,
    /// Only shard M of N, to split the suite across CI jobs: hash:M/N (stable as scenarios
    /// come and go) or count:M/N (even shards); both dialects of a scenario stay together, and
    /// the steady-state pass runs in shard 1
    #[arg(long, value_name = "hash:M/N|count:M/N")]
    pub partition: Option<crate::scenario::select::Partition>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  scimreplay run                  # the suite against the embedded server\n  scimreplay run push-new-user    # one scenario, by name\n  scimreplay run --profile okta-oin -s 'group-*' -t '!inferred'\n  scimreplay run --rerun-failed   # what failed last time\n  SCIM_TOKEN=... scimreplay run --ci \\\n      --target https://scim.example.com/scim/v2 \\\n      --report-junit junit.xml --report-html report.html\n\nEnvironment: SCIM_BASE_URL (--target), SCIM_TOKEN (--token)\n\nExit codes: 0 passed, 1 failures or snapshot differences,\n  2 usage/scenario error, 3 target unreachable/TLS/auth rejected,\n  4 nothing selected or everything skipped, 130/143 stopped by\n  Ctrl-C/SIGTERM (what it created is deleted, the report written)"
)]
pub struct RunArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// When to write snapshot files: auto (new, or no under CI), new (.snap.new), always, no
    #[arg(long, value_enum, default_value = "auto")]
    pub update: crate::snapshot::UpdateMode,
    /// CI mode: never write snapshot files (same as CI=true)
    #[arg(long)]
    pub ci: bool,
    /// Do not compare responses with snapshots
    #[arg(long)]
    pub no_snapshots: bool,
    /// Snapshot directory
    #[arg(long, default_value = "snapshots", value_name = "DIR")]
    pub snapshots: PathBuf,
    /// Snapshot baseline name [default: reference for the embedded server, else the target's
    /// host]; with --quirk, snapshots are compared only when a baseline is named
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Warnings fail the run too
    #[arg(long)]
    pub strict: bool,
    /// Stop after the first failed scenario (its teardown still runs)
    #[arg(long)]
    pub fail_fast: bool,
    /// Scenario instances replayed at once, each with its own run id; output keeps the
    /// sequential order, and scenarios tagged `exclusive` (the imports) run alone
    #[arg(long, short = 'j', default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64), value_name = "N")]
    pub jobs: u32,
    /// Write the JSON report here (schema: docs/report-json.md)
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Write a JUnit XML report here
    #[arg(long, value_name = "FILE")]
    pub report_junit: Option<PathBuf>,
    /// Write a self-contained HTML report here: verdict, distinct problems, every scenario
    /// with collapsible steps and redacted transcripts (docs/reports.md)
    #[arg(long, value_name = "FILE")]
    pub report_html: Option<PathBuf>,
    /// Write an evidence bundle into this directory: evidence.md (verdict, scenarios, every
    /// failure with its check, hint and reference), report.json and report.html; secrets redacted
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// Colour output
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Print full HTTP transcripts (secrets redacted)
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Skip the steady-state checks that run after the scenarios (docs/steady-state.md)
    #[arg(long)]
    pub no_steady_state: bool,
    /// Run the steady-state checks even when names, tags or --rerun-failed narrow the
    /// selection (by default they follow only whole-suite runs; --no-steady-state wins)
    #[arg(long)]
    pub steady_state: bool,
    /// Replay only the scenario instances that failed in an earlier run: the run recorded in
    /// .scimreplay/last-run.json, or the JSON report given (--report-json)
    #[arg(long, value_name = "REPORT.json", num_args = 0..=1, default_missing_value = crate::scenario::rerun::LAST_RUN)]
    pub rerun_failed: Option<PathBuf>,
    /// Sync-loop cycles (import → compare → push) of the steady-state checks
    #[arg(long, default_value_t = crate::steady::DEFAULT_CYCLES, value_parser = clap::value_parser!(u32).range(1..=20), value_name = "N")]
    pub cycles: u32,
    /// Replay every scenario even when Okta's connection test fails (Okta itself stops there)
    #[arg(long)]
    pub keep_going: bool,
    /// Bound the whole run: past it no new step is sent, what was created is cleaned up, and
    /// the run exits 3 with a report of what ran
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub deadline: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  scimreplay steady               # okta-aiw against the embedded server\n  scimreplay steady --profile okta-oin --quirk lowercase-emails\n  SCIM_TOKEN=... scimreplay steady \\\n      --target https://scim.example.com/scim/v2 --report-json steady.json\n\nEnvironment: SCIM_BASE_URL (--target), SCIM_TOKEN (--token)\n\nExit codes: 0 no fail-severity finding (profile attribute drift\n  is a warning; --strict: none at all), 1 wrong Okta state, sync\n  loops, idempotency failures or refused writes, 2 usage error,\n  3 target unreachable/TLS/auth rejected, 130/143 stopped by\n  Ctrl-C/SIGTERM (what it created is deleted, the report written)"
)]
pub struct SteadyArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Okta app profile: a built-in name (see `scimreplay profiles`) or a profile file
    #[arg(long, short = 'p', default_value = crate::profile::DEFAULT, value_name = "NAME|FILE")]
    pub profile: String,
    /// Sync-loop cycles (import → compare → push)
    #[arg(long, default_value_t = crate::steady::DEFAULT_CYCLES, value_parser = clap::value_parser!(u32).range(1..=20), value_name = "N")]
    pub cycles: u32,
    /// Write the steady-state JSON report here (docs/steady-state.md)
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Warn-severity findings (profile attribute drift) also exit 1
    #[arg(long)]
    pub strict: bool,
    /// Colour output
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  scimreplay load                 # 100 users against the embedded server\n  scimreplay load --users 2000 --concurrency 16 --profile okta-oin\n  SCIM_TOKEN=... scimreplay load \\\n      --target https://scim.example.com/scim/v2 --report-json load.json\n\nEnvironment: SCIM_BASE_URL (--target), SCIM_TOKEN (--token)\n\nExit codes: 0 every request succeeded and every verification held,\n  1 otherwise, 2 usage error, 3 target unreachable/TLS/auth rejected,\n  130/143 stopped by Ctrl-C/SIGTERM (what it created is deleted,\n  the report written)"
)]
pub struct LoadArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Okta app profile: a built-in name (see `scimreplay profiles`) or a profile file
    #[arg(long, short = 'p', default_value = crate::profile::DEFAULT, value_name = "NAME|FILE")]
    pub profile: String,
    /// How many users to push (all of them also go into one group)
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000), value_name = "N")]
    pub users: u32,
    /// How many requests are in flight at once
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256), value_name = "N")]
    pub concurrency: u32,
    /// Write the load results as JSON here (docs/load.md)
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  scimreplay record --target https://scim.example.com/scim/v2 \\\n      --port 8443 --out recorded/assign.yaml\n  # point Okta (or curl) at http://127.0.0.1:8443 as the SCIM base URL,\n  # provision, then press Ctrl-C; replay with: scimreplay run recorded/assign.yaml\n\nNo header is recorded: the Authorization your client sends is forwarded,\nnever written. Requests that carried another credential than the rest (or\nnone) replay with a wrong one (or none)."
)]
pub struct RecordArgs {
    /// SCIM base URL of the real server the proxy forwards to
    #[arg(long, value_name = "URL")]
    pub target: String,
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Scenario file to write when recording stops [default: recorded/recording.yaml, outside
    /// the built-in scenarios/ so a plain `run` never picks it up]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Scenario name [default: recorded/<file name>]
    #[arg(long)]
    pub name: Option<String>,
    /// Stop by itself after this many exchanges (otherwise Ctrl-C or SIGTERM stops)
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Per-request timeout towards the target
    #[arg(long, default_value = "60s", value_parser = positive_duration)]
    pub timeout: std::time::Duration,
    /// Do not verify the target's TLS certificate
    #[arg(long)]
    pub insecure: bool,
    /// Extra trusted CA certificate(s), PEM
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// HAR file (HTTP Archive, e.g. a browser's or proxy's "save all as HAR")
    pub har: PathBuf,
    /// SCIM base URL the entries are under [default: inferred from the first /Users or /Groups URL]
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Scenario file to write [default: recorded/<HAR file name>.yaml, outside the built-in
    /// scenarios/ so a plain `run` never picks it up]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Scenario name [default: recorded/<file name>]
    #[arg(long)]
    pub name: Option<String>,
}

/// A duration that must be above zero (a zero timeout would fail every request).
fn positive_duration(text: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if d.is_zero() {
        return Err("must be more than zero, e.g. 30s".into());
    }
    Ok(d)
}

/// Where requests go and how: the target (or the embedded reference server), credentials,
/// timeouts and TLS. Shared by `run` and `steady`.
#[derive(Debug, Args, Clone)]
pub struct ConnectionArgs {
    /// SCIM base URL of the server to test (without it, the embedded reference server is started)
    #[arg(long, env = "SCIM_BASE_URL", value_name = "URL")]
    pub target: Option<String>,
    /// Read the token from this environment variable (preferred over --token)
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// The token (visible in process lists: prefer --token-env or SCIM_TOKEN)
    #[arg(long, env = "SCIM_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// How the token is sent [default: the profile's]; basic takes the token as user:password
    #[arg(long, value_enum)]
    pub auth: Option<Auth>,
    /// Switch on a reference-server quirk (embedded target only; repeatable; see `serve
    /// --list-quirks`)
    #[arg(long = "quirk", value_name = "NAME[=VALUE]", value_parser = quirk_spec)]
    pub quirks: Vec<String>,
    /// Per-request timeout (Okta's is 60 s)
    #[arg(long, default_value = "60s", value_parser = positive_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
    /// Longest wait honoured for a 429 Retry-After (Okta waits the full Retry-After, or 5 minutes without one)
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub max_retry_wait: std::time::Duration,
    /// How long a failing read is re-sent until a write shows (eventually consistent servers); the lag shows as attempts
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub read_settle: std::time::Duration,
    /// Do not verify TLS certificates
    #[arg(long)]
    pub insecure: bool,
    /// Extra trusted CA certificate(s), PEM
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Also print each scenario's description
    #[arg(long, short = 'l')]
    pub long: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files or directories [default: scenarios]
    pub paths: Vec<PathBuf>,
    /// Also validate these profile files (built-ins are always checked)
    #[arg(long = "profile", value_name = "FILE")]
    pub profiles: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// Show which reference-server quirk each check catches
    #[arg(long)]
    pub matrix: bool,
}

/// A `--quirk` value, checked against the reference server's quirk list at argument load.
fn quirk_spec(spec: &str) -> Result<String, String> {
    crate::server::check_quirks(&[spec.to_string()]).map(|()| spec.to_string())
}
