//! Reading user files: edge lists (SNAP text, optionally gzipped; CSV; Parquet) and seed lists.
//! This is the only module of the library that reads user files.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rayon::prelude::*;

use super::build::{dense_numbering, intern_numeric, intern_text, node_ids};
use super::{EdgeList, Graph, TieClass};
use crate::{Error, Result};

/// Edge-list file formats.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Whitespace-separated `src dst [weight|tie]`, `#` or `%` comments; `.gz` read transparently.
    Text,
    /// Comma-separated with a header row, read through polars.
    Csv,
    /// Apache Parquet, read through polars.
    Parquet,
}

impl Format {
    /// The format a file name implies: `.txt`, `.tsv`, `.edges`, `.el`, `.dat` (each optionally
    /// `.gz`) are text, `.csv` is CSV, `.parquet`/`.pq` is Parquet.
    pub fn from_path(path: &Path) -> Result<Format> {
        let name = path
            .file_name()
            .map(|s| s.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let stem = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = stem.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        match ext {
            "txt" | "tsv" | "edges" | "el" | "dat" | "edgelist" => Ok(Format::Text),
            "csv" => Ok(Format::Csv),
            "parquet" | "pq" if !name.ends_with(".gz") => Ok(Format::Parquet),
            _ => Err(Error::file(
                path,
                format!(
                    "unknown file extension {:?}: expected .txt, .txt.gz, .tsv, .edges, .csv or .parquet \
                     (or give --format text|csv|parquet)",
                    name.rsplit_once('.').map(|(_, e)| e).unwrap_or(&name)
                ),
            )),
        }
    }

    /// Parses `text`, `csv` or `parquet`.
    pub fn parse(s: &str) -> Result<Format> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" | "snap" => Ok(Format::Text),
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            _ => Err(Error::invalid(
                "--format",
                s,
                "expected text, csv or parquet",
            )),
        }
    }
}

/// How to read an edge list.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// Keep arcs one-way (follower graphs). Default: undirected.
    pub directed: bool,
    /// Override the format implied by the extension.
    pub format: Option<Format>,
    /// Source column (CSV/Parquet name; text: 1-based column number). Default: `src`, `source`,
    /// `from`, else the first column.
    pub src: Option<String>,
    /// Target column. Default: `dst`, `target`, `to`, else the second column.
    pub dst: Option<String>,
    /// Weight column. Default: `weight` if present (text: column 3 if it holds numbers). `none`
    /// ignores any weight column; `rows` makes a tie's weight the number of rows between its two
    /// ends, in either direction when undirected (message logs such as CollegeMsg, where each row
    /// is one message).
    pub weight: Option<String>,
    /// Tie-class column (`strong`/`weak`). Default: `tie` if present (text: column 3 if it holds
    /// tie words).
    pub tie: Option<String>,
    /// Interaction layers over the same people (`PATH[:SRC,DST]`): every row of a layer between two
    /// people who are tied in the graph adds 1 to that tie's weight, in either direction. Rows
    /// between people without a tie are ignored (and counted). Then `--ties weight:1` makes a tie
    /// strong when the two also interact (e.g. Facebook friends who call or text).
    pub layers: Vec<String>,
}

/// Loads a graph from `path`.
///
/// # Errors
/// A missing, empty or corrupt file, an unknown extension, a malformed line (named by file, line
/// number and value), or a missing column.
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Graph> {
    let format = match opts.format {
        Some(f) => f,
        None => Format::from_path(path)?,
    };
    let count = opts
        .weight
        .as_deref()
        .is_some_and(|w| w.eq_ignore_ascii_case("rows"));
    let read_opts = if count {
        &LoadOptions {
            weight: Some("none".into()),
            ..opts.clone()
        }
    } else {
        opts
    };
    let edges = match format {
        Format::Text => read_text(path, read_opts)?,
        Format::Csv | Format::Parquet => read_table(path, format, read_opts)?,
    };
    if edges.src.is_empty() {
        return Err(Error::file(path, "no edges in the file"));
    }
    let rows = count.then(|| (edges.src.clone(), edges.dst.clone()));
    let mut graph = Graph::from_edges(edges, opts.directed);
    if let Some((src, dst)) = rows {
        graph = count_rows(graph, &src, &dst, opts.directed);
    }
    if !opts.layers.is_empty() {
        return add_layers(graph, &opts.layers).map(|(g, _)| g);
    }
    Ok(graph)
}

