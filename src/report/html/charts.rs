//! The report's charts, drawn as SVG with plotters (its SVG backend alone: no fonts, no C
//! libraries). Every chart is a function of plain numbers; labels are escaped by plotters.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

/// Stacked bars per time bin, each labelled by its first day (`starts`): `series` are
/// (name, counts per bin), drawn in [`SERIES`] colours.
pub fn stacked_days(title: &str, starts: &[String], series: &[(&str, Vec<u64>)]) -> String {
    let bins = series.first().map_or(0, |s| s.1.len());
    let total = (0..bins)
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
            // Head room above the tallest bar for the legend's four rows.
            .build_cartesian_2d(0f64..bins.max(1) as f64, 0f64..total * 1.7)
            .ok()?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(0)
            .x_labels(0)
            .y_desc("tweets")
            // Tweets are whole: a tick between two counts stays unlabelled.
            .y_label_formatter(&|y| match y.fract() {
                0.0 => format!("{y:.0}"),
                _ => String::new(),
            })
            .draw()
            .ok()?;
        label_bars(root, &chart, starts, 5)?;
        let mut base = vec![0u64; bins];
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
            .label_font(("sans-serif", 10))
            .margin(4)
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
    // No colour bar: the caption gives the scale's top.
    let caption = format!(
        "tweets by hour of the week (UTC; the darkest {})",
        max as u64
    );
    svg(520, 210, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(caption, ("sans-serif", 14))
            .margin(6)
            .x_label_area_size(28)
            .y_label_area_size(36)
            .build_cartesian_2d(0f64..24f64, 0f64..7f64)
            .ok()?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(13)
            .y_labels(0)
            .x_desc("hour")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .draw()
            .ok()?;
        // Each day named beside the middle of its row, not on a line between two.
        let style = ("sans-serif", 12)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (d, day) in DAYS.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(0.0, (6 - d) as f64 + 0.5));
            root.draw_text(day, &style, (x - 6, y)).ok()?;
        }
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

type Bars<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Write `labels[i]` under the middle of bar `i` (over `[i, i + 1]`), for at most `most` bars
/// (every k-th from the first): a label names its bar, not an edge between two.
fn label_bars(
    root: &DrawingArea<SVGBackend, Shift>,
    chart: &Bars,
    labels: &[String],
    most: usize,
) -> Option<()> {
    let every = labels.len().div_ceil(most.max(1)).max(1);
    let style = ("sans-serif", 12)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (i, label) in labels.iter().enumerate().step_by(every) {
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        root.draw_text(label, &style, (x, y + 6)).ok()?;
    }
    Some(())
}

/// Two distributions over the same bins as shares: `observed` as bars, `null` (if any) as a
/// line of points; each bin's label is drawn under its bar. `mark` draws a vertical line at
/// the boundary before that bin (the 5-minute mark of a delay histogram).
pub fn distributions(
    title: &str,
    x_desc: &str,
    labels: &[String],
    observed: &[f64],
    null: Option<(&str, &[f64])>,
    mark: Option<usize>,
) -> String {
    let n = observed.len();
    let top = observed
        .iter()
        .chain(null.iter().flat_map(|x| x.1.iter()))
        .copied()
        .fold(0.0f64, f64::max)
        .max(0.01);
    // Head room above the tallest bar for the legend (two rows, at the right, where the
    // tallest bar may stand), so that it hides no data.
    let ceiling = top * 1.7;
    svg(520, 230, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 14))
            .margin(6)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..n.max(1) as f64, 0f64..ceiling)
            .ok()?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(0)
            .x_labels(0)
            .x_desc(x_desc)
            .y_desc("share")
            // The head room above is for the legend: no share there.
            .y_label_formatter(&|y| match *y > 1.0 + 1e-9 {
                true => String::new(),
                false => format!("{}", (y * 1000.0).round() / 1000.0),
            })
            .draw()
            .ok()?;
        label_bars(root, &chart, labels, 12)?;
        chart
            .draw_series((0..).zip(observed).map(|(i, &v)| {
                Rectangle::new([(i as f64 + 0.1, 0.0), (i as f64 + 0.9, v)], BLUE.filled())
            }))
            .ok()?
            .label("this cluster")
            .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 10, y + 4)], BLUE.filled()));
        if let Some((name, null)) = null {
            chart
                .draw_series(LineSeries::new(
                    (0..).zip(null).map(|(i, &v)| (i as f64 + 0.5, v)),
                    RED.stroke_width(2),
                ))
                .ok()?
                .label(name)
                .legend(|(x, y)| PathElement::new([(x, y), (x + 10, y)], RED.stroke_width(2)));
        }
        if let Some(m) = mark {
            let m = m as f64;
            chart
                .draw_series(LineSeries::new(
                    [(m, 0.0), (m, ceiling)],
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The x positions of the SVG text elements that read `label`.
    fn label_x(svg: &str, label: &str) -> Vec<f64> {
        svg.split("<text")
            .filter(|t| {
                t.split_once('>')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with(label))
            })
            .filter_map(|t| {
                let at = t.find(" x=\"")? + 4;
                t[at..].split('"').next()?.parse().ok()
            })
            .collect()
    }

    /// The x spans of the blue rectangles wider than the legend's swatch: the bars.
    fn bars(svg: &str) -> Vec<(f64, f64)> {
        let num = |t: &str, key: &str| -> Option<f64> {
            let at = t.find(key)? + key.len();
            t[at..].split('"').next()?.parse().ok()
        };
        svg.split("<rect")
            .skip(1)
            .filter(|t| t.to_ascii_lowercase().contains("fill=\"#2e86c1\""))
            .filter_map(|t| Some((num(t, " x=\"")?, num(t, " width=\"")?)))
            .filter(|(_, w)| *w > 12.0)
            .collect()
    }

    #[test]
    fn each_bin_is_labelled_under_the_middle_of_its_bar() {
        let labels: Vec<String> = ["a1", "b2", "c3", "d4"].map(String::from).to_vec();
        let svg = distributions("t", "x", &labels, &[0.1, 0.2, 0.3, 0.4], None, Some(2));
        let bars = bars(&svg);
        for (i, l) in labels.iter().enumerate() {
            let x = label_x(&svg, l);
            assert_eq!(x.len(), 1, "{l}: {x:?}");
            // The bar whose span holds the label: the i-th from the left.
            let mut under: Vec<&(f64, f64)> = bars
                .iter()
                .filter(|(bx, w)| *bx <= x[0] && x[0] <= bx + w)
                .collect();
            assert_eq!(under.len(), 1, "{l} at {x:?}: {bars:?}");
            let (bx, w) = under.pop().unwrap();
            assert!(
                (bx + w / 2.0 - x[0]).abs() < 2.0,
                "{l} at {x:?}, bar {bx}+{w}"
            );
            let left = bars.iter().filter(|(b, _)| b < bx).count();
            assert_eq!(left, i, "{l}");
        }
    }

    #[test]
    fn one_bin_and_no_bins_draw_without_invalid_numbers() {
        let one = [String::from("only")];
        for svg in [
            distributions("t", "x", &one, &[1.0], Some(("null", &[0.5][..])), None),
            stacked_days("t", &one, &[("original", vec![3])]),
            stacked_days("t", &[], &[("original", vec![])]),
        ] {
            assert!(svg.starts_with("<svg") && !svg.contains("NaN"), "{svg}");
        }
    }
}
