//! Selection: which scenario instances (scenario × dialect) a run replays, and why others are
//! skipped (dialect or Okta features the profile does not enable).

use super::load::Scenario;
use super::model::Dialect;
use crate::profile::Profile;
use crate::replay::engine::Instance;

/// Name and tag filters (inclusions and `!` exclusions), an optional exact list of instances
/// (`--rerun-failed`), and the CI partition.
///
/// A name pattern matches a scenario's full name (`okta/push-new-user`) or its short name, the
/// part after the last `/` (`push-new-user`), so `-s push-new-user` and `-s 'group-*'` work.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub names: Vec<glob::Pattern>,
    pub excluded_names: Vec<glob::Pattern>,
    pub tags: Vec<String>,
    pub excluded_tags: Vec<String>,
    /// Only these (scenario name, dialect) instances, e.g. the failures of the last run.
    pub only: Option<std::collections::BTreeSet<(String, Dialect)>>,
    pub partition: Option<Partition>,
}

/// One shard of a suite split across CI jobs (`--partition hash:M/N` or `count:M/N`).
///
/// A scenario is the unit: both dialects of a scenario always land in the same shard, so its
/// snapshots and teardown stay together. `hash` keeps a scenario in the same shard when others
/// are added or removed; `count` deals the matching scenarios out round-robin in file order and
/// gives the most even shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    pub kind: PartitionKind,
    /// 1-based shard number.
    pub shard: u32,
    pub total: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionKind {
    Hash,
    Count,
}

impl std::str::FromStr for Partition {
    type Err = String;

    fn from_str(spec: &str) -> Result<Partition, String> {
        let usage =
            || format!("`{spec}` is not a partition: write hash:M/N or count:M/N, e.g. hash:1/3");
        let (kind, rest) = spec.split_once(':').ok_or_else(usage)?;
        let kind = match kind {
            "hash" => PartitionKind::Hash,
            "count" => PartitionKind::Count,
            _ => return Err(usage()),
        };
        let (m, n) = rest.split_once('/').ok_or_else(usage)?;
        let (shard, total): (u32, u32) = (
            m.trim().parse().map_err(|_| usage())?,
            n.trim().parse().map_err(|_| usage())?,
        );
        if total == 0 || shard == 0 || shard > total {
            return Err(format!(
                "partition `{spec}`: the shard M must be between 1 and the number of shards N"
            ));
        }
        Ok(Partition { kind, shard, total })
    }
}

impl Partition {
    /// Whether the `position`-th matching scenario (0-based, file order), named `name`, is in
    /// this shard.
    fn takes(&self, position: usize, name: &str) -> bool {
        let bucket = match self.kind {
            PartitionKind::Count => position as u64 % u64::from(self.total),
            PartitionKind::Hash => fnv1a(name.as_bytes()) % u64::from(self.total),
        };
        bucket == u64::from(self.shard - 1)
    }

    /// Whether this shard runs the run-wide steady-state pass (the first shard does).
    pub fn runs_steady_state(&self) -> bool {
        self.shard == 1
    }
}

/// FNV-1a: a hash that is the same on every platform and Rust release, so shards are stable.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Splits `!`-prefixed entries (exclusions) from the others (inclusions).
fn split_negated(items: &[String]) -> (Vec<&str>, Vec<&str>) {
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for item in items {
        match item.strip_prefix('!') {
            Some(rest) => exclude.push(rest),
            None => include.push(item.as_str()),
        }
    }
    (include, exclude)
}

/// A `--scenario` (or scenario name) glob that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("invalid --scenario glob `{glob}`: {source}")]
pub struct InvalidGlob {
    glob: String,
    #[source]
    source: glob::PatternError,
}

fn globs(patterns: &[&str]) -> Result<Vec<glob::Pattern>, InvalidGlob> {
    patterns
        .iter()
        .map(|g| {
            glob::Pattern::new(g).map_err(|source| InvalidGlob {
                glob: g.to_string(),
                source,
            })
        })
        .collect()
}

/// The part of a scenario name after its last `/`.
fn short_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Whether a name pattern matches a scenario name, in full or by its short name.
pub fn name_matches(pattern: &glob::Pattern, name: &str) -> bool {
    pattern.matches(name) || pattern.matches(short_name(name))
}

impl Filters {
    /// `names` are globs and `tags` tag names; a leading `!` turns either into an exclusion
    /// (`-t '!inferred'`). `skip_tags` are more exclusions (`--skip-tag`).
    pub fn new(names: &[String], tags: &[String]) -> Result<Filters, InvalidGlob> {
        let (names, excluded_names) = split_negated(names);
        let (tags, excluded_tags) = split_negated(tags);
        Ok(Filters {
            names: globs(&names)?,
            excluded_names: globs(&excluded_names)?,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            excluded_tags: excluded_tags.iter().map(|t| t.to_string()).collect(),
            only: None,
            partition: None,
        })
    }

    /// Also leaves out scenarios carrying any of these tags.
    pub fn skipping_tags(mut self, tags: &[String]) -> Filters {
        self.excluded_tags.extend(tags.iter().cloned());
        self
    }

    /// Restricts the selection to exactly these (scenario, dialect) instances.
    pub fn only(mut self, instances: std::collections::BTreeSet<(String, Dialect)>) -> Filters {
        self.only = Some(instances);
        self
    }

