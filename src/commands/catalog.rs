//! The commands that only read: `list`, `validate`, `checks`, `profiles`, and the generated
//! `completions` and `man` page.

/// `println!` that treats a closed stdout (`scimreplay checks | head`) as the end of output.
macro_rules! outln {
    ($($arg:tt)*) => { super::write_stdout(&format!("{}\n", format!($($arg)*))) };
}

/// `print!` with the same closed-pipe handling.
macro_rules! out {
    ($($arg:tt)*) => { super::write_stdout(&format!($($arg)*)) };
}

use super::error::{CommandError, report};
use crate::cli::{ChecksArgs, ListArgs, SelectArgs, ValidateArgs};
use crate::exit;
use crate::profile::Profile;
use crate::scenario::{self, Dialect, Scenario};
use std::path::PathBuf;

/// Scenario paths, defaulting to `scenarios/`.
pub fn scenario_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        paths.to_vec()
    }
}

/// Positional arguments taken as scenario names that name no loaded scenario: most likely a
/// mistyped path. An error naming them beats an empty selection.
pub fn unknown_names(select: &SelectArgs, scenarios: &[Scenario]) -> Result<(), CommandError> {
    for arg in select.paths.iter().filter(|p| is_name(p)) {
        let text = arg.to_string_lossy().replace('\\', "/");
        let pattern = glob::Pattern::new(&text).map_err(|e| {
            CommandError::Usage(format!("invalid scenario name or glob `{text}`: {e}"))
        })?;
        let known = scenarios
            .iter()
            .any(|s| scenario::select::name_matches(&pattern, &s.def.name));
        if !known {
            return Err(CommandError::Usage(format!(
                "`{text}` is neither a scenario file or folder nor the name of a scenario (see `scimreplay list`)"
            )));
        }
    }
    Ok(())
}

/// A positional argument that is not an existing file or directory and does not end in
/// `.yaml`/`.yml` is a scenario name.
fn is_name(p: &std::path::Path) -> bool {
    !p.exists() && !matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// Splits the positional arguments into scenario paths and scenario names, and builds the
/// filters: names (`okta/push-new-user`, `push-new-user`, a glob) join the `-s` globs.
pub fn selection(
    select: &SelectArgs,
) -> Result<(Vec<PathBuf>, scenario::select::Filters), CommandError> {
    let (names, paths): (Vec<PathBuf>, Vec<PathBuf>) =
        select.paths.iter().cloned().partition(|p| is_name(p));
    let mut globs = select.scenarios.clone();
    globs.extend(names.iter().map(|n| n.to_string_lossy().replace('\\', "/")));
    let filters = scenario::select::Filters::new(&globs, &select.tags)?
        .skipping_tags(&select.skip_tags)
        .with_partition(select.partition);
    Ok((paths, filters))
}

/// Loads every scenario under `paths`; all errors are returned, not just the first.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Scenario>, Vec<String>> {
    let files = scenario::discover(&scenario_paths(paths)).map_err(|e| vec![e.to_string()])?;
    let is_check = |id: &str| crate::check::find(id).is_some();
    let mut scenarios = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match scenario::load_file(&file, &is_check) {
            Ok(s) => scenarios.push(s),
            Err(e) => errors.push(e.to_string()),
        }
    }
    let mut seen = std::collections::BTreeMap::new();
    for s in &scenarios {
        if let Some(other) = seen.insert(s.def.name.clone(), s.display_path()) {
            errors.push(format!(
                "error: scenario name `{}` is used by both {other} and {}",
                s.def.name,
                s.display_path()
            ));
        }
    }
    if errors.is_empty() {
        Ok(scenarios)
    } else {
        Err(errors)
    }
}

/// Dialects to replay and whether the user chose them.
pub fn dialects(select: &SelectArgs, profile: &Profile) -> (Vec<Dialect>, bool) {
    use crate::cli::DialectChoice::*;
    match select.dialect {
        None => (vec![profile.dialect], false),
        Some(Put) => (vec![Dialect::Put], true),
        Some(Patch) => (vec![Dialect::Patch], true),
        Some(Both) => (Dialect::ALL.to_vec(), true),
    }
}

pub fn list(args: &ListArgs) -> u8 {
    list_checked(args).unwrap_or_else(report)
}

