//! Tables through polars: adoption curves (CSV, Parquet) and edge lists of generated graphs.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use polars::prelude::*;

use super::output::write_atomic;
use crate::curves::Curve;
use crate::graph::Graph;
use crate::graph::load::Format;
use crate::{Error, Result};

fn polars_err(path: &Path) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::file(path, e.to_string())
}

/// One table holding every curve, one row per (label, hour).
pub fn curves_frame(curves: &[(Curve, usize)]) -> DataFrame {
    let mut label = Vec::new();
    let (mut hour, mut mean, mut p05, mut p50, mut p95, mut new, mut nodes) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for (c, n) in curves {
        for i in 0..c.hour.len() {
            label.push(c.label.clone());
            hour.push(c.hour[i]);
            mean.push(c.mean[i]);
            p05.push(c.p05[i]);
            p50.push(c.p50[i]);
            p95.push(c.p95[i]);
            new.push(c.new_per_hour[i]);
            nodes.push(*n as u64);
        }
    }
    let height = label.len();
    DataFrame::new(
        height,
        vec![
            Column::new("label".into(), label),
            Column::new("hour".into(), hour),
            Column::new("mean".into(), mean),
            Column::new("p05".into(), p05),
            Column::new("p50".into(), p50),
            Column::new("p95".into(), p95),
            Column::new("new_per_hour".into(), new),
            Column::new("nodes".into(), nodes),
        ],
    )
    .expect("columns of equal length")
}

/// The percolation table: `order, fraction_removed, largest_component, susceptibility`, one row
/// per point of each removal order.
pub fn percolation_frame(rows: &[(&str, &[crate::graph::percolation::Point])]) -> DataFrame {
    let mut order = Vec::new();
    let (mut f, mut l, mut s) = (vec![], vec![], vec![]);
    for (name, pts) in rows {
        for p in *pts {
            order.push(name.to_string());
            f.push(p.fraction_removed);
            l.push(p.largest_component);
            s.push(p.susceptibility);
        }
    }
    DataFrame::new(
        order.len(),
        vec![
            Column::new("order".into(), order),
            Column::new("fraction_removed".into(), f),
            Column::new("largest_component".into(), l),
            Column::new("susceptibility".into(), s),
        ],
    )
    .expect("columns of equal length")
}

/// The rungs of a decomposition, one row each.
pub fn rungs_frame(rungs: &[crate::study::Rung]) -> DataFrame {
    let f = |g: fn(&crate::study::Rung) -> f64| rungs.iter().map(g).collect::<Vec<f64>>();
    let t = |g: fn(&crate::study::Rung) -> &str| {
        rungs
            .iter()
            .map(|r| g(r).to_string())
            .collect::<Vec<String>>()
    };
    DataFrame::new(
        rungs.len(),
        vec![
            Column::new("rung".into(), t(|r| &r.rung)),
            Column::new("name".into(), t(|r| &r.name)),
            Column::new("strong_platform".into(), t(|r| &r.strong_label)),
            Column::new("weak_platform".into(), t(|r| &r.weak_label)),
            Column::new("strong_reach_4h".into(), f(|r| r.strong_4h)),
            Column::new("strong_reach_4h_sem".into(), f(|r| r.strong_4h_sem)),
            Column::new("strong_reach_24h".into(), f(|r| r.strong_24h)),
            Column::new("strong_reach_24h_sem".into(), f(|r| r.strong_24h_sem)),
            Column::new("weak_reach_4h".into(), f(|r| r.weak_4h)),
            Column::new("weak_reach_4h_sem".into(), f(|r| r.weak_4h_sem)),
            Column::new("weak_reach_24h".into(), f(|r| r.weak_24h)),
            Column::new("weak_reach_24h_sem".into(), f(|r| r.weak_24h_sem)),
            Column::new("setting".into(), t(|r| &r.setting)),
        ],
    )
    .expect("columns of equal length")
}

/// A one-column table of numbers.
pub fn number_frame(name: &str, values: &[f64]) -> DataFrame {
    DataFrame::new(
        values.len(),
        vec![Column::new(name.into(), values.to_vec())],
    )
    .expect("one column")
}

/// Whether polars' CSV writer puts a text field as it is (its "necessary" quoting): not empty,
/// and without a comma, a quote or a line end.
pub(crate) fn csv_plain(s: &str) -> bool {
    !s.is_empty() && !s.contains([',', '"', '\n', '\r'])
}

