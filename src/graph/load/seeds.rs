//! Seed lists: one node per line in the graph's original ids, optionally with a start hour.

use std::path::Path;

use super::super::Graph;
use crate::input::read_bytes;
use crate::{Error, Result};

/// Reads a seed list: one node per line, in the graph's original ids, optionally followed by the
/// hour at which that seed starts (default 0). `#` starts a comment.
pub fn load_seed_file(path: &Path, graph: &Graph) -> Result<Vec<(u32, f64)>> {
    Ok(read_seed_file(path, |id| graph.ids().find(id))?
        .into_iter()
        .map(|(node, hour, _)| (node, hour))
        .collect())
}

/// A seed list as [`load_seed_file`] reads it, each id resolved by `node` (`None`: not a node of
/// the graph, an error naming the line), with its start hour and its line number.
pub(crate) fn read_seed_file<T>(
    path: &Path,
    mut node: impl FnMut(&str) -> Option<T>,
) -> Result<Vec<(T, f64, u64)>> {
    let bytes = read_bytes(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut seeds = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut toks = line
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|t| !t.is_empty());
        let id = toks.next().unwrap_or("");
        let node = node(id).ok_or_else(|| Error::Parse {
            path: path.to_path_buf(),
            line: i as u64 + 1,
            value: id.to_string(),
            msg: "seed is not a node of the graph".into(),
        })?;
        let hour = match toks.next() {
            None => 0.0,
            Some(h) => match h.parse::<f64>() {
                Ok(h) if h.is_finite() && h >= 0.0 => h,
                _ => {
                    return Err(Error::Parse {
                        path: path.to_path_buf(),
                        line: i as u64 + 1,
                        value: h.to_string(),
                        msg: "start hour must be a non-negative number".into(),
                    });
                }
            },
        };
        seeds.push((node, hour, i as u64 + 1));
    }
    if seeds.is_empty() {
        return Err(Error::file(path, "no seeds in the file"));
    }
    Ok(seeds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{EdgeList, NodeIds};

    #[test]
    fn original_ids_start_hours_and_bad_lines() {
        let el = EdgeList {
            ids: NodeIds::Numeric(vec![10, 20, 30]),
            ..EdgeList::from_pairs(3, &[(0, 1), (1, 2)])
        };
        let g = Graph::from_edges(el, false);
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("seeds.txt");
        std::fs::write(&p, "# who starts\n20\n30, 1.5\n").unwrap();
        assert_eq!(load_seed_file(&p, &g).unwrap(), vec![(1, 0.0), (2, 1.5)]);
        for (text, needles) in [
            ("20\n40\n", vec!["seeds.txt:2", "40", "not a node"]),
            ("20 -1\n", vec!["seeds.txt:1", "-1", "start hour"]),
            ("20 soon\n", vec!["seeds.txt:1", "soon"]),
            ("# nothing\n", vec!["seeds.txt", "no seeds"]),
        ] {
            std::fs::write(&p, text).unwrap();
            let e = load_seed_file(&p, &g).unwrap_err().to_string();
            for n in needles {
                assert!(e.contains(n), "{n:?} not in {e}");
            }
        }
    }
}
