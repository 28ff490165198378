//! PNG charts with plotters, drawn with an embedded DejaVu Sans font so they render the same on a
//! machine with no fonts installed.

use std::path::Path;
use std::sync::Once;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::curves::Curve;
use crate::{Error, Result};

/// Size and look of a chart.
#[derive(Clone, Debug)]
pub struct ChartOptions {
    pub width: u32,
    pub height: u32,
    pub title: String,
    /// Logarithmic y axis.
    pub log_y: bool,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: 1600,
            height: 1000,
            title: "Adoption over time".into(),
            log_y: false,
        }
    }
}

const FONT: &str = "sans-serif";
const HOURS: &str = "hours since the first share";

fn ensure_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a known-good TTF shipped by the `dejavu` crate.
        let _ = register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// The colour for a platform label: WeChat green and Alipay blue for the two presets, then a
/// colour-blind-safe palette (Okabe & Ito 2008).
pub fn colour(label: &str, index: usize) -> RGBColor {
    let l = label.to_ascii_lowercase();
    if l.contains("wechat") {
        return RGBColor(7, 193, 96);
    }
    if l.contains("alipay") {
        return RGBColor(22, 119, 255);
    }
    const PALETTE: [RGBColor; 7] = [
        RGBColor(0, 114, 178),
        RGBColor(230, 159, 0),
        RGBColor(0, 158, 115),
        RGBColor(213, 94, 0),
        RGBColor(204, 121, 167),
        RGBColor(86, 180, 233),
        RGBColor(0, 0, 0),
    ];
    PALETTE[index % PALETTE.len()]
}

fn draw_err(path: &Path) -> impl Fn(String) -> Error + '_ {
    move |e| Error::file(path, format!("cannot draw the chart: {e}"))
}

/// What a chart's y axis shows, per curve.
#[derive(Copy, Clone, PartialEq)]
enum Series {
    Cumulative,
    NewPerHour,
}

/// Cumulative adopters against hours: one colour per curve, its mean as a line and its p05–p95 band
/// shaded. The y axis is the share of users (%) when every curve knows its node count, adopters
/// otherwise. Written to `path` (which the caller has made temporary).
pub fn adoption_chart(path: &Path, curves: &[(Curve, usize)], opts: &ChartOptions) -> Result<()> {
    chart(path, curves, opts, Series::Cumulative)
}

/// New adopters per hour against hours, one line per curve.
pub fn new_per_hour_chart(
    path: &Path,
    curves: &[(Curve, usize)],
    opts: &ChartOptions,
) -> Result<()> {
    chart(path, curves, opts, Series::NewPerHour)
}

