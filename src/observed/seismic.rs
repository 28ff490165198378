//! SEISMIC / TiDeH retweet cascades: a header row `retweets start_days`, then `seconds followers`
//! per retweet; no tree.

use std::path::Path;

use super::{Cascade, parse_err};
use crate::input::read_text;
use crate::{Error, Result};

pub(super) fn read(path: &Path) -> Result<Cascade> {
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
    use super::super::test_file as write;
    use super::super::{CascadeFormat, load_cascades};

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