/// Weights every tie by the number of rows between its ends (self-loops are not ties).
fn count_rows(graph: Graph, src: &[u32], dst: &[u32], directed: bool) -> Graph {
    let mut weights = vec![0f32; graph.arc_count()];
    for (&u, &v) in src.iter().zip(dst) {
        if u == v {
            continue;
        }
        if let Some(i) = graph.find_arc(u, v) {
            weights[i] += 1.0;
        }
        if !directed && let Some(i) = graph.find_arc(v, u) {
            weights[i] += 1.0;
        }
    }
    graph.with_weights(weights)
}

/// Reads a whole file, gunzipping when its name ends in `.gz`.
fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let size = file.metadata().map(|m| m.len() as usize).unwrap_or(0);
    let mut buf = Vec::with_capacity(size + 1);
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    if gz {
        flate2::read::MultiGzDecoder::new(file)
            .read_to_end(&mut buf)
            .map_err(|e| Error::file(path, format!("corrupt or truncated gzip data: {e}")))?;
    } else {
        file.read_to_end(&mut buf).map_err(|e| Error::io(path, e))?;
    }
    Ok(buf)
}

/// What the third (or a chosen) column of a text edge list holds.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Extra {
    None,
    Weight(usize),
    Tie(usize),
}

/// One parsed chunk of a text file.
#[derive(Default)]
struct Chunk {
    /// Ids below `u32::MAX` are stored as they are; `u32::MAX` means "the next one in `big`".
    src: Vec<u32>,
    dst: Vec<u32>,
    big_src: Vec<u64>,
    big_dst: Vec<u64>,
    weights: Vec<f32>,
    ties: Vec<TieClass>,
    lines: u64,
}

impl Chunk {
    /// Adds one edge (ids of 32 bits or less take 4 bytes each, not 8).
    #[inline]
    fn push(&mut self, u: u64, v: u64) {
        let narrow = |x: u64, big: &mut Vec<u64>| {
            if x < u32::MAX as u64 {
                x as u32
            } else {
                big.push(x);
                u32::MAX
            }
        };
        let a = narrow(u, &mut self.big_src);
        let b = narrow(v, &mut self.big_dst);
        self.src.push(a);
        self.dst.push(b);
    }

    /// The ids of one side, full width.
    fn wide<'a>(narrow: &'a [u32], big: &'a [u64]) -> impl Iterator<Item = u64> + 'a {
        let mut big = big.iter();
        narrow.iter().map(move |&x| {
            if x == u32::MAX {
                *big.next().expect("one big id per marker")
            } else {
                x as u64
            }
        })
    }
}

/// A parse failure inside a chunk: (line within the chunk, offending value, message).
type ChunkError = (u64, String, String);

fn column_number(option: &str, value: &str) -> Result<usize> {
    match value.parse::<usize>() {
        Ok(c) if (1..=8).contains(&c) => Ok(c - 1),
        _ => Err(Error::invalid(
            option,
            value,
            "for a text edge list, columns are numbered 1 to 8",
        )),
    }
}

fn is_comment(line: &[u8]) -> bool {
    matches!(line.first(), None | Some(b'#') | Some(b'%'))
}

/// A whole file's bytes: memory-mapped for a plain file (no copy), decompressed for `.gz`.
enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

