//! Observed cascades: real adoption times (and, where the data has them, who passed the item to
//! whom), read from the public data sets hongbao's model is compared with. Each loader returns
//! cascades with adoption times in hours since the cascade's first event.
//!
//! Like `graph::load`, this module reads user files; bad input names the file, line and value.
//! One file per format.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

mod higgs;
mod seismic;
mod twitter_tree;
mod weibo;

/// Cascade file formats.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CascadeFormat {
    /// SNAP Higgs activity log: `userA userB unix_ts RT|MT|RE` (retweets form one cascade).
    Higgs,
    /// DeepHawkes Weibo: `id root time n u1:0 u1/u2:delay ...` per line (delays in seconds).
    Weibo,
    /// Twitter15/16 trees: `['uid','tid','min']->['uid','tid','min']` per line, one file per tree,
    /// in a directory or a `.tar.gz`.
    TwitterTree,
    /// SEISMIC/TiDeH: a header row, then `seconds followers` per retweet; a file or a directory.
    Seismic,
}

impl CascadeFormat {
    /// The format's name as `--format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            CascadeFormat::Higgs => "higgs",
            CascadeFormat::Weibo => "weibo",
            CascadeFormat::TwitterTree => "twitter-tree",
            CascadeFormat::Seismic => "seismic",
        }
    }

    /// Parses `higgs`, `weibo`, `twitter-tree` or `seismic`.
    pub fn parse(s: &str) -> Result<CascadeFormat> {
        match s.to_ascii_lowercase().as_str() {
            "higgs" => Ok(CascadeFormat::Higgs),
            "weibo" => Ok(CascadeFormat::Weibo),
            "twitter-tree" | "twitter" => Ok(CascadeFormat::TwitterTree),
            "seismic" | "tideh" => Ok(CascadeFormat::Seismic),
            _ => Err(Error::invalid(
                "--format",
                s,
                "expected higgs, weibo, twitter-tree or seismic",
            )),
        }
    }
}

/// One observed cascade.
#[derive(Clone, Debug, PartialEq)]
pub struct Cascade {
    pub id: String,
    /// Adoption times in hours since the first event, sorted; the first adopter is at 0.
    pub adoption_hours: Vec<f64>,
    /// Parent → child delays in hours, where the data says who passed the item on.
    pub delays_hours: Vec<f64>,
    /// Who passed the item to whom, where the data has a tree: `parents[i]` is the index (into
    /// `adoption_hours`) of adopter `i`'s parent, `None` for a root (an adopter whose source is not
    /// itself an adopter). `None` when the data has no tree (SEISMIC).
    pub parents: Option<Vec<Option<u32>>>,
}

impl Cascade {
    /// A cascade without a tree.
    pub(crate) fn new(id: String, mut times: Vec<f64>, delays: Vec<f64>) -> Cascade {
        times.sort_by(f64::total_cmp);
        let t0 = times.first().copied().unwrap_or(0.0);
        for t in &mut times {
            *t -= t0;
        }
        Cascade {
            id,
            adoption_hours: times,
            delays_hours: delays,
            parents: None,
        }
    }

    /// A cascade with a tree: every adopter's first adoption time (hours, any origin) and the
    /// adopter it came from. A parent that is not an adopter, or adopted later than the child,
    /// makes the child a root. Adopters are ordered by time, then by key, so the order does not
    /// depend on hashing. The delays are the children's adoption times minus their parents'.
    pub(crate) fn with_tree<K: Ord + std::hash::Hash + Eq + Copy>(
        id: String,
        adopters: &HashMap<K, (f64, Option<K>)>,
    ) -> Cascade {
        let mut order: Vec<(f64, K)> = adopters.iter().map(|(k, v)| (v.0, *k)).collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let index: HashMap<K, u32> = order
            .iter()
            .enumerate()
            .map(|(i, (_, k))| (*k, i as u32))
            .collect();
        let parents: Vec<Option<u32>> = order
            .iter()
            .map(|&(t, k)| {
                let p = adopters[&k].1?;
                (p != k && adopters.get(&p).is_some_and(|q| q.0 <= t)).then(|| index[&p])
            })
            .collect();
        let t0 = order.first().map_or(0.0, |o| o.0);
        let delays_hours = order
            .iter()
            .zip(&parents)
            .filter_map(|(&(t, _), p)| Some(t - order[(*p)? as usize].0))
            .collect();
        Cascade {
            id,
            adoption_hours: order.iter().map(|o| o.0 - t0).collect(),
            delays_hours,
            parents: Some(parents),
        }
    }

    /// Children per adopter, when the cascade has a tree.
    pub fn children(&self) -> Option<Vec<u32>> {
        self.parents.as_deref().map(children_of)
    }
}

/// Children per adopter of a tree given as each adopter's parent.
pub fn children_of(parents: &[Option<u32>]) -> Vec<u32> {
    let mut kids = vec![0u32; parents.len()];
    for p in parents.iter().flatten() {
        kids[*p as usize] += 1;
    }
    kids
}

pub(crate) fn parse_err(path: &Path, line: usize, value: &str, msg: &str) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: line as u64,
        value: value.to_string(),
        msg: msg.to_string(),
    }
}

/// Reads every cascade in `path`.
///
/// # Errors
/// A missing or unreadable file, a malformed line (file, line, value), or no cascade at all.
pub fn load_cascades(path: &Path, format: CascadeFormat) -> Result<Vec<Cascade>> {
    let cascades = match format {
        CascadeFormat::Higgs => vec![higgs::read(path)?],
        CascadeFormat::Weibo => weibo::read(path)?,
        CascadeFormat::TwitterTree => twitter_tree::read(path)?,
        CascadeFormat::Seismic => {
            if path.is_dir() {
                let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                    .map_err(|e| Error::io(path, e))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                    .collect();
                files.sort();
                files
                    .iter()
                    .map(|f| seismic::read(f))
                    .collect::<Result<_>>()?
            } else {
                vec![seismic::read(path)?]
            }
        }
    };
    if cascades.iter().all(|c| c.adoption_hours.is_empty()) {
        return Err(Error::file(path, "no cascade in the input"));
    }
    Ok(cascades)
}

/// Tests: writes `text` to the file `name` in `dir` and returns its path.
#[cfg(test)]
fn test_file(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}
