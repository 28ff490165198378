//! Observed cascades: real adoption times (and, where the data has them, who passed the item to
//! whom), read from the public data sets hongbao's model is compared with. Each loader returns
//! cascades with adoption times in hours since the cascade's first event.
//!
//! Like `graph::load`, this module reads user files; bad input names the file, line and value.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

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
    fn new(id: String, mut times: Vec<f64>, delays: Vec<f64>) -> Cascade {
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
    fn with_tree<K: Ord + std::hash::Hash + Eq + Copy>(
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

fn parse_err(path: &Path, line: usize, value: &str, msg: &str) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: line as u64,
        value: value.to_string(),
        msg: msg.to_string(),
    }
}

fn read_text(path: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
    {
        flate2::read::MultiGzDecoder::new(file)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::file(path, format!("corrupt or truncated gzip data: {e}")))?;
    } else {
        std::io::BufReader::new(file)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
    }
    String::from_utf8(bytes).map_err(|_| Error::file(path, "not UTF-8 text"))
}

/// Reads every cascade in `path`.
///
/// # Errors
/// A missing or unreadable file, a malformed line (file, line, value), or no cascade at all.
pub fn load_cascades(path: &Path, format: CascadeFormat) -> Result<Vec<Cascade>> {
    let cascades = match format {
        CascadeFormat::Higgs => vec![higgs(path)?],
        CascadeFormat::Weibo => weibo(path)?,
        CascadeFormat::TwitterTree => twitter_trees(path)?,
        CascadeFormat::Seismic => {
            if path.is_dir() {
                let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                    .map_err(|e| Error::io(path, e))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                    .collect();
                files.sort();
                files.iter().map(|f| seismic(f)).collect::<Result<_>>()?
            } else {
                vec![seismic(path)?]
            }
        }
    };
    if cascades.iter().all(|c| c.adoption_hours.is_empty()) {
        return Err(Error::file(path, "no cascade in the input"));
    }
    Ok(cascades)
}

fn higgs(path: &Path) -> Result<Cascade> {
    let text = read_text(path)?;
    // First retweet of each user, and who they retweeted.
    let mut first: HashMap<u64, (i64, u64)> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.is_empty() {
            continue;
        }
        if f.len() != 4 {
            return Err(parse_err(
                path,
                i + 1,
                line,
                "expected `userA userB unix_time RT|MT|RE`",
            ));
        }
        if f[3] != "RT" {
            if f[3] != "MT" && f[3] != "RE" {
                return Err(parse_err(
                    path,
                    i + 1,
                    f[3],
                    "interaction must be RT, MT or RE",
                ));
            }
            continue;
        }
        let num = |s: &str| {
            s.parse::<u64>()
                .map_err(|_| parse_err(path, i + 1, s, "expected a non-negative integer"))
        };
        let (a, b, t) = (num(f[0])?, num(f[1])?, num(f[2])? as i64);
        first
            .entry(a)
            .and_modify(|e| {
                if t < e.0 {
                    *e = (t, b)
                }
            })
            .or_insert((t, b));
    }
    // A retweet of a user who had retweeted earlier is a parent → child link; the others are roots.
    let adopters: HashMap<u64, (f64, Option<u64>)> = first
        .iter()
        .map(|(&a, &(t, b))| (a, (t as f64 / 3600.0, Some(b))))
        .collect();
    Ok(Cascade::with_tree("higgs-retweets".into(), &adopters))
}

fn weibo(path: &Path) -> Result<Vec<Cascade>> {
    let text = read_text(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 5 {
            return Err(parse_err(
                path,
                i + 1,
                line,
                "expected 5 tab-separated fields: id root time count participants",
            ));
        }
        // Each user's first adoption and the user it came from on that path.
        let mut adopters: HashMap<&str, (f64, Option<&str>)> = HashMap::new();
        for p in f[4].split_whitespace() {
            let (chain, delay) = p
                .rsplit_once(':')
                .ok_or_else(|| parse_err(path, i + 1, p, "expected path:delay"))?;
            let d: f64 = delay
                .parse()
                .map_err(|_| parse_err(path, i + 1, p, "delay is not a number"))?;
            let users: Vec<&str> = chain.split('/').collect();
            let user = *users.last().unwrap();
            let h = d / 3600.0;
            let parent = (users.len() >= 2).then(|| users[users.len() - 2]);
            adopters
                .entry(user)
                .and_modify(|e| {
                    if h < e.0 {
                        *e = (h, parent)
                    }
                })
                .or_insert((h, parent));
        }
        out.push(Cascade::with_tree(f[0].to_string(), &adopters));
    }
    Ok(out)
}

