//! Pajek networks (`.net`, `.net.gz`), as Pajek, NetworkX and igraph write them:
//!
//! ```text
//! *Vertices 3
//! 1 "alice"
//! 2 "bob"
//! 3 "carol"
//! *Edges            (undirected; *Arcs for directed ones)
//! 1 2 0.5           (optional weight)
//! *Arcslist         (or *Edgeslist: a vertex, then its neighbours)
//! 3 1 2
//! ```
//!
//! Vertices are numbered 1..n. When every vertex has a label and no two share one, the labels are
//! the node ids (as NetworkX reads them); otherwise the numbers are. A network with arcs is
//! directed, its edges each two arcs. An edge's third number is its weight (1 when a weighted
//! network leaves it out). `%` starts a comment line.

use std::path::Path;

use super::super::{EdgeList, NodeIds};
use super::{Declared, LoadOptions, ids_from_labels};
use crate::{Error, Result};

#[derive(Copy, Clone, PartialEq)]
enum Section {
    None,
    Vertices,
    Pairs { directed: bool },
    Lists { directed: bool },
}

/// Splits a Pajek line into words, a double-quoted label being one word.
fn words(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"').unwrap_or(r.len());
            out.push(&r[..end]);
            rest = r.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(&rest[..end]);
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// Reads a Pajek file.
pub(super) fn read(path: &Path, opts: &LoadOptions) -> Result<Declared> {
    let text = crate::input::read_text(path)?;
    let parse = |line: usize, value: &str, msg: &str| Error::Parse {
        path: path.to_path_buf(),
        line: line as u64 + 1,
        value: value.chars().take(80).collect(),
        msg: msg.into(),
    };
    let use_weight = !opts
        .weight
        .as_deref()
        .is_some_and(|w| w.eq_ignore_ascii_case("none"));
    if let Some(t) = opts
        .tie
        .as_deref()
        .filter(|t| !t.eq_ignore_ascii_case("none"))
    {
        return Err(Error::invalid(
            "--tie",
            t,
            "a Pajek file has no tie column; label ties with --ties instead",
        ));
    }
    let mut n: Option<usize> = None;
    let mut labels: Vec<Option<String>> = Vec::new();
    // (src, dst, weight, directed), vertex numbers from 1.
    let mut pairs: Vec<(usize, usize, Option<f32>, bool)> = Vec::new();
    let mut section = Section::None;
    let vertex = |i: usize, s: &str, n: Option<usize>| -> Result<usize> {
        let n = n.ok_or_else(|| parse(i, s, "an edge before the *Vertices line"))?;
        match s.parse::<usize>() {
            Ok(v) if (1..=n).contains(&v) => Ok(v),
            _ => Err(parse(
                i,
                s,
                &format!("a vertex must be a number from 1 to {n}"),
            )),
        }
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('%') {
            continue;
        }
        if let Some(head) = line.strip_prefix('*') {
            let w = words(head);
            let name = w
                .first()
                .map(|s| s.to_ascii_lowercase())
                .unwrap_or_default();
            section = match name.as_str() {
                "vertices" => {
                    if n.is_some() {
                        return Err(parse(i, line, "a second *Vertices line"));
                    }
                    let count = w
                        .get(1)
                        .and_then(|s| s.parse::<usize>().ok())
                        .filter(|&c| c < u32::MAX as usize)
                        .ok_or_else(|| {
                            parse(i, line, "*Vertices must give the number of vertices")
                        })?;
                    super::check_nodes(path, i as u64 + 1, count)?;
                    n = Some(count);
                    Section::Vertices
                }
                "arcs" => Section::Pairs { directed: true },
                "edges" => Section::Pairs { directed: false },
                "arcslist" => Section::Lists { directed: true },
                "edgeslist" => Section::Lists { directed: false },
                "network" => Section::None,
                "matrix" => {
                    return Err(parse(
                        i,
                        line,
                        "the *Matrix form is not supported; use *Arcs or *Edges",
                    ));
                }
                _ => return Err(parse(i, line, "an unknown section")),
            };
            continue;
        }
        let w = words(line);
        match section {
            Section::None => return Err(parse(i, line, "a line outside any section")),
            Section::Vertices => {
                let v = vertex(i, w[0], n)?;
                if let Some(label) = w.get(1) {
                    // Made on the first label: a network without labels needs no table.
                    if labels.is_empty() {
                        labels = vec![None; n.unwrap_or(0)];
                    }
                    labels[v - 1] = Some((*label).to_string());
                }
            }
            Section::Pairs { directed } => {
                if w.len() < 2 {
                    return Err(parse(i, line, "an edge needs two vertices"));
                }
                let (a, b) = (vertex(i, w[0], n)?, vertex(i, w[1], n)?);
                let weight = match w.get(2) {
                    Some(s) if use_weight => {
                        let x: f32 = s
                            .parse()
                            .map_err(|_| parse(i, s, "a weight must be a number"))?;
                        if !x.is_finite() || x < 0.0 {
                            return Err(parse(i, s, "a weight must be finite and not negative"));
                        }
                        Some(x)
                    }
                    _ => None,
                };
                pairs.push((a, b, weight, directed));
            }
            Section::Lists { directed } => {
                let a = vertex(i, w[0], n)?;
                for s in &w[1..] {
                    pairs.push((a, vertex(i, s, n)?, None, directed));
                }
            }
        }
    }
    let n = n.ok_or_else(|| Error::file(path, "no *Vertices line: not a Pajek network"))?;
    if pairs.is_empty() {
        return Err(Error::file(path, "no edges in the file"));
    }
    let weighted = pairs.iter().any(|p| p.2.is_some());
    // Labels are the ids when every vertex has one and they are distinct; else the numbers are.
    let distinct = || {
        let mut l: Vec<&str> = labels.iter().flatten().map(String::as_str).collect();
        l.sort_unstable();
        l.windows(2).all(|w| w[0] != w[1])
    };
    let (dense, ids) =
        if n > 0 && labels.len() == n && labels.iter().all(Option::is_some) && distinct() {
            let names: Vec<&str> = labels.iter().flatten().map(String::as_str).collect();
            ids_from_labels(&names)
        } else {
            (
                (0..n as u32).collect(),
                NodeIds::Numeric((1..=n as u64).collect()),
            )
        };
    let directed = pairs.iter().any(|p| p.3);
    let mut src = Vec::with_capacity(pairs.len());
    let mut dst = Vec::with_capacity(pairs.len());
    let mut weights = weighted.then(|| Vec::with_capacity(pairs.len()));
    for &(a, b, w, d) in &pairs {
        let (u, v) = (dense[a - 1], dense[b - 1]);
        for (x, y) in std::iter::once((u, v)).chain((directed && !d).then_some((v, u))) {
            src.push(x);
            dst.push(y);
            // An edge without a value has Pajek's default, 1.
            if let Some(ws) = weights.as_mut() {
                ws.push(w.unwrap_or(1.0));
            }
        }
    }
    Ok(Declared {
        edges: EdgeList {
            n: ids.len(),
            src,
            dst,
            ties: None,
            weights,
            ids,
        },
        directed,
    })
}
