//! Report files: charts decode to non-blank images of the asked size; the Markdown summary is
//! snapshot-tested.

use super::cli::hongbao;

fn decode(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn charts_have_the_asked_size_and_are_not_blank() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    hongbao()
        .args([
            "compare", "--nodes", "2000", "--runs", "20", "--width", "900", "--height", "600",
            "-q", "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    for f in ["adoption.png", "new_per_hour.png"] {
        let (w, h, px) = decode(&out.join(f));
        assert_eq!((w, h), (900, 600), "{f}");
        let channels = px.len() / (w * h) as usize;
        let pixels: Vec<&[u8]> = px.chunks(channels).collect();
        let non_white = pixels
            .iter()
            .filter(|p| p[..3].iter().any(|&c| c < 240))
            .count();
        assert!(
            non_white > pixels.len() / 50,
            "{f}: {non_white} non-white pixels"
        );
        // The WeChat green line is drawn.
        let green = pixels
            .iter()
            .filter(|p| p[0] < 40 && p[1] > 170 && p[2] < 120)
            .count();
        assert!(green > 200, "{f}: {green} green pixels");
    }
}

#[test]
fn summary_markdown_snapshot() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    hongbao()
        .args([
            "compare", "--nodes", "2000", "--runs", "40", "--seed", "3", "-q", "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    insta::assert_snapshot!(md);
}

#[test]
fn curves_parquet_matches_csv() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    hongbao()
        .args(["compare", "--nodes", "1500", "--runs", "10", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let a = hongbao::study::read_curves(&out.join("curves.csv")).unwrap();
    let b = hongbao::study::read_curves(&out.join("curves.parquet")).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].1, 1500);
}