/// Parses `['uid', 'tid', 'delay']` into (uid, delay in minutes).
fn tree_node(s: &str) -> Option<(&str, f64)> {
    let inner = s.trim().strip_prefix('[')?.strip_suffix(']')?;
    let parts: Vec<&str> = inner
        .split(',')
        .map(|p| p.trim().trim_matches('\'').trim_matches('"'))
        .collect();
    if parts.len() != 3 {
        return None;
    }
    Some((parts[0], parts[2].parse().ok()?))
}

fn one_tree(path: &Path, id: String, text: &str) -> Result<Cascade> {
    let mut adopters: HashMap<&str, (f64, Option<&str>)> = HashMap::new();
    let mut parents_seen: Vec<(&str, f64)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (a, b) = line
            .split_once("->")
            .ok_or_else(|| parse_err(path, i + 1, line, "expected parent->child"))?;
        let bad = || parse_err(path, i + 1, line, "expected ['uid', 'tweet_id', 'minutes']");
        let (pu, pt) = tree_node(a).ok_or_else(bad)?;
        let (cu, ct) = tree_node(b).ok_or_else(bad)?;
        let parent = (pu != "ROOT").then_some(pu);
        adopters
            .entry(cu)
            .and_modify(|e| {
                if ct < e.0 {
                    *e = (ct, parent)
                }
            })
            .or_insert((ct, parent));
        if pu != "ROOT" {
            parents_seen.push((pu, pt));
        }
    }
    // A parent never listed as a child still adopted (it was retweeted): it enters as a root.
    for (pu, pt) in parents_seen {
        adopters
            .entry(pu)
            .and_modify(|e| {
                if pt < e.0 && e.1.is_none() {
                    e.0 = pt
                }
            })
            .or_insert((pt, None));
    }
    for v in adopters.values_mut() {
        v.0 /= 60.0;
    }
    Ok(Cascade::with_tree(id, &adopters))
}

