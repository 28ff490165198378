//! `sweep`: one or two numeric values of a scenario varied over a range, with the same seeds and
//! runs at every point (common random numbers, so that neighbouring points differ by the change
//! and not by the dice).
//!
//! A key names what to vary as the scenario file writes it, for every platform or, with a prefix
//! `N.`, for platform N only:
//!
//! | key | varies |
//! |---|---|
//! | `nodes`, `hours`, `step_hours` | the scenario's own value |
//! | `p`, `p_strong`, `p_weak`, `p_from_weight` | the platform's chance |
//! | `graph.NAME` | a generator parameter (`graph.mean_degree`, `graph.overlap`) or `graph.nodes` |
//! | `model.I`, `delay.I`, `delay_strong.I`, `delay_weak.I`, `seeds.I` | the I-th number of the platform's spec (`fractional:0.18` → `model.1` is 0.18) |

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::Progress;
use super::compare::compare_with;
use super::platform::{PlatformReport, build_graph};
use super::scenario::{GraphSource, Scenario};
use crate::graph::Graph;
use crate::{Error, Result, Within};

/// Points a sweep may have without `--force`.
pub const MAX_POINTS: usize = 10_000;

/// One value to vary: `KEY=FROM:TO:STEPS`, `STEPS` evenly spaced values from `FROM` to `TO`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    pub key: String,
    pub from: f64,
    pub to: f64,
    pub steps: usize,
}

impl Vary {
    /// Parses `KEY=FROM:TO:STEPS`, naming `--vary` and the value in errors.
    pub fn parse(s: &str) -> Result<Vary> {
        let bad = |msg: &str| Error::invalid("--vary", s, msg.to_string());
        let (key, range) = s
            .split_once('=')
            .ok_or_else(|| bad("expected KEY=FROM:TO:STEPS"))?;
        let parts: Vec<&str> = range.split(':').collect();
        if parts.len() != 3 {
            return Err(bad("expected KEY=FROM:TO:STEPS"));
        }
        let num = |x: &str| {
            x.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| bad(&format!("{x:?} is not a number")))
        };
        let (from, to) = (num(parts[0])?, num(parts[1])?);
        let steps: usize = parts[2]
            .trim()
            .parse()
            .map_err(|_| bad("STEPS is the number of points, a whole number"))?;
        if steps == 0 {
            return Err(bad("an empty range: STEPS must be at least 1"));
        }
        if steps == 1 && from != to {
            return Err(bad(
                "one point cannot span FROM to TO: give STEPS >= 2, or FROM = TO",
            ));
        }
        let key = key.trim().to_string();
        if key.is_empty() {
            return Err(bad("no key before '='"));
        }
        Ok(Vary {
            key,
            from,
            to,
            steps,
        })
    }

    /// The values, from `from` to `to` (rounded to 12 significant digits, so that files show
    /// `0.3`, not `0.30000000000000004`).
    pub fn values(&self) -> Vec<f64> {
        (0..self.steps)
            .map(|i| {
                let x = if self.steps == 1 {
                    self.from
                } else {
                    self.from + (self.to - self.from) * i as f64 / (self.steps - 1) as f64
                };
                let scale = 10f64.powi(11 - x.abs().log10().floor().max(-300.0) as i32);
                if x == 0.0 {
                    0.0
                } else {
                    (x * scale).round() / scale
                }
            })
            .collect()
    }
}

/// Everything `sweep` needs.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepOptions {
    /// The scenario's TOML text and the directory its relative paths start from.
    pub text: String,
    pub base: PathBuf,
    /// Where the scenario came from (for errors and the summary).
    pub name: String,
    /// One or two values to vary.
    pub vary: Vec<Vary>,
    /// Allow more than [`MAX_POINTS`] points.
    pub force: bool,
    /// Runs and seed in place of the scenario's (the same at every point).
    pub runs: Option<u64>,
    pub seed: Option<u64>,
}