fn chart(path: &Path, curves: &[(Curve, usize)], opts: &ChartOptions, what: Series) -> Result<()> {
    ensure_font();
    let err = draw_err(path);
    if curves.is_empty() {
        return Err(err("no curves".into()));
    }
    let share = curves.iter().all(|(_, n)| *n > 0);
    let scale = |n: usize| if share { 100.0 / n as f64 } else { 1.0 };
    // Pre-scaled series: (label, mean, optional band, colour).
    let mut series: Vec<Drawn> = Vec::new();
    for (i, (c, n)) in curves.iter().enumerate() {
        let s = scale(*n);
        let pts = |ys: &[f64]| -> Vec<(f64, f64)> {
            c.hour
                .iter()
                .zip(ys)
                .map(|(&x, &y)| (x, y * s))
                .filter(|p| p.1.is_finite())
                .collect()
        };
        let (line, band) = match what {
            Series::Cumulative => (pts(&c.mean), Some((pts(&c.p05), pts(&c.p95)))),
            Series::NewPerHour => (pts(&c.new_per_hour), None),
        };
        let last = c.mean.last().copied().unwrap_or(0.0) * s;
        let end = c.hour.last().copied().unwrap_or(0.0);
        let label = match (what, share) {
            (Series::Cumulative, true) => format!("{}: {:.1} % at {} h", c.label, last, end),
            _ => c.label.clone(),
        };
        series.push((label, line, band, colour(&c.label, i)));
    }
    let x_max = series
        .iter()
        .flat_map(|s| s.1.last().map(|p| p.0))
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let y_max = series
        .iter()
        .flat_map(|s| {
            s.1.iter()
                .chain(s.2.iter().flat_map(|b| b.1.iter()))
                .map(|p| p.1)
        })
        .fold(0.0f64, f64::max);
    let y_label = match (what, share) {
        (Series::Cumulative, true) => "adopters (% of users, mean and p05–p95 band)",
        (Series::Cumulative, false) => "adopters (mean and p05–p95 band)",
        (Series::NewPerHour, true) => "new adopters per hour (% of users / h)",
        (Series::NewPerHour, false) => "new adopters per hour",
    };
    let root = BitMapBackend::new(path, (opts.width, opts.height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    if opts.log_y {
        let y_min = series
            .iter()
            .flat_map(|s| s.1.iter().map(|p| p.1))
            .filter(|&y| y > 0.0)
            .fold(f64::INFINITY, f64::min);
        let y_min = if y_min.is_finite() { y_min * 0.8 } else { 1e-3 };
        let y_max = (y_max * 1.25).max(y_min * 10.0);
        plot(
            &root,
            opts,
            0.0..x_max,
            (y_min..y_max).log_scale(),
            (HOURS, y_label, Some(0)),
            &series,
            SeriesLabelPosition::LowerRight,
        )
    } else {
        let y_max = if y_max > 0.0 { y_max * 1.08 } else { 1.0 };
        plot(
            &root,
            opts,
            0.0..x_max,
            0.0..y_max,
            (HOURS, y_label, Some(0)),
            &series,
            SeriesLabelPosition::UpperLeft,
        )
    }
    .map_err(&err)?;
    root.present().map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// The x axis of a [`line_chart`].
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum XAxis {
    /// Linear from 0 to the given maximum.
    Linear(f64),
    /// Logarithmic between the two given positive bounds.
    Log(f64, f64),
}

/// A plain line chart of named series on an x axis × [0, y_max] (percolation curves, distribution
/// functions).
pub fn line_chart(
    path: &Path,
    series: &[(String, Vec<(f64, f64)>)],
    (x_label, y_label): (&str, &str),
    (x_axis, y_max): (XAxis, f64),
    opts: &ChartOptions,
) -> Result<()> {
    ensure_font();
    let err = draw_err(path);
    let drawn: Vec<Drawn> = series
        .iter()
        .enumerate()
        .map(|(i, (label, pts))| (label.clone(), pts.clone(), None, colour(label, i)))
        .collect();
    let root = BitMapBackend::new(path, (opts.width, opts.height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    // The legend goes where the lines are not: low on the right when they end high (distribution
    // functions), high on the right when they end low (percolation).
    let ends_high = series
        .iter()
        .filter_map(|(_, pts)| pts.last().map(|p| p.1))
        .all(|y| y > 0.5 * y_max);
    let legend = if ends_high {
        SeriesLabelPosition::LowerRight
    } else {
        SeriesLabelPosition::UpperRight
    };
    match x_axis {
        XAxis::Linear(x_max) => plot(
            &root,
            opts,
            0.0..x_max,
            0.0..y_max,
            (x_label, y_label, Some(if x_max <= 2.0 { 1 } else { 0 })),
            &drawn,
            legend,
        ),
        XAxis::Log(lo, hi) => plot(
            &root,
            opts,
            (lo..hi).log_scale(),
            0.0..y_max,
            (x_label, y_label, None),
            &drawn,
            if ends_high {
                SeriesLabelPosition::LowerRight
            } else {
                SeriesLabelPosition::UpperLeft
            },
        ),
    }
    .map_err(&err)?;
    root.present().map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// An axis number without float noise: `0.9`, not `0.8999999999999999`; whole numbers from 10 up.
fn tidy(v: f64) -> String {
    if v.abs() >= 10.0 || v == 0.0 {
        return format!("{v:.0}");
    }
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

type Drawn<'a> = (
    String,
    Vec<(f64, f64)>,
    Option<(Vec<(f64, f64)>, Vec<(f64, f64)>)>,
    RGBColor,
);

fn plot<'a, X, Y>(
    root: &DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>,
    opts: &ChartOptions,
    x: X,
    y: Y,
    (x_label, y_label, x_decimals): (&str, &str, Option<usize>),
    series: &[Drawn<'_>],
    legend: SeriesLabelPosition,
) -> std::result::Result<(), String>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let s = |px: u32| (px as f64 * opts.height as f64 / 1000.0).round().max(8.0) as u32;
    let e = |e: &dyn std::fmt::Display| e.to_string();
    let mut chart = ChartBuilder::on(root)
        .caption(
            &opts.title,
            (FONT, s(40)).into_font().style(FontStyle::Bold),
        )
        .margin(s(30))
        .x_label_area_size(s(80))
        .y_label_area_size(s(120))
        .build_cartesian_2d(x, y)
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style((FONT, s(24)))
        .axis_desc_style((FONT, s(26)))
        .max_light_lines(4)
        .light_line_style(RGBColor(242, 242, 242))
        .bold_line_style(RGBColor(205, 205, 205))
        .x_label_formatter(&|v: &f64| match x_decimals {
            Some(d) => format!("{v:.d$}"),
            None => tidy(*v),
        })
        .y_label_formatter(&|v: &f64| tidy(*v))
        .draw()
        .map_err(|x| e(&x))?;
    for (_, _, band, c) in series {
        if let Some((lo, hi)) = band
            && !lo.is_empty()
        {
            let mut poly: Vec<(f64, f64)> = hi.clone();
            poly.extend(lo.iter().rev());
            chart
                .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.2).filled())))
                .map_err(|x| e(&x))?;
        }
    }
    // The legend's line sample fits the legend area at any chart size.
    let seg = s(36) as i32;
    let thick = s(6);
    for (label, line, _, c) in series {
        let c = *c;
        chart
            .draw_series(LineSeries::new(line.iter().copied(), c.stroke_width(s(4))))
            .map_err(|x| e(&x))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + seg, y)], c.stroke_width(thick))
            });
    }
    chart
        .configure_series_labels()
        .position(legend)
        .margin(s(16))
        .legend_area_size(s(56))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .label_font((FONT, s(26)))
        .draw()
        .map_err(|x| e(&x))?;
    Ok(())
}