fn twitter_trees(path: &Path) -> Result<Vec<Cascade>> {
    let mut out = Vec::new();
    if path.is_dir() {
        let mut files: Vec<PathBuf> = walk(path)?;
        files.retain(|p| {
            p.extension().is_some_and(|e| e == "txt")
                && p.parent().is_some_and(|d| d.ends_with("tree"))
        });
        files.sort();
        for f in files {
            let text = read_text(&f)?;
            let id = f
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push(one_tree(&f, id, &text)?);
        }
    } else {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let gz: Box<dyn Read> = if path.to_string_lossy().ends_with(".gz") {
            Box::new(flate2::read::GzDecoder::new(file))
        } else {
            Box::new(file)
        };
        let mut archive = tar::Archive::new(gz);
        let entries = archive
            .entries()
            .map_err(|e| Error::file(path, format!("not a tar archive: {e}")))?;
        for entry in entries {
            let mut entry =
                entry.map_err(|e| Error::file(path, format!("corrupt archive: {e}")))?;
            let name = entry.path().map(|p| p.into_owned()).unwrap_or_default();
            if !(name.extension().is_some_and(|e| e == "txt")
                && name.parent().is_some_and(|d| d.ends_with("tree")))
            {
                continue;
            }
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(|e| Error::file(path, format!("{}: {e}", name.display())))?;
            let inner = path.join(&name);
            let dataset = name
                .components()
                .next()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .unwrap_or_default();
            let id = format!(
                "{dataset}/{}",
                name.file_stem()
                    .map(|s| s.to_string_lossy())
                    .unwrap_or_default()
            );
            out.push(one_tree(&inner, id, &text)?);
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
    }
    Ok(out)
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let p = e.map_err(|e| Error::io(dir, e))?.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    Ok(out)
}

fn seismic(path: &Path) -> Result<Cascade> {
    let text = read_text(path)?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(Error::file(path, "the file is empty"));
    };
    if header.split_whitespace().count() != 2 {
        return Err(parse_err(
            path,
            1,
            header,
            "expected a header `retweets start_days`",
        ));
    }
    let mut times = Vec::new();
    for (i, line) in lines {
        let t = line.split_whitespace().next().unwrap_or("");
        let s: f64 = t
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| {
                parse_err(
                    path,
                    i + 1,
                    t,
                    "time is not a non-negative number of seconds",
                )
            })?;
        times.push(s / 3600.0);
    }
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Cascade::new(id, times, vec![]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn weibo_paths_give_times_and_delays() {
        let d = tempfile::tempdir().unwrap();
        let f = write(
            d.path(),
            "w.txt",
            "7\t1\t1464739201\t3\t1:0 1/2:3600 1/2/3:5400\n",
        );
        let c = load_cascades(&f, CascadeFormat::Weibo).unwrap();
        assert_eq!(c[0].adoption_hours, vec![0.0, 1.0, 1.5]);
        let mut d = c[0].delays_hours.clone();
        d.sort_by(f64::total_cmp);
        assert_eq!(d, vec![0.5, 1.0]);
        assert_eq!(c[0].parents, Some(vec![None, Some(0), Some(1)]));
        assert_eq!(c[0].children(), Some(vec![1, 1, 0]));
        let bad = write(
            tempfile::tempdir().unwrap().path(),
            "b.txt",
            "7\t1\t1\t1\t1:x\n",
        );
        assert!(load_cascades(&bad, CascadeFormat::Weibo).is_err());
    }

    #[test]
    fn higgs_first_retweets_only() {
        let d = tempfile::tempdir().unwrap();
        let f = write(
            d.path(),
            "h.txt",
            "2 1 3600 RT\n3 2 7200 RT\n3 1 9000 RT\n4 1 100 MT\n",
        );
        let c = load_cascades(&f, CascadeFormat::Higgs).unwrap();
        assert_eq!(c[0].adoption_hours, vec![0.0, 1.0]);
        assert_eq!(
            c[0].delays_hours,
            vec![1.0],
            "3 retweeted 2 an hour after 2 adopted"
        );
        // 2 retweeted 1, who never retweeted: a root.
        assert_eq!(c[0].parents, Some(vec![None, Some(0)]));
        let bad = write(d.path(), "b.txt", "2 1 3600 XX\n");
        let e = load_cascades(&bad, CascadeFormat::Higgs)
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.txt:1") && e.contains("XX"), "{e}");
    }

    #[test]
    fn twitter_tree_minutes_become_hours() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("t15/tree")).unwrap();
        write(
            &d.path().join("t15/tree"),
            "42.txt",
            "['ROOT', 'ROOT', '0.0']->['10', '42', '0.0']\n['10', '42', '0.0']->['11', '42', '30.0']\n['11', '42', '30.0']->['12', '42', '120.0']\n",
        );
        let c = load_cascades(d.path(), CascadeFormat::TwitterTree).unwrap();
        assert_eq!(c[0].id, "42");
        assert_eq!(c[0].adoption_hours, vec![0.0, 0.5, 2.0]);
        assert_eq!(c[0].delays_hours, vec![0.5, 1.5]);
        assert_eq!(c[0].parents, Some(vec![None, Some(0), Some(1)]));
    }

    #[test]
    fn seismic_seconds_become_hours() {
        let d = tempfile::tempdir().unwrap();
        let f = write(d.path(), "RT1.txt", "2 0.5\n0 90\n1800 10\n7200 3\n");
        let c = load_cascades(&f, CascadeFormat::Seismic).unwrap();
        assert_eq!(c[0].adoption_hours, vec![0.0, 0.5, 2.0]);
        let bad = write(d.path(), "RT2.txt", "2 0.5\n0 90\n-5 1\n");
        let e = load_cascades(&bad, CascadeFormat::Seismic)
            .unwrap_err()
            .to_string();
        assert!(e.contains("RT2.txt:3"), "{e}");
    }
}