fn map_or_read(path: &Path) -> Result<Bytes> {
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    if !gz {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len > 0 {
            // SAFETY: the map is read-only and lives only while we parse; if another process
            // truncates the file meanwhile, reads past the new end fault (SIGBUS). hongbao accepts
            // that risk for files it only reads, as ripgrep does.
            if let Ok(m) = unsafe { memmap2::Mmap::map(&file) } {
                return Ok(Bytes::Mapped(m));
            }
        }
    }
    read_bytes(path).map(Bytes::Owned)
}

fn read_text(path: &Path, opts: &LoadOptions) -> Result<EdgeList> {
    let bytes = map_or_read(path)?;
    let src_col = opts
        .src
        .as_deref()
        .map(|s| column_number("--src", s))
        .transpose()?
        .unwrap_or(0);
    let dst_col = opts
        .dst
        .as_deref()
        .map(|s| column_number("--dst", s))
        .transpose()?
        .unwrap_or(1);
    // The kind of the extra column: given, or sniffed from the first data line.
    let extra = match (&opts.weight, &opts.tie) {
        (Some(w), None) if w.eq_ignore_ascii_case("none") => Extra::None,
        (Some(w), Some(t)) if w.eq_ignore_ascii_case("none") => {
            Extra::Tie(column_number("--tie", t)?)
        }
        (Some(w), _) => Extra::Weight(column_number("--weight", w)?),
        (None, Some(t)) => Extra::Tie(column_number("--tie", t)?),
        (None, None) => {
            let first = bytes
                .split(|&b| b == b'\n')
                .map(|l| l.trim_ascii())
                .find(|l| !is_comment(l));
            let third = first.and_then(|l| {
                l.split(|b| b.is_ascii_whitespace() || *b == b',')
                    .filter(|t| !t.is_empty())
                    .nth(2)
            });
            match third {
                None => Extra::None,
                Some(t) => {
                    let t = String::from_utf8_lossy(t);
                    if t.parse::<f64>().is_ok() {
                        Extra::Weight(2)
                    } else {
                        Extra::Tie(2)
                    }
                }
            }
        }
    };

    // Split into chunks at line boundaries and parse them in parallel.
    let target = (bytes.len() / (rayon::current_num_threads() * 8)).max(1 << 20);
    let mut bounds = vec![0usize];
    while *bounds.last().unwrap() < bytes.len() {
        let start = *bounds.last().unwrap();
        let mut end = (start + target).min(bytes.len());
        while end < bytes.len() && bytes[end - 1] != b'\n' {
            end += 1;
        }
        bounds.push(end);
    }
    let chunks: Vec<std::result::Result<Chunk, ChunkError>> = bounds
        .par_windows(2)
        .map(|w| parse_chunk(&bytes[w[0]..w[1]], src_col, dst_col, extra))
        .collect();

    let mut parsed = Vec::with_capacity(chunks.len());
    let mut lines = 0u64;
    for c in chunks {
        match c {
            Ok(c) => {
                lines += c.lines;
                parsed.push(c);
            }
            Err((line, value, msg)) => {
                return Err(Error::Parse {
                    path: path.to_path_buf(),
                    line: lines + line,
                    value,
                    msg,
                });
            }
        }
    }
    // The text (a memory map or a decompressed buffer) is no longer needed: free it first.
    drop(bytes);
    let (n, ids, src, dst) = intern_chunks(&parsed);
    Ok(EdgeList {
        n,
        src,
        dst,
        ties: matches!(extra, Extra::Tie(_))
            .then(|| parsed.iter().flat_map(|c| c.ties.iter().copied()).collect()),
        weights: matches!(extra, Extra::Weight(_)).then(|| {
            parsed
                .iter()
                .flat_map(|c| c.weights.iter().copied())
                .collect()
        }),
        ids,
    })
}