impl SweepOptions {
    /// The options for a scenario file, or `red-packet` for the built-in scenario (when no file
    /// of that name exists), varying each of `vary` (`KEY=FROM:TO:STEPS`); checked.
    ///
    /// # Errors
    /// A file that cannot be read, a malformed `--vary`, zero runs, or a sweep [`check`] refuses.
    pub fn from_source(
        scenario: &str,
        vary: &[String],
        force: bool,
        runs: Option<u64>,
        seed: Option<u64>,
    ) -> Result<SweepOptions> {
        let path = std::path::Path::new(scenario);
        let (text, base, name) = if !path.exists() && scenario == "red-packet" {
            (
                super::RED_PACKET_TOML.to_string(),
                ".".into(),
                "the built-in red-packet scenario".into(),
            )
        } else {
            let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
            let base = path
                .parent()
                .unwrap_or(std::path::Path::new("."))
                .to_path_buf();
            (text, base, scenario.to_string())
        };
        let opts = SweepOptions {
            text,
            base,
            name,
            vary: vary.iter().map(|v| Vary::parse(v)).collect::<Result<_>>()?,
            force,
            runs,
            seed,
        };
        if let Some(r) = runs {
            crate::cascade::MonteCarlo::new(r, 0, crate::Naming::Flag)?;
        }
        check(&opts)?;
        Ok(opts)
    }
}

/// One platform at one point.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SweepRow {
    /// The values of the varied keys, in the order given.
    pub values: Vec<f64>,
    pub platform: String,
    pub nodes: usize,
    pub runs: u64,
    pub final_reach: f64,
    pub final_reach_sem: f64,
    pub final_share: f64,
    pub reach_1h: Option<f64>,
    pub reach_1h_sem: Option<f64>,
    pub reach_4h: Option<f64>,
    pub reach_4h_sem: Option<f64>,
    pub reach_24h: Option<f64>,
    pub reach_24h_sem: Option<f64>,
    /// When the mean curve reaches 10 % / 50 % of the users; `None` if it never does.
    pub time_to_10pct_hours: Option<f64>,
    pub time_to_50pct_hours: Option<f64>,
    /// The share of runs that reached 10 % / 50 % of the users, and its standard error.
    pub runs_reaching_10pct: f64,
    pub runs_reaching_10pct_sem: f64,
    pub runs_reaching_50pct: f64,
    pub runs_reaching_50pct_sem: f64,
}

impl SweepRow {
    fn new(values: Vec<f64>, p: &PlatformReport) -> SweepRow {
        let o = &p.outcome;
        let at = |k: &str| o.reach_at_hours.get(k);
        let hit = |k: &str| o.time_to_fraction.get(k);
        let share = |k: &str| hit(k).map_or(0.0, |t| t.share_of_runs);
        let binomial = |q: f64| (q * (1.0 - q) / o.runs.max(1) as f64).sqrt();
        SweepRow {
            values,
            platform: p.label.clone(),
            nodes: o.nodes,
            runs: o.runs,
            final_reach: o.final_reach.mean,
            final_reach_sem: o.final_reach.sem,
            final_share: o.final_reach.fraction,
            reach_1h: at("1").map(|r| r.mean),
            reach_1h_sem: at("1").map(|r| r.sem),
            reach_4h: at("4").map(|r| r.mean),
            reach_4h_sem: at("4").map(|r| r.sem),
            reach_24h: at("24").map(|r| r.mean),
            reach_24h_sem: at("24").map(|r| r.sem),
            time_to_10pct_hours: hit("0.1").and_then(|t| t.hours),
            time_to_50pct_hours: hit("0.5").and_then(|t| t.hours),
            runs_reaching_10pct: share("0.1"),
            runs_reaching_10pct_sem: binomial(share("0.1")),
            runs_reaching_50pct: share("0.5"),
            runs_reaching_50pct_sem: binomial(share("0.5")),
        }
    }
}

/// What a sweep found.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SweepSummary {
    pub title: String,
    pub scenario: String,
    /// The varied keys, in order, and their values.
    pub keys: Vec<String>,
    pub values: Vec<Vec<f64>>,
    pub platforms: Vec<String>,
    pub runs: u64,
    pub seed: u64,
    pub rows: Vec<SweepRow>,
}

impl SweepSummary {
    /// The row of `platform` at the point with these values.
    pub fn row(&self, platform: &str, values: &[f64]) -> Option<&SweepRow> {
        self.rows
            .iter()
            .find(|r| r.platform == platform && r.values == values)
    }
}

/// Writes `x` as TOML writes a number the user could have typed: an integer when it is whole.
fn toml_number(x: f64) -> toml::Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        toml::Value::Integer(x as i64)
    } else {
        toml::Value::Float(x)
    }
}

