//! CSV and Parquet edge lists, read through polars: columns picked by name (or position), ids
//! numeric or text, optional weight and tie-class columns.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::super::build::intern_text;
use super::super::{EdgeList, TieClass};
use super::{Format, LoadOptions, intern_pairs_numeric};
use crate::input::{is_gzip, read_bytes};
use crate::{Error, Result};

/// Reads CSV or Parquet through polars.
pub(super) fn read(path: &Path, format: Format, opts: &LoadOptions) -> Result<EdgeList> {
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
    let gz = is_gzip(path);
    let csv = || {
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(10_000))
    };
    // The CSV reader panics on some malformed files (found by fuzzing): a panic is a refusal.
    let guarded = |read: &dyn Fn() -> Result<DataFrame>| -> Result<DataFrame> {
        crate::input::catch_quietly(read)
            .unwrap_or_else(|msg| Err(Error::file(path, format!("cannot read {format:?}: {msg}"))))
    };
    let df = match format {
        Format::Csv if gz => {
            let bytes = read_bytes(path)?;
            guarded(&|| {
                csv()
                    .into_reader_with_file_handle(std::io::Cursor::new(bytes.clone()))
                    .finish()
                    .map_err(polars_err)
            })?
        }
        Format::Csv => guarded(&|| {
            csv()
                .try_into_reader_with_file_path(Some(PathBuf::from(path)))
                .map_err(polars_err)?
                .finish()
                .map_err(polars_err)
        })?,
        _ => crate::input::read_parquet(path)?,
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

    // polars panics materialising a constant column of some types (UInt16 in 0.55): refused
    // naming the file and the column, like any unreadable column.
    let col = |name: &str| -> Result<Series> {
        let c = df.column(name).map_err(polars_err)?;
        crate::input::catch_quietly(|| c.as_materialized_series().clone())
            .map_err(|msg| Error::file(path, format!("column {name:?} cannot be read: {msg}")))
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
    // A damaged Parquet file can decode into columns of different lengths.
    let lengths = [
        Some(dsrc.len()),
        Some(ddst.len()),
        ties.as_ref().map(Vec::len),
        weights.as_ref().map(Vec::len),
    ];
    if let Some(l) = lengths.into_iter().flatten().find(|&l| l != m) {
        return Err(Error::file(
            path,
            format!("its columns have different lengths ({m} and {l} values): a damaged file"),
        ));
    }
    Ok(EdgeList {
        n,
        src: dsrc,
        dst: ddst,
        ties,
        weights,
        ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str, opts: &LoadOptions) -> Result<EdgeList> {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("t.csv");
        std::fs::write(&p, text).unwrap();
        read(&p, Format::Csv, opts)
    }

    #[test]
    fn columns_by_name_with_weights_and_ties() {
        let el = csv(
            "when,to,from,weight,tie\n1,b,a,2.5,strong\n2,c,b,1,weak\n",
            &LoadOptions::default(),
        )
        .unwrap();
        // `from`/`to` are found by name whatever their position; text ids sort: a, b, c.
        assert_eq!((el.src.clone(), el.dst.clone()), (vec![0, 1], vec![1, 2]));
        assert_eq!(el.weights, Some(vec![2.5, 1.0]));
        assert_eq!(el.ties, Some(vec![TieClass::Strong, TieClass::Weak]));
        let el = csv(
            "x,y,n\n5,7,3\n",
            &LoadOptions {
                src: Some("y".into()),
                dst: Some("x".into()),
                weight: Some("n".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(el.ids.label(el.src[0]), "7");
        assert_eq!(el.weights, Some(vec![3.0]));
    }

    #[test]
    fn bad_cells_name_the_row() {
        let bad = |text: &str, opts: &LoadOptions, needles: &[&str]| {
            let e = csv(text, opts).unwrap_err().to_string();
            for n in needles {
                assert!(e.contains(n), "{n:?} not in {e}");
            }
        };
        let none = LoadOptions::default();
        bad(
            "src,dst\n1,2\n-3,4\n",
            &none,
            &["t.csv:3", "-3", "negative"],
        );
        bad("src,dst\n1,2\n3,\n", &none, &["t.csv:3", "empty"]);
        bad("src,dst,weight\n1,2,x\n", &none, &["t.csv:2", "weight"]);
        bad("src,dst,tie\n1,2,so-so\n", &none, &["t.csv:2", "so-so"]);
        let given = LoadOptions {
            src: Some("nope".into()),
            ..Default::default()
        };
        bad("src,dst\n1,2\n", &given, &["nope", "--src"]);
        bad("only\n1\n", &none, &["two columns"]);
    }
}