/// Interns the ids of parsed chunks without first concatenating them.
fn intern_chunks(chunks: &[Chunk]) -> (usize, super::NodeIds, Vec<u32>, Vec<u32>) {
    let m: usize = chunks.iter().map(|c| c.src.len()).sum();
    let wide = chunks
        .iter()
        .any(|c| !c.big_src.is_empty() || !c.big_dst.is_empty());
    let max = if wide {
        u64::MAX
    } else {
        chunks
            .par_iter()
            .map(|c| c.src.iter().chain(&c.dst).copied().max().unwrap_or(0) as u64)
            .max()
            .unwrap_or(0)
    };
    if max > 4 * 2 * m as u64 + 1024 {
        // Sparse ids: the general path.
        let src: Vec<u64> = chunks
            .iter()
            .flat_map(|c| Chunk::wide(&c.src, &c.big_src))
            .collect();
        let dst: Vec<u64> = chunks
            .iter()
            .flat_map(|c| Chunk::wide(&c.dst, &c.big_dst))
            .collect();
        return intern_pairs_numeric(&src, &dst);
    }
    // Dense ids: mark, number in order, map each chunk in parallel into its slice of the output.
    let (table, uniq) = dense_numbering(
        max,
        chunks
            .par_iter()
            .flat_map(|c| c.src.par_iter().chain(c.dst.par_iter()))
            .map(|&x| x as u64),
    );
    let mut src = vec![0u32; m];
    let mut dst = vec![0u32; m];
    let mut parts = Vec::with_capacity(chunks.len());
    let (mut s_rest, mut d_rest): (&mut [u32], &mut [u32]) = (&mut src, &mut dst);
    for c in chunks {
        let (s, sr) = s_rest.split_at_mut(c.src.len());
        let (d, dr) = d_rest.split_at_mut(c.dst.len());
        parts.push((c, s, d));
        s_rest = sr;
        d_rest = dr;
    }
    parts.into_par_iter().for_each(|(c, s, d)| {
        for (o, &x) in s.iter_mut().zip(&c.src) {
            *o = table[x as usize];
        }
        for (o, &x) in d.iter_mut().zip(&c.dst) {
            *o = table[x as usize];
        }
    });
    (uniq.len(), node_ids(uniq, max), src, dst)
}

fn intern_pairs_numeric(src: &[u64], dst: &[u64]) -> (usize, super::NodeIds, Vec<u32>, Vec<u32>) {
    let mut raw = Vec::with_capacity(src.len() * 2);
    raw.extend_from_slice(src);
    raw.extend_from_slice(dst);
    let (dense, ids) = intern_numeric(&raw);
    let m = src.len();
    (ids.len(), ids, dense[..m].to_vec(), dense[m..].to_vec())
}

#[inline]
fn parse_id(tok: &[u8]) -> Option<u64> {
    if tok.is_empty() || tok.len() > 19 {
        // Longer than any 19-digit number: let the standard parser decide (it rejects overflow).
        return std::str::from_utf8(tok).ok()?.parse::<u64>().ok();
    }
    let mut x = 0u64;
    for &b in tok {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        x = x * 10 + d as u64;
    }
    Some(x)
}

/// Parses a line that is exactly two decimal ids separated by blanks or a comma (and optionally
/// followed by more columns); `None` for anything else.
#[inline]
fn two_ids(line: &[u8]) -> Option<(u64, u64)> {
    let mut i = 0;
    let n = line.len();
    let number = |i: &mut usize| -> Option<u64> {
        let start = *i;
        let mut x = 0u64;
        while *i < n && line[*i].is_ascii_digit() {
            x = x.checked_mul(10)?.checked_add((line[*i] - b'0') as u64)?;
            *i += 1;
        }
        (*i > start).then_some(x)
    };
    while i < n && (line[i] == b' ' || line[i] == b'\t') {
        i += 1;
    }
    let u = number(&mut i)?;
    let sep = i;
    while i < n && matches!(line[i], b' ' | b'\t' | b',') {
        i += 1;
    }
    if i == sep {
        return None;
    }
    let v = number(&mut i)?;
    // The id must end at a separator or the end of the line.
    if i < n && !matches!(line[i], b' ' | b'\t' | b',' | b'\r' | b'\n') {
        return None;
    }
    Some((u, v))
}