/// A band around a line: its low and high edges, as points.
pub type Band = (Vec<(f64, f64)>, Vec<(f64, f64)>);

/// One line of a [`lines_chart`]: its points, an optional band (low and high edges), dashed or not.
#[derive(Clone, Debug)]
pub struct Line {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub band: Option<Band>,
    pub dashed: bool,
}

/// Lines against an x axis from `lo` to `hi` and a y axis from 0 to 1.05 (shares); lines of the
/// same name before the colon share a colour.
pub fn lines_chart(
    path: &Path,
    lines: &[Line],
    (x_label, y_label): (&str, &str),
    (lo, hi): (f64, f64),
    opts: &ChartOptions,
) -> Result<()> {
    ensure_font();
    let err = draw_err(path);
    let root = BitMapBackend::new(path, (opts.width, opts.height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let s = |px: u32| (px as f64 * opts.height as f64 / 1000.0).round().max(8.0) as u32;
    let e = |e: &dyn std::fmt::Display| err(e.to_string());
    let mut chart = ChartBuilder::on(&root)
        .caption(
            &opts.title,
            (FONT, s(40)).into_font().style(FontStyle::Bold),
        )
        .margin(s(30))
        .x_label_area_size(s(80))
        .y_label_area_size(s(120))
        .build_cartesian_2d(lo..hi, 0.0..1.05)
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style((FONT, s(24)))
        .axis_desc_style((FONT, s(26)))
        .max_light_lines(4)
        .light_line_style(RGBColor(242, 242, 242))
        .bold_line_style(RGBColor(205, 205, 205))
        .x_label_formatter(&|v: &f64| tidy(*v))
        .y_label_formatter(&|v: &f64| format!("{:.0} %", 100.0 * v))
        .draw()
        .map_err(|x| e(&x))?;
    // Lines whose labels agree before the colon (one platform) share a colour.
    let mut names: Vec<&str> = Vec::new();
    let seg = s(36) as i32;
    for l in lines {
        let name = l.label.split(':').next().unwrap_or(&l.label);
        let i = names.iter().position(|n| *n == name).unwrap_or_else(|| {
            names.push(name);
            names.len() - 1
        });
        let c = colour(name, i);
        if let Some((low, high)) = &l.band {
            let mut poly = high.clone();
            poly.extend(low.iter().rev());
            chart
                .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.15).filled())))
                .map_err(|x| e(&x))?;
        }
        let style = c.stroke_width(s(if l.dashed { 3 } else { 4 }));
        let anno = if l.dashed {
            chart
                .draw_series(DashedLineSeries::new(
                    l.points.iter().copied(),
                    s(14),
                    s(10),
                    style,
                ))
                .map_err(|x| e(&x))?
        } else {
            chart
                .draw_series(LineSeries::new(l.points.iter().copied(), style))
                .map_err(|x| e(&x))?
        };
        anno.label(l.label.as_str()).legend(move |(x, y)| {
            PathElement::new(vec![(x, y), (x + seg, y)], c.stroke_width(s(6)))
        });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .margin(s(16))
        .legend_area_size(s(56))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .label_font((FONT, s(24)))
        .draw()
        .map_err(|x| e(&x))?;
    root.present().map_err(|x| e(&x))?;
    Ok(())
}

