//! How numbers are written for people: thousands separators, percentages, hours.

/// Formats a count with thousands separators: `12345.6` → `12,346`.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let s = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < -0.5 { format!("-{out}") } else { out }
}

pub(crate) fn pct(f: f64) -> String {
    if f >= 0.0995 {
        format!("{:.1} %", 100.0 * f)
    } else {
        format!("{:.2} %", 100.0 * f)
    }
}

pub(crate) fn hours(h: Option<f64>) -> String {
    match h {
        Some(h) if h < 1.0 => format!("{:.0} min", h * 60.0),
        Some(h) => format!("{h:.1} h"),
        None => "not reached".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1234.0), "1,234");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(-1234.0), "-1,234");
        assert_eq!(thousands(f64::NAN), "–");
    }

    #[test]
    fn shares_and_hours() {
        assert_eq!(pct(0.5), "50.0 %");
        assert_eq!(pct(0.0013), "0.13 %");
        assert_eq!(hours(Some(0.5)), "30 min");
        assert_eq!(hours(Some(4.44)), "4.4 h");
        assert_eq!(hours(None), "not reached");
    }
}