fn parse_chunk(
    text: &[u8],
    src_col: usize,
    dst_col: usize,
    extra: Extra,
) -> std::result::Result<Chunk, ChunkError> {
    let mut out = Chunk::default();
    let need = src_col.max(dst_col) + 1;
    let mut toks: [&[u8]; 8] = [&[]; 8];
    let plain = src_col == 0 && dst_col == 1 && extra == Extra::None;
    for raw_line in text.split_inclusive(|&b| b == b'\n') {
        out.lines += 1;
        // Fast path for the common `src dst` line; anything unusual takes the general path below,
        // which also produces the error messages.
        if plain && let Some((u, v)) = two_ids(raw_line) {
            out.push(u, v);
            continue;
        }
        let line = raw_line.trim_ascii();
        if is_comment(line) {
            continue;
        }
        let mut count = 0;
        for t in line
            .split(|b| b.is_ascii_whitespace() || *b == b',')
            .filter(|t| !t.is_empty())
        {
            if count < toks.len() {
                toks[count] = t;
            }
            count += 1;
        }
        let lossy = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
        if count < need {
            return Err((
                out.lines,
                lossy(line),
                format!("expected at least {need} columns (source target)"),
            ));
        }
        let u = parse_id(toks[src_col]).ok_or_else(|| {
            (
                out.lines,
                lossy(toks[src_col]),
                "node id is not a non-negative integer".to_string(),
            )
        })?;
        let v = parse_id(toks[dst_col]).ok_or_else(|| {
            (
                out.lines,
                lossy(toks[dst_col]),
                "node id is not a non-negative integer".to_string(),
            )
        })?;
        out.push(u, v);
        match extra {
            Extra::None => {}
            Extra::Weight(c) => {
                let w = if c < count {
                    let s = std::str::from_utf8(toks[c]).unwrap_or("");
                    match s.parse::<f64>() {
                        Ok(w) if w.is_finite() => w as f32,
                        _ => {
                            return Err((
                                out.lines,
                                lossy(toks[c]),
                                "weight is not a finite number".into(),
                            ));
                        }
                    }
                } else {
                    1.0
                };
                out.weights.push(w);
            }
            Extra::Tie(c) => {
                let t = if c < count {
                    let s = std::str::from_utf8(toks[c]).unwrap_or("");
                    TieClass::parse(s).ok_or_else(|| {
                        (
                            out.lines,
                            lossy(toks[c]),
                            "tie class must be strong or weak".to_string(),
                        )
                    })?
                } else {
                    TieClass::Weak
                };
                out.ties.push(t);
            }
        }
    }
    Ok(out)
}

