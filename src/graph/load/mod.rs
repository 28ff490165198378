//! Reading graphs from user files: SNAP text (`.gz` too, parsed in parallel chunks), CSV and
//! Parquet through polars, interaction layers added as tie weights, and seed lists. One file per
//! job: `text`, `table`, `layers`, `seeds`; this file picks the reader and builds the graph.

mod graphml;
mod layers;
mod mtx;
mod pajek;
mod seeds;
mod table;
mod text;

use std::path::Path;

use super::build::intern_numeric;
use super::{Graph, NodeIds};
use crate::{Error, Result};

pub use layers::{LayerCounts, add_layers};
pub use seeds::load_seed_file;
pub(crate) use seeds::read_seed_file;
pub use text::{Share, ShareReader};

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
    /// GraphML (`.graphml`, also gzipped): nodes, direction and edge attributes as declared.
    Graphml,
    /// Pajek `.net`: `*Vertices`, `*Arcs`/`*Edges` (and their list forms).
    Pajek,
    /// Matrix Market `.mtx`: a square coordinate matrix, symmetric (undirected) or general.
    #[serde(rename = "mtx")]
    MatrixMarket,
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
            "graphml" => Ok(Format::Graphml),
            "net" => Ok(Format::Pajek),
            "mtx" | "mm" => Ok(Format::MatrixMarket),
            _ => Err(Error::file(
                path,
                format!(
                    "unknown file extension {:?}: expected .txt, .txt.gz, .tsv, .edges, .csv, .parquet, \
                     .graphml, .net or .mtx (or give --format text|csv|parquet|graphml|pajek|mtx)",
                    name.rsplit_once('.').map(|(_, e)| e).unwrap_or(&name)
                ),
            )),
        }
    }

    /// Parses `text`, `csv`, `parquet`, `graphml`, `pajek` or `mtx`.
    pub fn parse(s: &str) -> Result<Format> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" | "snap" => Ok(Format::Text),
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            "graphml" => Ok(Format::Graphml),
            "pajek" | "net" => Ok(Format::Pajek),
            "mtx" | "matrix-market" | "matrixmarket" => Ok(Format::MatrixMarket),
            _ => Err(Error::invalid(
                "--format",
                s,
                "expected text, csv, parquet, graphml, pajek or mtx",
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
    /// The memory loading may use, in bytes (default: what the machine and the process's limits
    /// allow, see `mem::allowance`); a file whose estimate exceeds it is refused before reading.
    pub max_memory: Option<u64>,
}

/// The most text deflate makes of one byte (a run of one byte repeated: 258 bytes a 2-bit code).
const MAX_DEFLATE_RATIO: u64 = 1032;

/// Bytes of memory that loading `path` will need, estimated from its size and first lines: the
/// text itself (read whole, or mapped), then per line an edge in the list, its interned ids and
/// its two arcs in the CSR with their classes and sort buffers (about 48 bytes, measured on ba_1m
/// under ulimit -v), plus the per-node
/// arrays.
fn load_estimate(path: &Path, format: Format) -> Result<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let gz = crate::input::is_gzip(path);
    // A gzip file ends with its uncompressed size modulo 4 GiB; a file cut short ends with any
    // four bytes, so the size is held to what deflate can give (at most 1,032 bytes a byte):
    // without that, a cut file of 25 kB was refused as needing 22 GiB where the machine had less,
    // instead of being named as a broken gzip file.
    let text = if gz && size >= 18 {
        let mut tail = [0u8; 4];
        f.seek(SeekFrom::End(-4)).map_err(|e| Error::io(path, e))?;
        f.read_exact(&mut tail).map_err(|e| Error::io(path, e))?;
        f.seek(SeekFrom::Start(0)).map_err(|e| Error::io(path, e))?;
        let isize = u32::from_le_bytes(tail) as u64;
        if isize >= size {
            isize.min(size.saturating_mul(MAX_DEFLATE_RATIO))
        } else {
            size * 4
        }
    } else {
        size
    };
    if format == Format::Parquet {
        // Columnar and compressed: a generous ratio.
        return Ok(size.saturating_mul(12));
    }
    // Bytes per line from 64 KiB of text.
    let mut head = vec![0u8; 1 << 16];
    let n = if gz {
        let mut d = flate2::read::MultiGzDecoder::new(f);
        let mut got = 0;
        while got < head.len() {
            match d.read(&mut head[got..]) {
                Ok(0) | Err(_) => break,
                Ok(k) => got += k,
            }
        }
        got
    } else {
        // From the middle of the file: ids grow along many files, and so do lines.
        let mid = size.saturating_sub(head.len() as u64) / 2;
        f.seek(SeekFrom::Start(mid))
            .map_err(|e| Error::io(path, e))?;
        f.read(&mut head).unwrap_or(0)
    };
    let lines_in_head = head[..n].iter().filter(|&&b| b == b'\n').count().max(1) as u64;
    let per_line = (n as u64 / lines_in_head).max(4);
    let lines = text / per_line + 1;
    Ok(text + lines * 48 + (1 << 20))
}

