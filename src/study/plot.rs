//! `plot`: saved curve files read back, ready to be drawn in one chart.

use std::path::PathBuf;

use crate::Result;
use crate::curves::Curve;
use crate::report::read_curves;

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
