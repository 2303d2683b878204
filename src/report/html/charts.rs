//! The report's charts, drawn as SVG with plotters (its SVG backend alone: no fonts, no C
//! libraries). Every chart is a function of plain numbers; labels are escaped by plotters.

use plotters::coord::Shift;
use plotters::prelude::*;

const BLUE: RGBColor = RGBColor(46, 134, 193);
const RED: RGBColor = RGBColor(192, 57, 43);
const GREY: RGBColor = RGBColor(150, 156, 163);
/// Series colours, in order.
pub const SERIES: [RGBColor; 4] = [
    RGBColor(46, 134, 193),
    RGBColor(230, 126, 34),
    RGBColor(39, 174, 96),
    RGBColor(142, 68, 173),
];

/// Draw into an SVG of `w` x `h`; drawing into a string cannot fail, so errors only cut the
/// chart short.
fn svg(w: u32, h: u32, draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Option<()>) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let _ = draw(&root);
        let _ = root.present();
    }
    out
}

/// Clusters by size (log scale) and score, flagged ones in red, the threshold drawn.
pub fn clusters(points: &[(usize, f64, bool)], threshold: f64) -> String {
    let max = points.iter().map(|p| p.0).max().unwrap_or(10).max(10) as f64;
    svg(640, 300, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption("clusters by size and score", ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..max.log10() * 1.05, 0f64..1f64)
            .ok()?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .x_desc("accounts (log scale)")
            .y_desc("score")
            .x_label_formatter(&|x| format!("{:.0}", 10f64.powf(*x)))
            .draw()
            .ok()?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, threshold), (max.log10() * 1.05, threshold)],
                RED.stroke_width(1),
            ))
            .ok()?;
        chart
            .draw_series(points.iter().map(|&(size, score, flagged)| {
                let colour = if flagged { RED } else { GREY };
                Circle::new(((size.max(1) as f64).log10(), score), 4, colour.filled())
            }))
            .ok()?;
        Some(())
    })
}

/// Stacked bars per day: `series` are (name, counts per day), drawn in [`SERIES`] colours.
pub fn stacked_days(title: &str, first_day: &str, series: &[(&str, Vec<u64>)]) -> String {
    let days = series.first().map_or(0, |s| s.1.len());
    let total = (0..days)
        .map(|d| series.iter().map(|s| s.1[d]).sum::<u64>())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    svg(520, 230, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 14))
            .margin(6)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..days.max(1) as f64, 0f64..total * 1.05)
            .ok()?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(0)
            .x_desc(format!("from {first_day}"))
            .y_desc("tweets")
            .draw()
            .ok()?;
        let mut base = vec![0u64; days];
        for (k, (name, counts)) in series.iter().enumerate() {
            let colour = SERIES[k % SERIES.len()];
            let bars: Vec<Rectangle<(f64, f64)>> = counts
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(d, &n)| {
                    let lo = base[d] as f64;
                    Rectangle::new(
                        [(d as f64 + 0.1, lo), (d as f64 + 0.9, lo + n as f64)],
                        colour.filled(),
                    )
                })
                .collect();
            for (b, &n) in base.iter_mut().zip(counts) {
                *b += n;
            }
            chart
                .draw_series(bars)
                .ok()?
                .label(*name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 4), (x + 10, y + 4)], colour.filled())
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(GREY)
            .draw()
            .ok()?;
        Some(())
    })
}

/// Tweets per hour of the week (UTC): one row per day, Monday first, one column per hour.
pub fn week(counts: &[[u64; 24]; 7]) -> String {
    let max = counts.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    svg(520, 210, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption("tweets by hour of the week (UTC)", ("sans-serif", 14))
            .margin(6)
            .x_label_area_size(28)
            .y_label_area_size(36)
            .build_cartesian_2d(0f64..24f64, 0f64..7f64)
            .ok()?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(13)
            .y_labels(7)
            .x_desc("hour")
            .y_label_formatter(&|y| {
                DAYS.get(6 - (*y as usize).min(6))
                    .copied()
                    .unwrap_or("")
                    .to_string()
            })
            .draw()
            .ok()?;
        chart
            .draw_series((0..7).flat_map(|d| {
                (0..24).map(move |h| {
                    let v = counts[d][h] as f64 / max;
                    let colour = RGBColor(
                        (255.0 - v * 209.0) as u8,
                        (255.0 - v * 121.0) as u8,
                        (255.0 - v * 62.0) as u8,
                    );
                    let y = (6 - d) as f64;
                    Rectangle::new([(h as f64, y), (h as f64 + 1.0, y + 1.0)], colour.filled())
                })
            }))
            .ok()?;
        Some(())
    })
}

/// Two distributions over the same bins as shares: `observed` as bars, `null` (if any) as a
/// line of points; bins are labelled by `labels`. `mark` draws a vertical line at a bin
/// boundary (the 5-minute mark of a delay histogram).
pub fn distributions(
    title: &str,
    x_desc: &str,
    labels: &[String],
    observed: &[f64],
    null: Option<(&str, &[f64])>,
    mark: Option<f64>,
) -> String {
    let n = observed.len().max(1);
    let top = observed
        .iter()
        .chain(null.iter().flat_map(|x| x.1.iter()))
        .copied()
        .fold(0.0f64, f64::max)
        .max(0.01);
    let labels = labels.to_vec();
    svg(520, 230, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 14))
            .margin(6)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..n as f64, 0f64..top * 1.1)
            .ok()?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(0)
            .x_labels(n.min(12))
            .x_desc(x_desc)
            .y_desc("share")
            .x_label_formatter(&|x| labels.get(*x as usize).cloned().unwrap_or_default())
            .draw()
            .ok()?;
        chart
            .draw_series(observed.iter().enumerate().map(|(i, &v)| {
                Rectangle::new([(i as f64 + 0.1, 0.0), (i as f64 + 0.9, v)], BLUE.filled())
            }))
            .ok()?
            .label("this cluster")
            .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 10, y + 4)], BLUE.filled()));
        if let Some((name, null)) = null {
            chart
                .draw_series(LineSeries::new(
                    null.iter().enumerate().map(|(i, &v)| (i as f64 + 0.5, v)),
                    RED.stroke_width(2),
                ))
                .ok()?
                .label(name)
                .legend(|(x, y)| PathElement::new([(x, y), (x + 10, y)], RED.stroke_width(2)));
        }
        if let Some(m) = mark {
            chart
                .draw_series(LineSeries::new(
                    [(m, 0.0), (m, top * 1.1)],
                    GREY.stroke_width(1),
                ))
                .ok()?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(GREY)
            .draw()
            .ok()?;
        Some(())
    })
}