/// `x` as a spec writes it (`0.18`, `5`).
fn spec_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Keys a platform holds as numbers.
const PLATFORM_NUMBERS: [&str; 4] = ["p", "p_strong", "p_weak", "p_from_weight"];
/// Keys a platform holds as specs with numbers in them.
const PLATFORM_SPECS: [&str; 5] = ["model", "delay", "delay_strong", "delay_weak", "seeds"];
/// The scenario's own numbers.
const SCENARIO_NUMBERS: [&str; 3] = ["nodes", "hours", "step_hours"];

/// Sets `key` to `x` in a scenario document; errors name `--vary` and the key.
fn apply(doc: &mut toml::Table, key: &str, x: f64) -> Result<()> {
    let bad = |msg: String| Error::invalid("--vary", key, msg);
    let (only, rest) = match key.split_once('.') {
        Some((n, rest)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => {
            let n: usize = n.parse().map_err(|_| bad("bad platform number".into()))?;
            (Some(n), rest)
        }
        _ => (None, key),
    };
    if only.is_none() && SCENARIO_NUMBERS.contains(&rest) {
        doc.insert(rest.into(), toml_number(x));
        return Ok(());
    }
    let Some(toml::Value::Array(platforms)) = doc.get_mut("platform") else {
        return Err(bad("the scenario has no [[platform]]".into()));
    };
    let count = platforms.len();
    if let Some(n) = only
        && !(1..=count).contains(&n)
    {
        return Err(bad(format!(
            "there is no platform {n} (the scenario has {count})"
        )));
    }
    for (i, p) in platforms.iter_mut().enumerate() {
        if only.is_some_and(|n| n != i + 1) {
            continue;
        }
        let toml::Value::Table(t) = p else { continue };
        let place = format!("platform {}", i + 1);
        if PLATFORM_NUMBERS.contains(&rest) {
            t.insert(rest.into(), toml_number(x));
        } else if let Some(name) = rest.strip_prefix("graph.") {
            match t.get_mut("graph") {
                Some(toml::Value::Table(g)) => {
                    g.insert(name.into(), toml_number(x));
                }
                _ => return Err(bad(format!("{place} has no graph table"))),
            }
        } else if let Some((spec, index)) = rest.split_once('.')
            && PLATFORM_SPECS.contains(&spec)
        {
            let i: usize =
                index.parse().ok().filter(|&i| i >= 1).ok_or_else(|| {
                    bad(format!("{index:?} is not a position (1, 2, ...) in {spec}"))
                })?;
            let Some(toml::Value::String(s)) = t.get(spec) else {
                return Err(bad(format!("{place} has no {spec} spec to change")));
            };
            let (name, args) = s
                .split_once(':')
                .ok_or_else(|| bad(format!("{place}'s {spec} {s:?} has no numbers")))?;
            let mut nums: Vec<String> = args.split(',').map(|a| a.trim().to_string()).collect();
            if i > nums.len() {
                return Err(bad(format!(
                    "{place}'s {spec} {s:?} has {} numbers",
                    nums.len()
                )));
            }
            nums[i - 1] = spec_number(x);
            t.insert(
                spec.into(),
                toml::Value::String(format!("{name}:{}", nums.join(","))),
            );
        } else {
            return Err(bad(format!(
                "unknown key; vary nodes, hours, step_hours, {}, graph.NAME or {}.I (prefix N. for platform N only)",
                PLATFORM_NUMBERS.join(", "),
                PLATFORM_SPECS.join(".I, ")
            )));
        }
    }
    Ok(())
}

/// Every point of the sweep: the values of the first key outer, of the second inner.
fn points(vary: &[Vary]) -> Vec<Vec<f64>> {
    let mut out = vec![vec![]];
    for v in vary {
        out = out
            .iter()
            .flat_map(|p| {
                v.values().into_iter().map(move |x| {
                    let mut q = p.clone();
                    q.push(x);
                    q
                })
            })
            .collect();
    }
    out
}

/// The scenario at one point, checked.
fn scenario_at(opts: &SweepOptions, doc: &toml::Table, values: &[f64]) -> Result<Scenario> {
    let mut doc = doc.clone();
    for (v, &x) in opts.vary.iter().zip(values) {
        apply(&mut doc, &v.key, x)?;
    }
    let text = toml::to_string(&doc).expect("a table serialises");
    let sc = Scenario::from_toml(&text, &opts.base).map_err(|e| match e {
        Error::File { msg, .. } => Error::file(&opts.name, msg),
        other => other,
    })?;
    Ok(Scenario {
        runs: opts.runs.unwrap_or(sc.runs),
        seed: opts.seed.unwrap_or(sc.seed),
        ..sc
    })
}

/// Checks the keys, ranges and point count without running anything.
///
/// # Errors
/// A malformed or unknown key, more than two keys, too many points without `force`, or a scenario
/// that a value makes invalid (checked at both ends of every range).
pub fn check(opts: &SweepOptions) -> Result<()> {
    if opts.vary.is_empty() || opts.vary.len() > 2 {
        return Err(Error::invalid(
            "--vary",
            opts.vary.len().to_string(),
            "vary one or two keys",
        ));
    }
    let n: usize = opts.vary.iter().map(|v| v.steps).product();
    if n > MAX_POINTS && !opts.force {
        return Err(Error::invalid(
            "--vary",
            opts.vary
                .iter()
                .map(|v| format!("{}={}:{}:{}", v.key, v.from, v.to, v.steps))
                .collect::<Vec<_>>()
                .join(" "),
            format!("{n} points is more than {MAX_POINTS}; use --force to run them all"),
        ));
    }
    let doc: toml::Table =
        toml::from_str(&opts.text).map_err(|e| Error::file(&opts.name, e.to_string()))?;
    for corner in [
        opts.vary.iter().map(|v| v.from).collect::<Vec<_>>(),
        opts.vary.iter().map(|v| v.to).collect(),
    ] {
        scenario_at(opts, &doc, &corner).within(|| point_name(&opts.vary, &corner))?;
    }
    Ok(())
}

fn point_name(vary: &[Vary], values: &[f64]) -> String {
    vary.iter()
        .zip(values)
        .map(|(v, x)| format!("{} = {}", v.key, spec_number(*x)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs every point.
///
/// # Errors
/// As [`check`], and any platform that fails at a point (named with the point).
pub fn sweep(opts: &SweepOptions, progress: &dyn Progress) -> Result<SweepSummary> {
    check(opts)?;
    let doc: toml::Table =
        toml::from_str(&opts.text).map_err(|e| Error::file(&opts.name, e.to_string()))?;
    let points = points(&opts.vary);
    let first = scenario_at(opts, &doc, &points[0])?;
    progress.started(first.runs * first.platforms.len() as u64 * points.len() as u64);
    // Graphs are built again only when a point changes them: the last point's are kept.
    let mut built: HashMap<String, Arc<Graph>> = HashMap::new();
    let mut rows = Vec::new();
    for values in &points {
        let sc = scenario_at(opts, &doc, values).within(|| point_name(&opts.vary, values))?;
        let mut now: HashMap<String, Arc<Graph>> = HashMap::new();
        let mut graph_of = |p: &super::Platform| -> Result<Arc<Graph>> {
            let nodes = match &p.graph {
                GraphSource::Generated { nodes, .. } => nodes.unwrap_or(sc.nodes),
                GraphSource::File { .. } => 0,
            };
            let key = format!("{:?} {} {} {}", p.graph, p.ties, nodes, sc.seed);
            let g = match built.get(&key).or(now.get(&key)) {
                Some(g) => g.clone(),
                None => Arc::new(build_graph(&p.graph, &p.ties, sc.nodes, sc.seed)?),
            };
            now.insert(key, g.clone());
            Ok(g)
        };
        let s =
            compare_with(&sc, progress, &mut graph_of).within(|| point_name(&opts.vary, values))?;
        built = now;
        rows.extend(s.platforms.iter().map(|p| SweepRow::new(values.clone(), p)));
    }
    Ok(SweepSummary {
        title: first.title.clone(),
        scenario: opts.name.clone(),
        keys: opts.vary.iter().map(|v| v.key.clone()).collect(),
        values: opts.vary.iter().map(Vary::values).collect(),
        platforms: first.platforms.iter().map(|p| p.label.clone()).collect(),
        runs: first.runs,
        seed: first.seed,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::{RED_PACKET_TOML, Silent};

    #[test]
    fn ranges_parse_and_bad_ones_are_named() {
        let v = Vary::parse("p_strong=0.01:0.3:30").unwrap();
        assert_eq!((v.key.as_str(), v.steps), ("p_strong", 30));
        let x = Vary::parse("graph.mean_degree=1:10:19").unwrap().values();
        assert_eq!((x[0], x[1], x[18]), (1.0, 1.5, 10.0));
        assert_eq!(
            Vary::parse("p=0:0.3:4").unwrap().values(),
            vec![0.0, 0.1, 0.2, 0.3]
        );
        for (s, needle) in [
            ("p", "KEY=FROM:TO:STEPS"),
            ("p=0:1", "KEY=FROM:TO:STEPS"),
            ("p=0:1:0", "empty range"),
            ("p=0:1:1", "one point"),
            ("p=a:1:3", "not a number"),
            ("p=0:1:2.5", "whole number"),
            ("=0:1:3", "no key"),
        ] {
            let e = Vary::parse(s).unwrap_err().to_string();
            assert!(
                e.contains("--vary") && e.contains(s) && e.contains(needle),
                "{e}"
            );
        }
    }

    fn opts(vary: &[&str]) -> SweepOptions {
        SweepOptions {
            text: RED_PACKET_TOML.to_string(),
            base: ".".into(),
            name: "red-packet".into(),
            vary: vary.iter().map(|v| Vary::parse(v).unwrap()).collect(),
            force: false,
            runs: Some(6),
            seed: None,
        }
    }

    #[test]
    fn keys_reach_platforms_generators_and_specs() {
        let mut doc: toml::Table = toml::from_str(RED_PACKET_TOML).unwrap();
        apply(&mut doc, "2.graph.mean_degree", 12.0).unwrap();
        apply(&mut doc, "p_weak", 0.25).unwrap();
        apply(&mut doc, "delay_weak.1", 3.0).unwrap();
        apply(&mut doc, "nodes", 500.0).unwrap();
        let sc = Scenario::from_toml(&toml::to_string(&doc).unwrap(), ".".as_ref()).unwrap();
        assert_eq!(sc.nodes, 500);
        assert!(format!("{}", sc.platforms[1].graph).contains("mean_degree=12"));
        assert!(format!("{}", sc.platforms[0].graph).contains("overlap=0.3"));
        for p in &sc.platforms {
            assert!(
                matches!(p.activation, crate::cascade::Activation::ByTie { weak, .. } if weak == 0.25)
            );
            assert_eq!(p.delay_weak.to_string(), "lognormal:3,1.2");
        }
        for (key, needle) in [
            ("3.p", "no platform 3"),
            ("model.1", "has no model spec"),
            ("delay_weak.3", "has 2 numbers"),
            ("colour", "unknown key"),
        ] {
            let e = apply(&mut doc.clone(), key, 1.0).unwrap_err().to_string();
            assert!(
                e.contains("--vary") && e.contains(key) && e.contains(needle),
                "{e}"
            );
        }
    }

    #[test]
    fn a_two_key_sweep_has_a_row_per_point_and_platform_and_common_seeds() {
        let mut o = opts(&["nodes=300:400:2", "p_weak=0.03:0.3:3"]);
        o.text = o.text.replace("nodes = 100000", "nodes = 300");
        let s = sweep(&o, &Silent).unwrap();
        assert_eq!(s.rows.len(), 2 * 3 * 2);
        assert_eq!(s.keys, vec!["nodes".to_string(), "p_weak".into()]);
        let r = s.row("Alipay-like (weak ties)", &[400.0, 0.3]).unwrap();
        assert_eq!((r.nodes, r.runs), (400, 6));
        // Weak ties carry more at 0.3 than at 0.03, the seeds and runs being the same.
        let lo = s.row("Alipay-like (weak ties)", &[400.0, 0.03]).unwrap();
        assert!(
            r.final_reach > lo.final_reach,
            "{} vs {}",
            r.final_reach,
            lo.final_reach
        );
        // The same point twice gives the same numbers.
        let again = sweep(&o, &Silent).unwrap();
        assert_eq!(again, s);
        let mut big = opts(&["p_weak=0:1:101", "p_strong=0:1:100"]);
        let e = check(&big).unwrap_err().to_string();
        assert!(e.contains("10100 points") && e.contains("--force"), "{e}");
        big.vary.truncate(1);
        big.vary[0] = Vary::parse("p_weak=0:2:3").unwrap();
        let e = check(&big).unwrap_err().to_string();
        assert!(e.contains("p_weak = 2") && e.contains("[0, 1]"), "{e}");
    }
}