/// Writes a frame as CSV to `path` (which the caller has made temporary).
pub fn write_csv(df: &mut DataFrame, path: &Path) -> Result<()> {
    let f = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = BufWriter::new(f);
    // The header is written here when no name needs quoting (all of ours): polars' own header
    // writer makes, once per process, 8 MiB of zeroes page by page (4–5 ms on this VM, more than
    // the rest of a small table).
    let names = df.get_column_names();
    let plain = names.iter().all(|c| csv_plain(c));
    if plain {
        let header = names
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",");
        writeln!(w, "{header}").map_err(|e| Error::io(path, e))?;
    }
    CsvWriter::new(&mut w)
        .include_header(!plain)
        .finish(df)
        .map_err(polars_err(path))?;
    w.flush().map_err(|e| Error::io(path, e))
}

/// Writes a frame as Parquet (zstd) to `path`.
pub fn write_parquet(df: &mut DataFrame, path: &Path) -> Result<()> {
    let f = File::create(path).map_err(|e| Error::io(path, e))?;
    parquet_to(df, f).map_err(polars_err(path))
}

/// Writes a frame as Parquet (zstd) to `w`.
///
/// A frame that fits in one row group (every report table) is made one chunk and handed to the
/// batched writer as it is: `ParquetWriter::finish` first regroups a frame's chunks by selecting
/// each, and selecting a column makes an empty null array, whose first making in a process
/// writes polars' 8 MiB of shared zeroes page by page (about 5 ms on this VM, most of a small
/// command's table writing). The file is the same: one row group either way. Larger frames (graph
/// files) go through `finish`, which cuts them into row groups.
pub(crate) fn parquet_to<W: Write>(df: &mut DataFrame, w: W) -> PolarsResult<()> {
    let writer = ParquetWriter::new(w)
        .with_compression(ParquetCompression::Zstd(None))
        .with_row_group_size(Some(ROW_GROUP));
    if df.height() > ROW_GROUP {
        writer.finish(df)?;
        return Ok(());
    }
    df.rechunk_mut();
    let mut batched = writer.batched(df.schema())?;
    batched.write_batch(df)?;
    batched.finish()?;
    Ok(())
}

/// Rows per row group: the size `finish` cuts a larger frame by (polars' default, given
/// explicitly so that the choice of path above and the cut are the same number).
const ROW_GROUP: usize = 512 * 512;