/// Reads CSV or Parquet through polars.
fn read_table(path: &Path, format: Format, opts: &LoadOptions) -> Result<EdgeList> {
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    if std::fs::metadata(path)
        .map(|m| m.len() == 0)
        .unwrap_or(false)
    {
        return Err(Error::file(path, "the file is empty"));
    }
    let polars_err = |e: PolarsError| Error::file(path, format!("cannot read {format:?}: {e}"));
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let csv = || {
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(10_000))
    };
    let df = match format {
        Format::Csv if gz => csv()
            .into_reader_with_file_handle(std::io::Cursor::new(read_bytes(path)?))
            .finish()
            .map_err(polars_err)?,
        Format::Csv => csv()
            .try_into_reader_with_file_path(Some(PathBuf::from(path)))
            .map_err(polars_err)?
            .finish()
            .map_err(polars_err)?,
        _ => {
            let file = File::open(path).map_err(|e| Error::io(path, e))?;
            ParquetReader::new(file).finish().map_err(polars_err)?
        }
    };
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let header_rows = if format == Format::Csv { 2 } else { 1 };
    let pick = |given: &Option<String>,
                defaults: &[&str],
                position: Option<usize>,
                what: &str|
     -> Result<Option<String>> {
        if let Some(g) = given {
            if names.iter().any(|n| n == g) {
                return Ok(Some(g.clone()));
            }
            return Err(Error::file(
                path,
                format!("no column {g:?} (given as the {what} column); the columns are {names:?}"),
            ));
        }
        for d in defaults {
            if let Some(n) = names.iter().find(|n| n.eq_ignore_ascii_case(d)) {
                return Ok(Some(n.clone()));
            }
        }
        Ok(position.and_then(|p| names.get(p).cloned()))
    };
    let src = pick(&opts.src, &["src", "source", "from", "u"], Some(0), "--src")?;
    let dst = pick(&opts.dst, &["dst", "target", "to", "v"], Some(1), "--dst")?;
    let (Some(src), Some(dst)) = (src, dst) else {
        return Err(Error::file(
            path,
            format!("need two columns for source and target; found {names:?}"),
        ));
    };
    let weight = match opts.weight.as_deref() {
        Some(w) if w.eq_ignore_ascii_case("none") => None,
        _ => pick(&opts.weight, &["weight", "w", "count"], None, "--weight")?,
    };
    let tie = pick(&opts.tie, &["tie", "tie_class", "ties"], None, "--tie")?;

    let col = |name: &str| {
        df.column(name)
            .map_err(polars_err)
            .map(|c| c.as_materialized_series().clone())
    };
    let (s_src, s_dst) = (col(&src)?, col(&dst)?);
    let null_at = |s: &Series, name: &str| -> Result<()> {
        if s.null_count() > 0 {
            let row = s
                .is_null()
                .iter()
                .position(|x| x == Some(true))
                .unwrap_or(0);
            return Err(Error::Parse {
                path: path.to_path_buf(),
                line: (row + header_rows) as u64,
                value: String::new(),
                msg: format!("empty value in column {name:?}"),
            });
        }
        Ok(())
    };
    null_at(&s_src, &src)?;
    null_at(&s_dst, &dst)?;
    let m = s_src.len();

    let numeric = s_src.dtype().is_integer() && s_dst.dtype().is_integer();
    let (n, ids, dsrc, ddst) = if numeric {
        let to_u64 = |s: &Series, name: &str| -> Result<Vec<u64>> {
            let ints = s.cast(&DataType::Int64).map_err(polars_err)?;
            let ca = ints.i64().map_err(polars_err)?;
            ca.iter()
                .enumerate()
                .map(|(row, x)| {
                    let x = x.unwrap_or(0);
                    u64::try_from(x).map_err(|_| Error::Parse {
                        path: path.to_path_buf(),
                        line: (row + header_rows) as u64,
                        value: x.to_string(),
                        msg: format!("negative node id in column {name:?}"),
                    })
                })
                .collect()
        };
        let (a, b) = (to_u64(&s_src, &src)?, to_u64(&s_dst, &dst)?);
        intern_pairs_numeric(&a, &b)
    } else {
        let to_str = |s: &Series| -> Result<Vec<String>> {
            let st = s.cast(&DataType::String).map_err(polars_err)?;
            Ok(st
                .str()
                .map_err(polars_err)?
                .iter()
                .map(|x| x.unwrap_or("").to_string())
                .collect())
        };
        let mut raw = to_str(&s_src)?;
        raw.extend(to_str(&s_dst)?);
        let (dense, ids) = intern_text(&raw);
        (ids.len(), ids, dense[..m].to_vec(), dense[m..].to_vec())
    };

    let weights = match &weight {
        None => None,
        Some(name) => {
            let s = col(name)?;
            null_at(&s, name)?;
            let f = s.cast(&DataType::Float64).map_err(polars_err)?;
            let ca = f.f64().map_err(polars_err)?;
            let mut out = Vec::with_capacity(m);
            for (row, x) in ca.iter().enumerate() {
                match x {
                    Some(x) if x.is_finite() => out.push(x as f32),
                    _ => {
                        let orig = s.get(row).map(|v| v.to_string()).unwrap_or_default();
                        return Err(Error::Parse {
                            path: path.to_path_buf(),
                            line: (row + header_rows) as u64,
                            value: orig,
                            msg: format!("weight in column {name:?} is not a finite number"),
                        });
                    }
                }
            }
            Some(out)
        }
    };
    let ties = match &tie {
        None => None,
        Some(name) => {
            let s = col(name)?;
            null_at(&s, name)?;
            let st = s.cast(&DataType::String).map_err(polars_err)?;
            let ca = st.str().map_err(polars_err)?;
            let mut out = Vec::with_capacity(m);
            for (row, x) in ca.iter().enumerate() {
                let x = x.unwrap_or("");
                out.push(TieClass::parse(x).ok_or_else(|| Error::Parse {
                    path: path.to_path_buf(),
                    line: (row + header_rows) as u64,
                    value: x.to_string(),
                    msg: format!("tie class in column {name:?} must be strong or weak"),
                })?);
            }
            Some(out)
        }
    };
    Ok(EdgeList {
        n,
        src: dsrc,
        dst: ddst,
        ties,
        weights,
        ids,
    })
}

