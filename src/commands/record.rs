//! `scimreplay record` (the recording proxy) and `scimreplay import` (a HAR capture): collect
//! exchanges, convert them into a scenario and write it through the secret guard.

use super::error::{CommandError, report};
use super::target::runtime;
use crate::cli::{ImportArgs, RecordArgs};
use crate::exit;
use crate::record::{Recorded, har, proxy, to_scenario};
use crate::replay::client::{Client, ClientConfig};
use crate::secrets::Secret;
use std::path::Path;

/// Default folder of recorded scenarios: outside `scenarios/`, so a plain `run` of the
/// built-in suite never loads them; replay them with `scimreplay run recorded/`.
const RECORDED_DIR: &str = "recorded";

pub fn record(args: RecordArgs) -> u8 {
    record_checked(args).unwrap_or_else(report)
}

fn record_checked(args: RecordArgs) -> Result<u8, CommandError> {
    let target = match reqwest::Url::parse(&args.target) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => args.target.clone(),
        _ => {
            return Err(CommandError::Usage(format!(
                "--target `{}` is not an http(s) SCIM base URL (e.g. https://scim.example.com/scim/v2)",
                args.target
            )));
        }
    };
    let addr = format!("{}:{}", args.host, args.port)
        .parse()
        .map_err(|_| CommandError::Usage(format!("--host `{}` is not an IP address", args.host)))?;
    let client = Client::new(&ClientConfig {
        timeout: args.timeout,
        insecure: args.insecure,
        ca_cert: args.ca_cert.clone(),
    })
    .map_err(CommandError::usage)?;
    let rt = runtime()?;
    rt.block_on(async {
        let running = proxy::start(addr, target.clone(), client, args.limit)
            .await
            .map_err(|e| CommandError::Usage(format!("cannot listen on {addr}: {e}")))?;
        super::write_stdout(&format!(
            "Recording: point your SCIM client at http://{} as the SCIM base URL (forwarding to {target}); Ctrl-C stops\n",
            running.addr
        ));
        tokio::select! {
            _ = crate::server::wait_for_signal() => {}
            _ = running.limit_reached() => {}
        }
        let tape = running.stop().await;
        let secrets: Vec<Secret> = tape
            .credentials
            .iter()
            .flat_map(|v| {
                let bare = v.split_once(' ').map_or(v.as_str(), |(_, t)| t).to_string();
                [Secret::new("credential", v.clone()), Secret::new("credential", bare)]
            })
            .collect();
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| Path::new(RECORDED_DIR).join("recording.yaml"));
        write_scenario(&out, args.name.as_deref(), &target, &tape.exchanges, &secrets)
    })
}

pub fn import(args: ImportArgs) -> u8 {
    import_checked(args).unwrap_or_else(report)
}

fn import_checked(args: ImportArgs) -> Result<u8, CommandError> {
    let text = std::fs::read_to_string(&args.har)
        .map_err(|e| CommandError::Usage(format!("cannot read {}: {e}", args.har.display())))?;
    let (base, exchanges) = har::read(&text, args.base_url.as_deref())
        .map_err(|e| CommandError::Usage(format!("{}: {e}", args.har.display())))?;
    let source = format!("{} ({base})", args.har.display());
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = args.har.file_stem().unwrap_or_default().to_string_lossy();
        Path::new(RECORDED_DIR).join(format!("{stem}.yaml"))
    });
    write_scenario(&out, args.name.as_deref(), &source, &exchanges, &[])
}

fn write_scenario(
    out: &Path,
    name: Option<&str>,
    source: &str,
    exchanges: &[Recorded],
    secrets: &[Secret],
) -> Result<u8, CommandError> {
    if exchanges.is_empty() {
        return Err(CommandError::NothingSelected(
            "nothing was recorded: no scenario written".into(),
        ));
    }
    let name = name.map(str::to_string).unwrap_or_else(|| {
        let stem = out
            .file_stem()
            .map_or("capture".into(), |s| s.to_string_lossy().into_owned());
        format!("recorded/{stem}")
    });
    let conversion = to_scenario(&name, source, exchanges);
    if conversion.steps == 0 {
        return Err(CommandError::NothingSelected(format!(
            "nothing replayable was recorded ({} left out, e.g. {}): no scenario written",
            conversion.left_out.len(),
            conversion.left_out.first().map_or("", String::as_str)
        )));
    }
    // What is written must pass `validate`: refuse, writing nothing, rather than leave a file
    // that `run` rejects.
    if let Err(e) = crate::scenario::load::load_str(out, &conversion.yaml, &|id| {
        crate::check::registry::find(id).is_some()
    }) {
        return Err(CommandError::Unconvertible {
            error: e,
            out: out.to_path_buf(),
        });
    }
    crate::fsutil::write_atomic(out, conversion.yaml.as_bytes(), secrets)?;
    super::write_stdout(&format!(
        "Wrote {} ({} steps from {} exchanges{}); replay it with `scimreplay run {}`\n",
        out.display(),
        conversion.steps,
        exchanges.len(),
        if conversion.left_out.is_empty() {
            String::new()
        } else {
            format!(
                "; {} left out, listed in the file's header: {}",
                conversion.left_out.len(),
                conversion.left_out.join("; ")
            )
        },
        out.display()
    ));
    Ok(exit::SUCCESS)
}
