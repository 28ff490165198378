//! The SNAP Higgs Twitter activity log: `userA userB unix_time RT|MT|RE` per line. Retweets form
//! one cascade: each user's first retweet, from the user retweeted.

use std::collections::HashMap;
use std::path::Path;

use super::{Cascade, parse_err};
use crate::Result;
use crate::input::read_text;

pub(super) fn read(path: &Path) -> Result<Cascade> {
    let text = read_text(path)?;
    // First retweet of each user, and who they retweeted.
    let mut first: HashMap<u64, (i64, u64)> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.is_empty() {
            continue;
        }
        if f.len() != 4 {
            return Err(parse_err(
                path,
                i + 1,
                line,
                "expected `userA userB unix_time RT|MT|RE`",
            ));
        }
        if f[3] != "RT" {
            if f[3] != "MT" && f[3] != "RE" {
                return Err(parse_err(
                    path,
                    i + 1,
                    f[3],
                    "interaction must be RT, MT or RE",
                ));
            }
            continue;
        }
        let num = |s: &str| {
            s.parse::<u64>()
                .map_err(|_| parse_err(path, i + 1, s, "expected a non-negative integer"))
        };
        let (a, b, t) = (num(f[0])?, num(f[1])?, num(f[2])? as i64);
        first
            .entry(a)
            .and_modify(|e| {
                if t < e.0 {
                    *e = (t, b)
                }
            })
            .or_insert((t, b));
    }
    // A retweet of a user who had retweeted earlier is a parent → child link; the others are roots.
    let adopters: HashMap<u64, (f64, Option<u64>)> = first
        .iter()
        .map(|(&a, &(t, b))| (a, (t as f64 / 3600.0, Some(b))))
        .collect();
    Ok(Cascade::with_tree("higgs-retweets".into(), &adopters))
}

#[cfg(test)]
mod tests {
    use super::super::test_file as write;
    use super::super::{CascadeFormat, load_cascades};

    #[test]
    fn higgs_first_retweets_only() {
        let d = tempfile::tempdir().unwrap();
        let f = write(
            d.path(),
            "h.txt",
            "2 1 3600 RT\n3 2 7200 RT\n3 1 9000 RT\n4 1 100 MT\n",
        );
        let c = load_cascades(&f, CascadeFormat::Higgs).unwrap();
        assert_eq!(c[0].adoption_hours, vec![0.0, 1.0]);
        assert_eq!(
            c[0].delays_hours,
            vec![1.0],
            "3 retweeted 2 an hour after 2 adopted"
        );
        // 2 retweeted 1, who never retweeted: a root.
        assert_eq!(c[0].parents, Some(vec![None, Some(0)]));
        let bad = write(d.path(), "b.txt", "2 1 3600 XX\n");
        let e = load_cascades(&bad, CascadeFormat::Higgs)
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.txt:1") && e.contains("XX"), "{e}");
    }
}