/// What [`add_layers`] did: rows that matched a tie, and rows between people without one.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LayerCounts {
    pub matched: u64,
    pub outside: u64,
}

/// Adds interaction layers to `graph` as tie weights (see [`LoadOptions::layers`]). A graph without
/// weights starts from 0 on every tie.
///
/// # Errors
/// A layer that cannot be read, or a malformed `PATH[:SRC,DST]` spec.
pub fn add_layers(graph: Graph, layers: &[String]) -> Result<(Graph, LayerCounts)> {
    let mut weights: Vec<f32> = graph
        .weights()
        .map(|w| w.to_vec())
        .unwrap_or_else(|| vec![0.0; graph.arc_count()]);
    let mut counts = LayerCounts::default();
    for spec in layers {
        // PATH or PATH:SRC,DST (a path may itself contain ':', so split at the last one only when
        // what follows looks like two column names).
        let (file, cols) = match spec.rsplit_once(':') {
            Some((f, c)) if c.split(',').count() == 2 && !c.contains('/') => (f, Some(c)),
            _ => (spec.as_str(), None),
        };
        let (src, dst) = match cols {
            Some(c) => {
                let (a, b) = c.split_once(',').expect("two names");
                (Some(a.trim().to_string()), Some(b.trim().to_string()))
            }
            None => (None, None),
        };
        let path = Path::new(file);
        let opts = LoadOptions {
            directed: true,
            src,
            dst,
            ..Default::default()
        };
        let format = Format::from_path(path)?;
        let layer = match format {
            Format::Text => read_text(path, &opts)?,
            _ => read_table(path, format, &opts)?,
        };
        // Map the layer's ids onto the graph's.
        let to_graph: Vec<Option<u32>> = (0..layer.ids.len() as u32)
            .map(|u| graph.ids().find(&layer.ids.label(u)))
            .collect();
        for (&a, &b) in layer.src.iter().zip(&layer.dst) {
            let (Some(u), Some(v)) = (to_graph[a as usize], to_graph[b as usize]) else {
                counts.outside += 1;
                continue;
            };
            let mut hit = false;
            for (x, y) in [(u, v), (v, u)] {
                if let Some(i) = graph.find_arc(x, y) {
                    weights[i] += 1.0;
                    hit = true;
                }
            }
            if hit {
                counts.matched += 1;
            } else {
                counts.outside += 1;
            }
        }
    }
    Ok((graph.with_weights(weights), counts))
}

/// Reads a seed list: one node per line, in the graph's original ids, optionally followed by the
/// hour at which that seed starts (default 0). `#` starts a comment.
pub fn load_seed_file(path: &Path, graph: &Graph) -> Result<Vec<(u32, f64)>> {
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
        let node = graph.ids().find(id).ok_or_else(|| Error::Parse {
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
        seeds.push((node, hour));
    }
    if seeds.is_empty() {
        return Err(Error::file(path, "no seeds in the file"));
    }
    Ok(seeds)
}
