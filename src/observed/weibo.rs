//! DeepHawkes Weibo cascades: `id root time count participants` per line, each participant a
//! repost path `u1/u2/u3:delay_seconds`.

use std::collections::HashMap;
use std::path::Path;

use super::{Cascade, parse_err};
use crate::Result;
use crate::input::read_text;

pub(super) fn read(path: &Path) -> Result<Vec<Cascade>> {
    let text = read_text(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 5 {
            return Err(parse_err(
                path,
                i + 1,
                line,
                "expected 5 tab-separated fields: id root time count participants",
            ));
        }
        // Each user's first adoption and the user it came from on that path.
        let mut adopters: HashMap<&str, (f64, Option<&str>)> = HashMap::new();
        for p in f[4].split_whitespace() {
            let (chain, delay) = p
                .rsplit_once(':')
                .ok_or_else(|| parse_err(path, i + 1, p, "expected path:delay"))?;
            let d: f64 = delay
                .parse()
                .map_err(|_| parse_err(path, i + 1, p, "delay is not a number"))?;
            let users: Vec<&str> = chain.split('/').collect();
            let user = *users.last().unwrap();
            let h = d / 3600.0;
            let parent = (users.len() >= 2).then(|| users[users.len() - 2]);
            adopters
                .entry(user)
                .and_modify(|e| {
                    if h < e.0 {
                        *e = (h, parent)
                    }
                })
                .or_insert((h, parent));
        }
        out.push(Cascade::with_tree(f[0].to_string(), &adopters));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::test_file as write;
    use super::super::{CascadeFormat, load_cascades};

    #[test]
    fn weibo_paths_give_times_and_delays() {
        let d = tempfile::tempdir().unwrap();
        let f = write(
            d.path(),
            "w.txt",
            "7\t1\t1464739201\t3\t1:0 1/2:3600 1/2/3:5400\n",
        );
        let c = load_cascades(&f, CascadeFormat::Weibo).unwrap();
        assert_eq!(c[0].adoption_hours, vec![0.0, 1.0, 1.5]);
        let mut d = c[0].delays_hours.clone();
        d.sort_by(f64::total_cmp);
        assert_eq!(d, vec![0.5, 1.0]);
        assert_eq!(c[0].parents, Some(vec![None, Some(0), Some(1)]));
        assert_eq!(c[0].children(), Some(vec![1, 1, 0]));
        let bad = write(
            tempfile::tempdir().unwrap().path(),
            "b.txt",
            "7\t1\t1\t1\t1:x\n",
        );
        assert!(load_cascades(&bad, CascadeFormat::Weibo).is_err());
    }
}