/// Refuses `path` when loading it would need more memory than allowed.
fn check_room(path: &Path, format: Format, opts: &LoadOptions) -> Result<()> {
    let need = load_estimate(path, format)?;
    let (limit, from_flag) = match opts.max_memory {
        Some(m) => (m, true),
        None => match crate::mem::allowance() {
            Some(a) => (a, false),
            None => return Ok(()),
        },
    };
    if need > limit {
        return Err(Error::file(
            path,
            format!(
                "loading it needs about {} of memory, more than the {} {}; use a smaller graph or a machine with more memory{}",
                crate::mem::human(need),
                crate::mem::human(limit),
                if from_flag {
                    "that --max-memory allows"
                } else {
                    "available"
                },
                if from_flag {
                    ", or raise --max-memory"
                } else {
                    " (or --max-memory, if the estimate is too cautious)"
                }
            ),
        ));
    }
    Ok(())
}

/// Loads a graph from `path`.
///
/// # Errors
/// A missing, empty or corrupt file, an unknown extension, a malformed line (named by file, line
/// number and value), or a missing column.
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Graph> {
    load_as(path, opts, false)
}

/// Loads a graph from `path` with every arc turned round (what reverse-reachable sampling reads):
/// the same graph as [`load`] then [`Graph::transposed`], but a directed text edge list is built
/// reversed from the start, and the forward graph is never made. An undirected graph is its own
/// transpose.
///
/// # Errors
/// As [`load`].
pub fn load_reversed(path: &Path, opts: &LoadOptions) -> Result<Graph> {
    load_as(path, opts, true)
}

fn load_as(path: &Path, opts: &LoadOptions, reversed: bool) -> Result<Graph> {
    let format = match opts.format {
        Some(f) => f,
        None => Format::from_path(path)?,
    };
    check_room(path, format, opts)?;
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
    let text_pieces = format == Format::Text && !count;
    // A directed edge list is turned round where its edges are read (its ends swapped before the
    // build); any other graph (other formats, row counts, layers) once built.
    let turn_early = reversed && text_pieces && opts.directed && opts.layers.is_empty();
    let graph = if text_pieces {
        // The parsed chunks are built into the graph where they are, not joined first.
        let mut parsed = text::read_pieces(path, read_opts)?;
        if parsed.pieces.len() == 0 {
            return Err(Error::file(path, "no edges in the file"));
        }
        if turn_early {
            parsed.pieces.turn_round();
        }
        parsed.into_graph(opts.directed)
    } else {
        let (edges, directed) = match format {
            Format::Text => (text::read(path, read_opts)?, opts.directed),
            Format::Csv | Format::Parquet => (table::read(path, format, read_opts)?, opts.directed),
            Format::Graphml | Format::Pajek | Format::MatrixMarket => {
                let d = match format {
                    Format::Graphml => graphml::read(path, read_opts)?,
                    Format::Pajek => pajek::read(path, read_opts)?,
                    _ => mtx::read(path, read_opts)?,
                };
                // The file says whether it is directed; --directed keeps an undirected file's
                // edges one-way, as for edge lists.
                (d.edges, d.directed || opts.directed)
            }
        };
        if edges.src.is_empty() {
            return Err(Error::file(path, "no edges in the file"));
        }
        let rows = count.then(|| (edges.src.clone(), edges.dst.clone()));
        let graph = Graph::from_edges(edges, directed);
        match rows {
            Some((src, dst)) => layers::count_rows(graph, &src, &dst, directed),
            None => graph,
        }
    };
    let graph = if opts.layers.is_empty() {
        graph
    } else {
        add_layers(graph, &opts.layers)?.0
    };
    // The graph's own direction decides (a GraphML, Pajek or Matrix Market file may declare
    // itself directed without --directed): `transposed` leaves an undirected graph as it is.
    Ok(if reversed && !turn_early {
        graph.transposed()
    } else {
        graph
    })
}

/// A graph file that declares its nodes (isolated ones too) and its direction: GraphML, Pajek,
/// Matrix Market.
pub(super) struct Declared {
    pub edges: super::EdgeList,
    /// The file's edges are arcs (some of them, for a mixed file: its undirected edges are then
    /// already given both ways).
    pub directed: bool,
}