/// Writes a graph's edges (each undirected edge once) to `path`, in the format its extension names:
/// text `src dst tie` (gzipped for `.gz`), or CSV/Parquet with columns `src, dst, tie` and `weight`
/// when the graph has weights. The tie class is written, so loading the file back with
/// `--ties column` gives the same labels.
pub fn write_graph(graph: &Graph, path: &Path, force: bool) -> Result<()> {
    let format = Format::from_path(path)?;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    write_atomic(path, force, |tmp| match format {
        Format::Graphml | Format::Pajek | Format::MatrixMarket => {
            let f = File::create(tmp).map_err(|e| Error::io(path, e))?;
            let mut w: Box<dyn Write> = if gz {
                Box::new(BufWriter::new(flate2::write::GzEncoder::new(
                    f,
                    flate2::Compression::fast(),
                )))
            } else {
                Box::new(BufWriter::new(f))
            };
            super::graph_formats::write(graph, format, &mut w)
                .and_then(|()| w.flush())
                .map_err(|e| Error::io(path, e))
        }
        Format::Text => {
            let f = File::create(tmp).map_err(|e| Error::io(path, e))?;
            let mut w: Box<dyn Write> = if gz {
                Box::new(BufWriter::new(flate2::write::GzEncoder::new(
                    f,
                    flate2::Compression::fast(),
                )))
            } else {
                Box::new(BufWriter::new(f))
            };
            let io = |e| Error::io(path, e);
            writeln!(
                w,
                "# hongbao graph: {} nodes, {} edges, {}; columns: src dst tie{}",
                graph.node_count(),
                graph.edge_count(),
                if graph.is_directed() {
                    "directed"
                } else {
                    "undirected"
                },
                if graph.weights().is_some() {
                    " weight"
                } else {
                    ""
                }
            )
            .map_err(io)?;
            let ids = graph.ids();
            for (u, v, t, wt) in graph.edges() {
                match wt {
                    Some(x) => {
                        writeln!(w, "{} {} {} {}", ids.label(u), ids.label(v), t.as_str(), x)
                    }
                    None => writeln!(w, "{} {} {}", ids.label(u), ids.label(v), t.as_str()),
                }
                .map_err(io)?;
            }
            w.flush().map_err(io)?;
            drop(w);
            Ok(())
        }
        Format::Csv | Format::Parquet => {
            let ids = graph.ids();
            let edges: Vec<_> = graph.edges().collect();
            let tie: Vec<&str> = edges.iter().map(|e| e.2.as_str()).collect();
            let mut cols = if ids.is_numeric() {
                let num = |u: u32| ids.label(u).parse::<u64>().expect("numeric id");
                vec![
                    Column::new(
                        "src".into(),
                        edges.iter().map(|e| num(e.0)).collect::<Vec<u64>>(),
                    ),
                    Column::new(
                        "dst".into(),
                        edges.iter().map(|e| num(e.1)).collect::<Vec<u64>>(),
                    ),
                ]
            } else {
                vec![
                    Column::new(
                        "src".into(),
                        edges
                            .iter()
                            .map(|e| ids.label(e.0))
                            .collect::<Vec<String>>(),
                    ),
                    Column::new(
                        "dst".into(),
                        edges
                            .iter()
                            .map(|e| ids.label(e.1))
                            .collect::<Vec<String>>(),
                    ),
                ]
            };
            cols.push(Column::new("tie".into(), tie));
            if graph.weights().is_some() {
                cols.push(Column::new(
                    "weight".into(),
                    edges
                        .iter()
                        .map(|e| e.3.unwrap_or(1.0))
                        .collect::<Vec<f32>>(),
                ));
            }
            let mut df = DataFrame::new(edges.len(), cols).map_err(polars_err(path))?;
            if format == Format::Csv {
                write_csv(&mut df, tmp)
            } else {
                write_parquet(&mut df, tmp)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our header, then polars' rows, make the bytes polars writes alone; a name that needs
    /// quoting leaves the header to polars.
    #[test]
    fn csv_files_are_the_bytes_polars_writes() {
        let d = tempfile::tempdir().unwrap();
        for names in [
            ["rank", "node_id", "mean"],
            ["a b", " lead", "tab\tin"],
            ["a b", "x,y", "say \"hi\""],
        ] {
            let mut df = DataFrame::new(
                3,
                vec![
                    Column::new(names[0].into(), vec![1u32, 2, 3]),
                    Column::new(names[1].into(), vec!["7", "a,b", "c\"d"]),
                    Column::new(names[2].into(), vec![0.1f64, 1e-9, 123456.5]),
                ],
            )
            .unwrap();
            let ours = d.path().join("ours.csv");
            write_csv(&mut df, &ours).unwrap();
            let mut theirs = Vec::new();
            CsvWriter::new(&mut theirs)
                .include_header(true)
                .finish(&mut df)
                .unwrap();
            assert_eq!(std::fs::read(&ours).unwrap(), theirs, "{names:?}");
        }
    }

    /// The batched path gives the bytes `ParquetWriter::finish` gives: one chunk or several, with
    /// nulls, and a frame past one row group (which takes `finish` itself, cut into groups).
    #[test]
    fn parquet_files_are_the_bytes_polars_writes() {
        let frame = |rows: usize, from: usize| {
            DataFrame::new(
                rows,
                vec![
                    Column::new(
                        "hour".into(),
                        (0..rows)
                            .map(|i| (from + i) as f64 * 0.25)
                            .collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "label".into(),
                        (0..rows)
                            .map(|i| format!("p{}", (from + i) % 7))
                            .collect::<Vec<_>>(),
                    ),
                    Column::new(
                        "time_to".into(),
                        (0..rows)
                            .map(|i| (!(from + i).is_multiple_of(3)).then_some((from + i) as f64))
                            .collect::<Vec<Option<f64>>>(),
                    ),
                ],
            )
            .unwrap()
        };
        let mut two = frame(40, 0);
        two.vstack_mut(&frame(25, 40)).unwrap();
        assert_eq!(two.first_col_n_chunks(), 2);
        for mut df in [frame(97, 0), two, frame(ROW_GROUP + 10, 0)] {
            let mut ours = Vec::new();
            parquet_to(&mut df.clone(), &mut ours).unwrap();
            let mut theirs = Vec::new();
            ParquetWriter::new(&mut theirs)
                .with_compression(ParquetCompression::Zstd(None))
                .finish(&mut df)
                .unwrap();
            assert_eq!(ours, theirs, "{} rows", df.height());
        }
    }
}