    /// True when names, tags or an instance list narrow the suite (the partition does not
    /// count: a shard is still part of a whole-suite run).
    pub fn narrows(&self) -> bool {
        !self.names.is_empty()
            || !self.excluded_names.is_empty()
            || !self.tags.is_empty()
            || !self.excluded_tags.is_empty()
            || self.only.is_some()
    }

    /// Restricts the selection to one shard.
    pub fn with_partition(mut self, partition: Option<Partition>) -> Filters {
        self.partition = partition;
        self
    }

    /// The scenarios that pass the name and tag filters and fall in the partition, in their
    /// given (file path) order.
    fn select<'a>(&self, scenarios: &'a [Scenario]) -> Vec<&'a Scenario> {
        let matching = scenarios.iter().filter(|s| self.matches(s));
        match &self.partition {
            None => matching.collect(),
            Some(p) => matching
                .enumerate()
                .filter(|(i, s)| p.takes(*i, &s.def.name))
                .map(|(_, s)| s)
                .collect(),
        }
    }

    pub fn matches(&self, scenario: &Scenario) -> bool {
        let name = &scenario.def.name;
        let tags = &scenario.def.tags;
        let name_ok = self.names.is_empty() || self.names.iter().any(|p| name_matches(p, name));
        let tag_ok = self.tags.is_empty() || self.tags.iter().any(|t| tags.contains(t));
        let excluded = self.excluded_names.iter().any(|p| name_matches(p, name))
            || self.excluded_tags.iter().any(|t| tags.contains(t));
        let listed = self
            .only
            .as_ref()
            .is_none_or(|only| only.iter().any(|(n, _)| n == name));
        name_ok && tag_ok && !excluded && listed
    }

    /// Whether the instance list (if any) holds this scenario in this dialect.
    fn takes_dialect(&self, name: &str, dialect: Dialect) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.contains(&(name.to_string(), dialect)))
    }
}

/// Builds the instances to run: for each matching scenario, each requested dialect.
/// `explicit` is true when the user chose the dialects (then scenarios that do not support a
/// chosen dialect are simply left out of it instead of being reported as skipped).
pub fn instances<'a>(
    scenarios: &'a [Scenario],
    filters: &Filters,
    profile: &Profile,
    dialects: &[Dialect],
    explicit: bool,
) -> Vec<Instance<'a>> {
    let mut out = Vec::new();
    for scenario in filters.select(scenarios) {
        let supported: Vec<Dialect> = dialects
            .iter()
            .copied()
            .filter(|d| scenario.def.dialects.contains(d))
            .collect();
        let listed: Vec<Dialect> = supported
            .iter()
            .copied()
            .filter(|d| filters.takes_dialect(&scenario.def.name, *d))
            .collect();
        if !supported.is_empty() && listed.is_empty() {
            continue; // its instances in these dialects are not on the list
        }
        let supported = listed;
        if supported.is_empty() {
            if !explicit || dialects.len() == 1 {
                let wanted: Vec<&str> = scenario.def.dialects.iter().map(|d| d.as_str()).collect();
                let skip = Some(format!(
                    "applies to the {} dialect; profile {} replays {} (try --dialect both)",
                    wanted.join("/"),
                    profile.name,
                    dialects
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                        .join("/")
                ));
                out.push(Instance {
                    scenario,
                    dialect: dialects[0],
                    skip,
                });
            }
            continue;
        }
        let missing = profile.missing(&scenario.def.features);
        let skip = (!missing.is_empty()).then(|| {
            let names: Vec<String> = missing.iter().map(|f| f.to_string()).collect();
            format!(
                "profile {} does not enable {}",
                profile.name,
                names.join(", ")
            )
        });
        for dialect in supported {
            out.push(Instance {
                scenario,
                dialect,
                skip: skip.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_parse_and_reject_nonsense() {
        let p: Partition = "hash:2/3".parse().unwrap();
        assert_eq!(
            p,
            Partition {
                kind: PartitionKind::Hash,
                shard: 2,
                total: 3
            }
        );
        assert_eq!(
            "count:1/1".parse::<Partition>().unwrap().kind,
            PartitionKind::Count
        );
        for bad in [
            "",
            "hash",
            "hash:1",
            "hash:0/2",
            "hash:3/2",
            "count:1/0",
            "mod:1/2",
            "hash:a/b",
        ] {
            assert!(bad.parse::<Partition>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn every_scenario_falls_in_exactly_one_shard() {
        let names: Vec<String> = (0..50).map(|i| format!("okta/scenario-{i}")).collect();
        for kind in ["hash", "count"] {
            let shards: Vec<Partition> = (1..=4)
                .map(|m| format!("{kind}:{m}/4").parse().unwrap())
                .collect();
            for (i, name) in names.iter().enumerate() {
                let owners = shards.iter().filter(|p| p.takes(i, name)).count();
                assert_eq!(owners, 1, "{kind}: {name} is in {owners} shards");
            }
        }
        let count: Partition = "count:2/4".parse().unwrap();
        let taken = (0..50).filter(|i| count.takes(*i, "x")).count();
        assert_eq!(taken, 13, "count shards are even");
    }

    #[test]
    fn hash_shards_do_not_move_when_other_scenarios_come_and_go() {
        let p: Partition = "hash:1/3".parse().unwrap();
        let name = "okta/group-rename";
        assert_eq!(p.takes(0, name), p.takes(17, name));
        assert_eq!(
            fnv1a(b"a"),
            0xaf63_dc4c_8601_ec8c,
            "FNV-1a must not change between releases"
        );
    }
}