/// One panel of a [`heat_chart`]: values by row (second key) and column (first key).
#[derive(Clone, Debug)]
pub struct Heat {
    pub title: String,
    pub values: Vec<Vec<f64>>,
    /// The values the colour scale spans.
    pub range: (f64, f64),
    /// A logarithmic colour scale (ratios).
    pub log: bool,
    /// Print values as percentages.
    pub percent: bool,
}

/// A colour for `t` in [0, 1] on a perceptually even scale from dark blue to yellow (after
/// viridis, by linear steps between five of its colours).
fn scale(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Heat maps side by side, one per panel, over the grid `xs × ys`; each cell shows its value
/// when the grid is small enough to read.
pub fn heat_chart(
    path: &Path,
    panels: &[Heat],
    (xs, ys): (&[f64], &[f64]),
    (x_label, y_label): (&str, &str),
    opts: &ChartOptions,
) -> Result<()> {
    ensure_font();
    let err = draw_err(path);
    let e = |e: &dyn std::fmt::Display| err(e.to_string());
    let root = BitMapBackend::new(path, (opts.width, opts.height)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let s = |px: u32| (px as f64 * opts.height as f64 / 1000.0).round().max(8.0) as u32;
    let root = root
        .titled(
            &opts.title,
            (FONT, s(36)).into_font().style(FontStyle::Bold),
        )
        .map_err(|x| e(&x))?;
    let areas = root.split_evenly((1, panels.len().max(1)));
    // Cell edges halfway between the values.
    let edges = |v: &[f64]| -> Vec<f64> {
        if v.len() == 1 {
            return vec![v[0] - 0.5, v[0] + 0.5];
        }
        let mut out = vec![v[0] - (v[1] - v[0]) / 2.0];
        out.extend(v.windows(2).map(|w| (w[0] + w[1]) / 2.0));
        out.push(v[v.len() - 1] + (v[v.len() - 1] - v[v.len() - 2]) / 2.0);
        out
    };
    let (xe, ye) = (edges(xs), edges(ys));
    let span = |e: &[f64]| (e[0].min(e[e.len() - 1]), e[0].max(e[e.len() - 1]));
    let ((x0, x1), (y0, y1)) = (span(&xe), span(&ye));
    let labels = xs.len() * ys.len() <= 150;
    for (area, panel) in areas.iter().zip(panels) {
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.title, (FONT, s(24)))
            .margin(s(16))
            .x_label_area_size(s(60))
            .y_label_area_size(s(80))
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style((FONT, s(18)))
            .axis_desc_style((FONT, s(20)))
            .x_label_formatter(&|v: &f64| tidy(*v))
            .y_label_formatter(&|v: &f64| tidy(*v))
            .draw()
            .map_err(|x| e(&x))?;
        let (lo, hi) = panel.range;
        let t = |v: f64| {
            if panel.log {
                (v.ln() - lo.ln()) / (hi.ln() - lo.ln()).max(1e-12)
            } else {
                (v - lo) / (hi - lo).max(1e-12)
            }
        };
        for (j, row) in panel.values.iter().enumerate() {
            for (i, &v) in row.iter().enumerate() {
                let fill = if v.is_finite() {
                    scale(t(v))
                } else {
                    RGBColor(220, 220, 220)
                };
                let rect = [(xe[i], ye[j]), (xe[i + 1], ye[j + 1])];
                chart
                    .draw_series(std::iter::once(Rectangle::new(rect, fill.filled())))
                    .map_err(|x| e(&x))?;
                if labels && v.is_finite() {
                    let text = if panel.percent {
                        format!("{:.0}", 100.0 * v)
                    } else if v >= 10.0 {
                        format!("{v:.0}")
                    } else {
                        format!("{v:.2}")
                    };
                    let ink = if t(v) > 0.6 { BLACK } else { WHITE };
                    let centre = ((xe[i] + xe[i + 1]) / 2.0, (ye[j] + ye[j + 1]) / 2.0);
                    chart
                        .draw_series(std::iter::once(Text::new(
                            text,
                            centre,
                            (FONT, s(16)).into_font().color(&ink).pos(
                                plotters::style::text_anchor::Pos::new(
                                    plotters::style::text_anchor::HPos::Center,
                                    plotters::style::text_anchor::VPos::Center,
                                ),
                            ),
                        )))
                        .map_err(|x| e(&x))?;
                }
            }
        }
    }
    root.present().map_err(|x| e(&x))?;
    Ok(())
}
