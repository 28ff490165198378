//! `plot`: saved curve files (`curves.csv`, `curves.parquet`) read back, ready to be drawn in one
//! chart. The reader of curve files lives here, beside its one user.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::curves::Curve;
use crate::graph::load::Format;
use crate::{Error, Result};

fn polars_err(path: &Path) -> impl Fn(PolarsError) -> Error + '_ {
    move |e| Error::file(path, e.to_string())
}

/// Reads every file's curves, in order. When several files are given, a label that an earlier
/// file already used gets its report directory's name after it (`WeChat-like (run-2)`).
///
/// # Errors
/// A file that cannot be read as curves.
pub fn read_curve_files(paths: &[PathBuf]) -> Result<Vec<(Curve, usize)>> {
    let mut curves: Vec<(Curve, usize)> = Vec::new();
    for p in paths {
        let mut c = read_curves(p)?;
        if paths.len() > 1
            && let Some(stem) = p
                .parent()
                .and_then(|d| d.file_name())
                .map(|s| s.to_string_lossy().into_owned())
        {
            for (curve, _) in &mut c {
                if curves.iter().any(|(x, _)| x.label == curve.label) {
                    curve.label = format!("{} ({stem})", curve.label);
                }
            }
        }
        curves.extend(c);
    }
    Ok(curves)
}

/// Reads curves saved by hongbao (CSV or Parquet), one [`Curve`] per label, with each label's
/// number of nodes (0 when the file has no `nodes` column).
pub fn read_curves(path: &Path) -> Result<Vec<(Curve, usize)>> {
    let format = Format::from_path(path)?;
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    let err = polars_err(path);
    let df = match format {
        Format::Csv => CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .map_err(&err)?
            .finish()
            .map_err(&err)?,
        Format::Parquet => crate::input::read_parquet(path)?,
        Format::Text | Format::Graphml | Format::Pajek | Format::MatrixMarket => {
            return Err(Error::file(
                path,
                "curves are read from .csv or .parquet files",
            ));
        }
    };
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    for c in &Curve::COLUMNS[..7] {
        if !names.iter().any(|n| n == c) {
            return Err(Error::file(
                path,
                format!(
                    "no column {c:?}; a curves file has {:?}",
                    &Curve::COLUMNS[..7]
                ),
            ));
        }
    }
    // polars panics materialising a constant column of some types: refused naming the file.
    let series = |name: &str| -> Result<Series> {
        let c = df.column(name).map_err(&err)?;
        crate::input::catch_quietly(|| c.as_materialized_series().clone())
            .map_err(|msg| Error::file(path, format!("column {name:?} cannot be read: {msg}")))
    };
    let f64s = |name: &str| -> Result<Vec<f64>> {
        let s = series(name)?.cast(&DataType::Float64).map_err(&err)?;
        Ok(s.f64()
            .map_err(&err)?
            .iter()
            .map(|x| x.unwrap_or(f64::NAN))
            .collect())
    };
    let labels: Vec<String> = {
        let s = series("label")?.cast(&DataType::String).map_err(&err)?;
        s.str()
            .map_err(&err)?
            .iter()
            .map(|x| x.unwrap_or("").to_string())
            .collect()
    };
    let (hour, mean, p05, p50, p95, new) = (
        f64s("hour")?,
        f64s("mean")?,
        f64s("p05")?,
        f64s("p50")?,
        f64s("p95")?,
        f64s("new_per_hour")?,
    );
    let nodes = if names.iter().any(|n| n == "nodes") {
        f64s("nodes")?
    } else {
        vec![0.0; labels.len()]
    };
    let mut out: Vec<(Curve, usize)> = Vec::new();
    for i in 0..labels.len() {
        if out.last().is_none_or(|(c, _)| c.label != labels[i]) {
            out.push((
                Curve {
                    label: labels[i].clone(),
                    hour: vec![],
                    mean: vec![],
                    p05: vec![],
                    p50: vec![],
                    p95: vec![],
                    new_per_hour: vec![],
                },
                nodes[i] as usize,
            ));
        }
        let c = &mut out.last_mut().unwrap().0;
        c.hour.push(hour[i]);
        c.mean.push(mean[i]);
        c.p05.push(p05[i]);
        c.p50.push(p50[i]);
        c.p95.push(p95[i]);
        c.new_per_hour.push(new[i]);
    }
    if out.is_empty() {
        return Err(Error::file(path, "no rows"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_files_are_checked_and_labels_kept_apart() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a"), d.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let text =
            "label,hour,mean,p05,p50,p95,new_per_hour,nodes\nx,0,1,1,1,1,0,10\nx,1,2,1,2,3,1,10\n";
        std::fs::write(a.join("curves.csv"), text).unwrap();
        std::fs::write(b.join("curves.csv"), text).unwrap();
        let c = read_curve_files(&[a.join("curves.csv"), b.join("curves.csv")]).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].0.label.as_str(), c[1].0.label.as_str()),
            ("x", "x (b)")
        );
        assert_eq!((c[0].0.mean.clone(), c[0].1), (vec![1.0, 2.0], 10));
        std::fs::write(a.join("curves.csv"), "label,hour\nx,0\n").unwrap();
        let e = read_curves(&a.join("curves.csv")).unwrap_err().to_string();
        assert!(e.contains("curves.csv") && e.contains("mean"), "{e}");
        let e = read_curves(&a.join("curves.txt")).unwrap_err().to_string();
        assert!(e.contains("curves.txt"), "{e}");
    }
}
