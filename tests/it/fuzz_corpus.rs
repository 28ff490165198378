//! The fuzz corpus replayed (`fuzz/corpus/TARGET/`, and any saved findings): every input is
//! accepted or refused with a message naming the file, never a panic, each within a second
//! (ten in this unoptimised build).

use std::time::{Duration, Instant};

use hongbao::fuzz::{TARGETS, Verdict};

#[test]
fn every_corpus_input_is_decided_without_a_panic_and_every_refusal_names_the_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for t in TARGETS {
        let work = tempfile::tempdir().unwrap();
        for kind in ["corpus", "findings"] {
            let Ok(dir) = std::fs::read_dir(root.join(kind).join(t.name)) else {
                continue;
            };
            for e in dir {
                let path = e.unwrap().path();
                if path.extension().is_some_and(|x| x == "txt") && kind == "findings" {
                    continue; // a finding's note, not an input
                }
                let input = std::fs::read(&path).unwrap();
                let clock = Instant::now();
                let v = t.check(work.path(), &input);
                assert!(
                    clock.elapsed() < Duration::from_secs(10),
                    "{}: slow",
                    path.display()
                );
                assert!(
                    matches!(v, Verdict::Accepted | Verdict::Refused(_)),
                    "{}: {v:?}",
                    path.display()
                );
                if kind == "corpus" {
                    assert_eq!(
                        v,
                        Verdict::Accepted,
                        "{}: the corpus holds valid inputs",
                        path.display()
                    );
                }
                replayed += 1;
            }
        }
    }
    assert!(replayed >= TARGETS.len(), "every target has a corpus");
}
