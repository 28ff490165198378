//! Twitter15/16 propagation trees: one file per tree (`tree/ID.txt`), each line
//! `['uid', 'tid', 'minutes']->['uid', 'tid', 'minutes']`, in a directory or a `.tar.gz`.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Cascade, parse_err};
use crate::input::read_text;
use crate::{Error, Result};

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

pub(super) fn read(path: &Path) -> Result<Vec<Cascade>> {
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

#[cfg(test)]
mod tests {
    use super::super::test_file as write;
    use super::super::{CascadeFormat, load_cascades};

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
}
