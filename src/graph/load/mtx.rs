//! Matrix Market coordinate files (`.mtx`, `.mtx.gz`), as SciPy (`scipy.io.mmwrite`), NetworkX
//! and the SuiteSparse collection write adjacency matrices:
//!
//! ```text
//! %%MatrixMarket matrix coordinate real symmetric
//! % comments
//! 3 3 2            (rows, columns, entries)
//! 2 1 0.5          (row, column, value; 1-based; no value for `pattern`)
//! 3 2 1.0
//! ```
//!
//! A `symmetric` (or skew-symmetric, hermitian) matrix is an undirected graph, a `general` one a
//! directed graph with an arc from row to column. Values are the weights. Nodes are 1..n, isolated
//! ones included.

use std::path::Path;

use super::super::{EdgeList, NodeIds};
use super::{Declared, LoadOptions};
use crate::{Error, Result};

/// Reads a Matrix Market file.
pub(super) fn read(path: &Path, opts: &LoadOptions) -> Result<Declared> {
    let text = crate::input::read_text(path)?;
    let parse = |line: usize, value: &str, msg: &str| Error::Parse {
        path: path.to_path_buf(),
        line: line as u64 + 1,
        value: value.chars().take(80).collect(),
        msg: msg.into(),
    };
    if let Some(t) = opts
        .tie
        .as_deref()
        .filter(|t| !t.eq_ignore_ascii_case("none"))
    {
        return Err(Error::invalid(
            "--tie",
            t,
            "a Matrix Market file has no tie column; label ties with --ties instead",
        ));
    }
    let mut lines = text.lines().enumerate();
    let (_, banner) = lines
        .next()
        .ok_or_else(|| Error::file(path, "empty file: not a Matrix Market file"))?;
    let b: Vec<String> = banner
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    if b.first().map(String::as_str) != Some("%%matrixmarket") || b.len() < 5 || b[1] != "matrix" {
        return Err(parse(
            0,
            banner,
            "expected the banner %%MatrixMarket matrix coordinate FIELD SYMMETRY",
        ));
    }
    if b[2] != "coordinate" {
        return Err(parse(
            0,
            &b[2],
            "a dense (array) matrix is not an edge list; expected coordinate",
        ));
    }
    let valued = match b[3].as_str() {
        "real" | "integer" | "double" => true,
        "pattern" => false,
        other => {
            return Err(parse(
                0,
                other,
                "the field must be real, integer or pattern",
            ));
        }
    };
    let directed = match b[4].as_str() {
        "general" => true,
        "symmetric" | "skew-symmetric" | "hermitian" => false,
        other => return Err(parse(0, other, "the symmetry must be general or symmetric")),
    };
    let use_weight = valued
        && !opts
            .weight
            .as_deref()
            .is_some_and(|w| w.eq_ignore_ascii_case("none"));
    // The size line.
    let (size_line, size) = lines
        .by_ref()
        .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('%'))
        .ok_or_else(|| Error::file(path, "no size line (rows columns entries)"))?;
    let dims: Vec<u64> = size
        .split_whitespace()
        .map(|s| {
            s.parse::<u64>()
                .map_err(|_| parse(size_line, s, "a size must be a whole number"))
        })
        .collect::<Result<_>>()?;
    let [rows, cols, entries] = dims[..] else {
        return Err(parse(
            size_line,
            size,
            "the size line must be: rows columns entries",
        ));
    };
    if rows != cols {
        return Err(parse(size_line, size, "an adjacency matrix must be square"));
    }
    if rows >= u32::MAX as u64 {
        return Err(parse(
            size_line,
            size,
            "too many rows for hongbao (at most 2^32 - 2 nodes)",
        ));
    }
    let n = rows as usize;
    super::check_nodes(path, size_line as u64 + 1, n)?;
    if entries == 0 {
        return Err(Error::file(path, "no edges in the file"));
    }
    // Never trust the claimed count for an allocation beyond what the text can hold.
    let cap = (entries as usize).min(text.len() / 4 + 1);
    let mut src = Vec::with_capacity(cap);
    let mut dst = Vec::with_capacity(cap);
    let mut weights = use_weight.then(|| Vec::with_capacity(cap));
    let mut seen = 0u64;
    let mut last = size_line;
    for (i, line) in lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('%') {
            continue;
        }
        last = i;
        seen += 1;
        if seen > entries {
            return Err(parse(
                i,
                line,
                &format!("more entries than the {entries} the size line gives"),
            ));
        }
        let mut w = line.split_whitespace();
        let mut index = |what: &str| -> Result<u32> {
            let s = w
                .next()
                .ok_or_else(|| parse(i, line, &format!("a missing {what}")))?;
            match s.parse::<u64>() {
                Ok(x) if (1..=rows).contains(&x) => Ok((x - 1) as u32),
                _ => Err(parse(
                    i,
                    s,
                    &format!("a {what} must be a number from 1 to {rows}"),
                )),
            }
        };
        let (r, c) = (index("row")?, index("column")?);
        let value = if valued {
            let s = w.next().ok_or_else(|| parse(i, line, "a missing value"))?;
            let x: f64 = s
                .parse()
                .map_err(|_| parse(i, s, "a value must be a number"))?;
            if !x.is_finite() || x < 0.0 || x > f32::MAX as f64 {
                return Err(parse(i, s, "a weight must be finite and not negative"));
            }
            Some(x as f32)
        } else {
            None
        };
        src.push(r);
        dst.push(c);
        if let (Some(ws), Some(x)) = (weights.as_mut(), value) {
            ws.push(x);
        }
    }
    if seen < entries {
        return Err(parse(
            last,
            &seen.to_string(),
            &format!("the size line gives {entries} entries, the file has fewer"),
        ));
    }
    Ok(Declared {
        edges: EdgeList {
            n,
            src,
            dst,
            ties: None,
            weights,
            ids: NodeIds::Numeric((1..=rows).collect()),
        },
        directed,
    })
}
