//! `scimreplay record` (the recording proxy) and `scimreplay import` (a HAR capture): collect
//! exchanges, convert them into a scenario and write it through the secret guard.

use super::target::runtime;
use super::usage_error;
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
    let target = match reqwest::Url::parse(&args.target) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => args.target.clone(),
        _ => {
            return usage_error(format!(
                "--target `{}` is not an http(s) SCIM base URL (e.g. https://scim.example.com/scim/v2)",
                args.target
            ));
        }
    };
    let addr = match format!("{}:{}", args.host, args.port).parse() {
        Ok(a) => a,
        Err(_) => return usage_error(format!("--host `{}` is not an IP address", args.host)),
    };
    let client = match Client::new(&ClientConfig {
        timeout: args.timeout,
        insecure: args.insecure,
        ca_cert: args.ca_cert.clone(),
    }) {
        Ok(c) => c,
        Err(e) => return usage_error(e.to_string()),
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => return usage_error(e),
    };
    rt.block_on(async {
        let running = match proxy::start(addr, target.clone(), client, args.limit).await {
            Ok(p) => p,
            Err(e) => return usage_error(format!("cannot listen on {addr}: {e}")),
        };
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
    let text = match std::fs::read_to_string(&args.har) {
        Ok(t) => t,
        Err(e) => return usage_error(format!("cannot read {}: {e}", args.har.display())),
    };
    match har::read(&text, args.base_url.as_deref()) {
        Ok((base, exchanges)) => {
            let source = format!("{} ({base})", args.har.display());
            let out = args.out.clone().unwrap_or_else(|| {
                let stem = args.har.file_stem().unwrap_or_default().to_string_lossy();
                Path::new(RECORDED_DIR).join(format!("{stem}.yaml"))
            });
            write_scenario(&out, args.name.as_deref(), &source, &exchanges, &[])
        }
        Err(e) => usage_error(format!("{}: {e}", args.har.display())),
    }
}

fn write_scenario(
    out: &Path,
    name: Option<&str>,
    source: &str,
    exchanges: &[Recorded],
    secrets: &[Secret],
) -> u8 {
    if exchanges.is_empty() {
        eprintln!("nothing was recorded: no scenario written");
        return exit::NOTHING_SELECTED;
    }
    let name = name.map(str::to_string).unwrap_or_else(|| {
        let stem = out
            .file_stem()
            .map_or("capture".into(), |s| s.to_string_lossy().into_owned());
        format!("recorded/{stem}")
    });
    let conversion = to_scenario(&name, source, exchanges);
    if conversion.steps == 0 {
        eprintln!(
            "nothing replayable was recorded ({} left out, e.g. {}): no scenario written",
            conversion.left_out.len(),
            conversion.left_out.first().map_or("", String::as_str)
        );
        return exit::NOTHING_SELECTED;
    }
    // What is written must pass `validate`: refuse, writing nothing, rather than leave a file
    // that `run` rejects.
    if let Err(e) = crate::scenario::load::load_str(out, &conversion.yaml, &|id| {
        crate::check::registry::find(id).is_some()
    }) {
        eprintln!("{e}");
        eprintln!(
            "error: the recording does not convert into a valid scenario; nothing was written to {}",
            out.display()
        );
        return exit::USAGE;
    }
    if let Err(e) = crate::fsutil::write_atomic(out, conversion.yaml.as_bytes(), secrets) {
        eprintln!("error: {e}");
        return exit::USAGE;
    }
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
    exit::SUCCESS
}