/// Dense ids for node labels as a file gives them: numbers when every label is one (then ordered
/// as numbers), text otherwise.
pub(super) fn ids_from_labels(raw: &[&str]) -> (Vec<u32>, NodeIds) {
    let numbers: Option<Vec<u64>> = raw.iter().map(|s| s.parse::<u64>().ok()).collect();
    match numbers {
        Some(v) if !v.is_empty() => intern_numeric(&v),
        _ => super::build::intern_text(raw),
    }
}

/// Refuses a file that declares more nodes than memory holds (about 64 bytes a node while
/// loading), before anything is allocated for them.
pub(super) fn check_nodes(path: &Path, line: u64, n: usize) -> Result<()> {
    let need = (n as u64).saturating_mul(64);
    match crate::mem::allowance() {
        Some(limit) if need > limit => Err(Error::Parse {
            path: path.to_path_buf(),
            line,
            value: n.to_string(),
            msg: format!(
                "that many nodes need about {} of memory, more than the {} available",
                crate::mem::human(need),
                crate::mem::human(limit)
            ),
        }),
        _ => Ok(()),
    }
}

/// Numbers numeric ids densely for an edge list given as two columns of original ids.
pub(super) fn intern_pairs_numeric(
    src: &[u64],
    dst: &[u64],
) -> (usize, NodeIds, Vec<u32>, Vec<u32>) {
    let mut raw = Vec::with_capacity(src.len() * 2);
    raw.extend_from_slice(src);
    raw.extend_from_slice(dst);
    let (dense, ids) = intern_numeric(&raw);
    let m = src.len();
    (ids.len(), ids, dense[..m].to_vec(), dense[m..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_extension_or_the_flag() {
        for (name, f) in [
            ("a.txt", Format::Text),
            ("a.TXT.gz", Format::Text),
            ("a.edgelist", Format::Text),
            ("a.csv", Format::Csv),
            ("a.csv.gz", Format::Csv),
            ("a.parquet", Format::Parquet),
        ] {
            assert_eq!(Format::from_path(Path::new(name)).unwrap(), f, "{name}");
        }
        for bad in ["a.parquet.gz", "a.xlsx", "noext"] {
            let e = Format::from_path(Path::new(bad)).unwrap_err().to_string();
            assert!(e.contains(bad) && e.contains("--format"), "{e}");
        }
        assert_eq!(Format::parse("SNAP").unwrap(), Format::Text);
        assert!(
            Format::parse("xml")
                .unwrap_err()
                .to_string()
                .contains("--format")
        );
    }

    /// Every array of two graphs, their ids and what the builder dropped.
    fn assert_same(a: &Graph, b: &Graph, what: &str) {
        assert_eq!(a.offsets(), b.offsets(), "{what}");
        assert_eq!(a.targets(), b.targets(), "{what}");
        assert_eq!(a.ties(), b.ties(), "{what}");
        assert_eq!(a.weights(), b.weights(), "{what}");
        assert_eq!(a.build_counts(), b.build_counts(), "{what}");
        assert_eq!(a.is_directed(), b.is_directed(), "{what}");
        let labels = |g: &Graph| -> Vec<String> {
            (0..g.node_count() as u32)
                .map(|u| g.ids().label(u))
                .collect()
        };
        assert_eq!(labels(a), labels(b), "{what}");
    }

    #[test]
    fn a_cut_gzip_file_is_named_broken_not_too_big() {
        // Its last four bytes, where a whole file keeps its size, are here the largest size
        // they can say (4 GiB): the estimate must stay within what deflate can make of the file,
        // and the file must then be refused as broken, with room for a few hundred MB only.
        let d = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..20_000 {
            std::io::Write::write_all(&mut gz, format!("{i} {}\n", i + 1).as_bytes()).unwrap();
        }
        let mut bytes = gz.finish().unwrap();
        bytes.truncate(bytes.len() / 2);
        let n = bytes.len();
        bytes[n - 4..].copy_from_slice(&[0xff; 4]);
        let cut = d.path().join("cut.txt.gz");
        std::fs::write(&cut, &bytes).unwrap();
        let need = load_estimate(&cut, Format::Text).unwrap();
        assert!(
            need <= 13 * MAX_DEFLATE_RATIO * n as u64 + (1 << 21),
            "{need} bytes for a file of {n}"
        );
        let opts = LoadOptions {
            max_memory: Some(1 << 30),
            ..LoadOptions::default()
        };
        let e = load(&cut, &opts).unwrap_err().to_string();
        assert!(e.contains("cut.txt.gz") && e.contains("gzip"), "{e}");
    }

    #[test]
    fn a_graph_loaded_reversed_is_the_transpose_of_the_graph_loaded() {
        let d = tempfile::tempdir().unwrap();
        // Repeated arcs with other weights and classes, a self-loop, ids with gaps, a node with
        // arcs only out and one with arcs only in.
        type Row = (i32, i32, f64, &'static str);
        let rows: [Row; 9] = [
            (1, 2, 3.0, "weak"),
            (2, 1, 1.0, "strong"),
            (1, 2, 5.0, "strong"),
            (3, 3, 1.0, "weak"),
            (2, 7, 2.0, "weak"),
            (7, 1, 0.5, "weak"),
            (1, 7, 4.0, "strong"),
            (9, 2, 1.5, "weak"),
            (2, 7, 2.5, "weak"),
        ];
        let text =
            |f: &dyn Fn(&Row) -> String| rows.iter().map(f).collect::<Vec<_>>().join("\n") + "\n";
        let weighted = d.path().join("w.txt");
        std::fs::write(&weighted, text(&|r| format!("{} {} {}", r.0, r.1, r.2))).unwrap();
        let classed = d.path().join("t.txt.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(
            &mut gz,
            text(&|r| format!("{}\t{}\t{}", r.0, r.1, r.3)).as_bytes(),
        )
        .unwrap();
        std::fs::write(&classed, gz.finish().unwrap()).unwrap();
        let csv = d.path().join("e.csv");
        std::fs::write(
            &csv,
            "src,dst,weight\n".to_string() + &text(&|r| format!("{},{},{}", r.0, r.1, r.2)),
        )
        .unwrap();
        let graphml = d.path().join("g.graphml");
        std::fs::write(
            &graphml,
            "<graphml><graph edgedefault=\"directed\"><node id=\"1\"/><node id=\"2\"/>\
             <node id=\"7\"/><edge source=\"1\" target=\"2\"/><edge source=\"7\" target=\"1\"/>\
             <edge source=\"2\" target=\"7\"/><edge source=\"1\" target=\"7\"/></graph></graphml>",
        )
        .unwrap();
        let calls = d.path().join("calls.txt");
        std::fs::write(&calls, "1 2\n7 2\n2 7\n7 9\n").unwrap();
        let directed = LoadOptions {
            directed: true,
            ..Default::default()
        };
        let cases = [
            (&weighted, directed.clone()),
            (&classed, directed.clone()),
            (&csv, directed.clone()),
            (
                &weighted,
                LoadOptions {
                    weight: Some("rows".into()),
                    ..directed.clone()
                },
            ),
            (
                &classed,
                LoadOptions {
                    layers: vec![calls.display().to_string()],
                    ..directed.clone()
                },
            ),
            (&weighted, LoadOptions::default()),
            // Directed by its own declaration, not by the flag.
            (&graphml, LoadOptions::default()),
        ];
        for (path, opts) in cases {
            let what = format!("{} {opts:?}", path.display());
            let forward = load(path, &opts).unwrap();
            let reversed = load_reversed(path, &opts).unwrap();
            assert_same(&reversed, &forward.clone().transposed(), &what);
            assert_same(&reversed.clone().transposed(), &forward, &what);
            // Arc by arc: u→v forward is v→u turned round, with its class and weight.
            for (u, v, tie, w) in forward.edges() {
                let i = reversed.find_arc(v, u).expect(&what);
                assert_eq!(reversed.ties()[i], tie, "{what}");
                assert_eq!(reversed.weights().map(|x| x[i]), w, "{what}");
            }
            assert_eq!(forward.arc_count(), reversed.arc_count(), "{what}");
        }
    }

    #[test]
    fn rows_become_weights_and_empty_files_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("msgs.txt");
        std::fs::write(&p, "1 2\n2 1\n1 2\n3 3\n2 3\n").unwrap();
        let opts = LoadOptions {
            weight: Some("rows".into()),
            ..Default::default()
        };
        let g = load(&p, &opts).unwrap();
        let w = g.weights().unwrap();
        // Three messages between 1 and 2 (either way), one between 2 and 3; the self-loop is none.
        let (a, b) = (g.ids().find("1").unwrap(), g.ids().find("2").unwrap());
        assert_eq!(w[g.find_arc(a, b).unwrap()], 3.0);
        assert_eq!(w[g.find_arc(b, a).unwrap()], 3.0);
        assert_eq!(g.edge_count(), 2);
        std::fs::write(&p, "# only a comment\n").unwrap();
        let e = load(&p, &LoadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("msgs.txt") && e.contains("no edges"), "{e}");
    }
}
