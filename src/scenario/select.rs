//! Selection: which scenario instances (scenario × dialect) a run replays, and why others are
//! skipped (dialect or Okta features the profile does not enable).

use super::load::Scenario;
use super::model::Dialect;
use crate::profile::Profile;
use crate::replay::engine::Instance;

/// Name and tag filters.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub names: Vec<glob::Pattern>,
    pub tags: Vec<String>,
}

impl Filters {
    pub fn new(names: &[String], tags: &[String]) -> Result<Filters, String> {
        let names = names
            .iter()
            .map(|g| {
                glob::Pattern::new(g).map_err(|e| format!("invalid --scenario glob `{g}`: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Filters {
            names,
            tags: tags.to_vec(),
        })
    }

    pub fn matches(&self, scenario: &Scenario) -> bool {
        let name_ok =
            self.names.is_empty() || self.names.iter().any(|p| p.matches(&scenario.def.name));
        let tag_ok =
            self.tags.is_empty() || self.tags.iter().any(|t| scenario.def.tags.contains(t));
        name_ok && tag_ok
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
    for scenario in scenarios.iter().filter(|s| filters.matches(s)) {
        let supported: Vec<Dialect> = dialects
            .iter()
            .copied()
            .filter(|d| scenario.def.dialects.contains(d))
            .collect();
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