fn list_checked(args: &ListArgs) -> Result<u8, CommandError> {
    let profile = Profile::resolve(&args.select.profile)?;
    let (paths, filters) = selection(&args.select)?;
    let scenarios = match load_all(&paths) {
        Ok(s) => s,
        Err(errors) => return Ok(print_errors(&errors)),
    };
    unknown_names(&args.select, &scenarios)?;
    let (dialects, explicit) = dialects(&args.select, &profile);
    let instances =
        scenario::select::instances(&scenarios, &filters, &profile, &dialects, explicit);
    if instances.is_empty() {
        return Err(CommandError::NothingSelected(
            "nothing selected: no scenario matches the filters".into(),
        ));
    }
    for inst in &instances {
        let d = &inst.scenario.def;
        let steps = d
            .steps
            .iter()
            .filter(|s| s.dialect.is_none_or(|x| x == inst.dialect))
            .count();
        let state = inst
            .skip
            .as_deref()
            .map_or(String::new(), |r| format!("  (skipped: {r})"));
        let tags = if d.tags.is_empty() {
            String::new()
        } else {
            format!("  tags: {}", d.tags.join(", "))
        };
        outln!(
            "{} [{}]  {} step{}  {}{tags}{state}",
            d.name,
            inst.dialect,
            steps,
            if steps == 1 { "" } else { "s" },
            inst.scenario.display_path()
        );
        if args.long {
            for line in d.description.trim().lines() {
                outln!("    {}", line.trim());
            }
        }
    }
    let runnable = instances.iter().filter(|i| i.skip.is_none()).count();
    outln!(
        "\n{} scenario instances with profile {} ({runnable} to run)",
        instances.len(),
        profile.name
    );
    Ok(exit::SUCCESS)
}

pub fn validate(args: &ValidateArgs) -> u8 {
    let mut errors = Vec::new();
    for p in Profile::builtins_checked() {
        if let Err(e) = p {
            errors.push(format!("error: {e}"));
        }
    }
    for file in &args.profiles {
        if let Err(e) = Profile::resolve(file) {
            errors.push(format!("error: {e}"));
        }
    }
    match load_all(&args.paths) {
        Ok(scenarios) if errors.is_empty() => {
            let steps: usize = scenarios
                .iter()
                .map(|s| s.def.steps.len() + s.def.teardown.len())
                .sum();
            outln!(
                "{} scenarios ({steps} steps) and {} profiles are valid",
                scenarios.len(),
                crate::profile::BUILTIN.len() + args.profiles.len()
            );
            exit::SUCCESS
        }
        Ok(_) => print_errors(&errors),
        Err(mut more) => {
            errors.append(&mut more);
            print_errors(&errors)
        }
    }
}

fn print_errors(errors: &[String]) -> u8 {
    for e in errors {
        eprintln!("{e}\n");
    }
    eprintln!(
        "{} error{} found",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    exit::USAGE
}

pub fn checks(args: &ChecksArgs) -> u8 {
    if args.matrix {
        out!("{}", crate::check::matrix::render());
        return exit::SUCCESS;
    }
    for c in crate::check::CHECKS {
        outln!("{:<28} {:<4}  {}", c.id, c.severity, c.title);
        outln!("{:<34}evidence: {}", "", c.evidence);
        outln!("{:<34}fix: {}", "", c.hint);
        outln!("{:<34}see: {}\n", "", c.reference);
    }
    outln!(
        "{} checks ({} fail, {} warn)",
        crate::check::CHECKS.len(),
        crate::check::CHECKS
            .iter()
            .filter(|c| c.severity == crate::check::Severity::Fail)
            .count(),
        crate::check::CHECKS
            .iter()
            .filter(|c| c.severity == crate::check::Severity::Warn)
            .count()
    );
    exit::SUCCESS
}

pub fn profiles() -> u8 {
    for p in Profile::builtins() {
        let features: Vec<&str> = p.features.iter().map(|f| f.as_str()).collect();
        outln!(
            "{}  ({} dialect, unique identifier {}, auth {})",
            p.name,
            p.dialect,
            p.unique_identifier.as_str(),
            p.auth.as_str()
        );
        outln!("  {}", p.description);
        outln!("  features: {}", features.join(", "));
        outln!("  mapped attributes: {}\n", p.mapped_attributes.join(", "));
    }
    outln!("Use one with --profile NAME, or pass a profile file (format: docs/profiles.md).");
    exit::SUCCESS
}

/// `scimreplay completions SHELL`: the completion script for the whole command line.
pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(
        shell,
        &mut <crate::cli::Cli as clap::CommandFactory>::command(),
        "scimreplay",
        &mut script,
    );
    out!("{}", String::from_utf8_lossy(&script));
    exit::SUCCESS
}

/// `scimreplay man`: the man page, as roff.
pub fn man_page() -> u8 {
    let mut page = Vec::new();
    let command = <crate::cli::Cli as clap::CommandFactory>::command();
    match clap_mangen::Man::new(command).render(&mut page) {
        Ok(()) => {
            out!("{}", String::from_utf8_lossy(&page));
            exit::SUCCESS
        }
        Err(e) => report(CommandError::Usage(format!(
            "could not render the man page: {e}"
        ))),
    }
}
