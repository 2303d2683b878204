//! The CSV edge list: rows formatted in parallel, numbers written as printf would.

use super::{write_rows, CoactionEdges, EdgeWeight, GraphEdges};
use crate::dataset::Dataset;
use crate::graphs::Projection;
use std::io::Write;

/// Integers as integers, everything else with six decimals, or below 0.001 (p-values, mostly)
/// in scientific notation with six, which six decimals would show as nothing but 0.000000 or
/// a digit or two; NaN (undefined) as empty. Written
/// with `itoa` digits and no libm calls (`trunc` and `round` are calls on baseline x86-64):
/// `{:.6}` on floats, and then `write!` of integers, were most of a large graph's write time.
pub(super) fn push_num(out: &mut Vec<u8>, x: f64) {
    let mut digits = itoa::Buffer::new();
    let whole = x as i64; // saturating: equal to x only when x is a whole number in range
    if x.is_nan() {
    } else if x.is_infinite() {
        out.extend_from_slice(if x > 0.0 { b"inf" } else { b"-inf" });
    } else if whole as f64 == x && x.abs() < 1e15 {
        out.extend_from_slice(digits.format(whole).as_bytes());
    } else if x.abs() < 1e-3 {
        let _ = write!(out, "{x:.6e}");
    } else if x.abs() < 1e9 && !near_half(x.abs() * 1e6) {
        // x·1e6 is within half an ulp of the exact product, so away from a half the rounding
        // below (half away from zero, exact since m - floor(m) is) picks what printf would.
        let m = x.abs() * 1e6;
        let floor = m as u64;
        let micros = floor + u64::from(m - floor as f64 > 0.5);
        // Digits written right to left into one buffer, the point six from the end.
        let mut buf = [b'0'; 24];
        let mut end = buf.len();
        let mut rest = micros;
        for _ in 0..6 {
            end -= 1;
            buf[end] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        end -= 1;
        buf[end] = b'.';
        loop {
            end -= 1;
            buf[end] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if x < 0.0 && micros > 0 {
            end -= 1;
            buf[end] = b'-';
        }
        out.extend_from_slice(&buf[end..]);
    } else {
        let _ = write!(out, "{x:.6}");
    }
}

/// Whether m's fractional part is too close to a half for the product's rounding error.
fn near_half(m: f64) -> bool {
    let frac = m - (m as u64) as f64;
    (frac - 0.5).abs() <= m * f64::EPSILON
}

/// A co-action projection's edges (all of them: filter `p.edges` first) as the same CSV
/// edge list `EdgeTable::coaction` and `write_graph` give, without copying every edge's
/// columns into a table first (8 GB at 10^8 tweets).
pub fn write_coaction_csv(
    out: &mut dyn Write,
    data: &Dataset,
    p: &Projection,
    weight: EdgeWeight,
) -> std::io::Result<()> {
    write_csv(out, data, &CoactionEdges { p, weight })
}

/// The CSV edge list, its rows formatted in parallel ([`write_rows`]).
pub(super) fn write_csv(
    out: &mut dyn Write,
    data: &Dataset,
    t: &dyn GraphEdges,
) -> std::io::Result<()> {
    let mut header = vec!["source", "target", "weight", "kind"];
    header.extend(t.columns().iter().map(|c| c.name));
    if t.has_examples() {
        header.push("example_item");
    }
    write_header(out, &header)?;
    write_rows(out, t.len(), |buf, i| push_line(buf, data, t, i))
}

/// A CSV file's header line.
pub(in crate::report) fn write_header(out: &mut dyn Write, header: &[&str]) -> std::io::Result<()> {
    let mut line = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        push_field(&mut line, h);
    }
    line.push(b'\n');
    out.write_all(&line)
}

/// Edge `i` as a CSV line: endpoints, weight, kind, the columns' values, the example.
fn push_line(buf: &mut Vec<u8>, data: &Dataset, t: &dyn GraphEdges, i: usize) {
    let (a, b, weight) = t.edge(i);
    push_field(buf, data.accounts.key(a));
    buf.push(b',');
    push_field(buf, data.accounts.key(b));
    buf.push(b',');
    push_num(buf, weight);
    buf.push(b',');
    push_field(buf, t.kind());
    for c in 0..t.columns().len() {
        buf.push(b',');
        push_num(buf, t.value(i, c));
    }
    if t.has_examples() {
        buf.push(b',');
        push_field(buf, &t.example(data, i).unwrap_or_default());
    }
    buf.push(b'\n');
}

/// A CSV field as RFC 4180 writes it: quoted, with quotes doubled, when it holds a comma, a
/// quote or a line break; as it is otherwise.
pub(in crate::report) fn push_field(buf: &mut Vec<u8>, s: &str) {
    // A text that a spreadsheet would run as a formula is written as text (see `safe`).
    let guarded = crate::report::safe::guard(s);
    let s = guarded.as_ref();
    let b = s.as_bytes();
    // One pass without early exit, which the compiler vectorises; two memchr calls cost more
    // on fields this short (account ids, numbers).
    let special = b.iter().fold(false, |any, &c| {
        any | matches!(c, b',' | b'"' | b'\n' | b'\r')
    });
    if !special {
        buf.extend_from_slice(b);
        return;
    }
    buf.push(b'"');
    for (i, part) in s.split('"').enumerate() {
        if i > 0 {
            buf.extend_from_slice(b"\"\"");
        }
        buf.extend_from_slice(part.as_bytes());
    }
    buf.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::{push_field, push_num};

    #[test]
    fn fields_are_quoted_as_the_csv_crate_quotes_them() {
        for s in [
            "plain",
            "",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\r",
            "#tag",
            "ünï",
        ] {
            let mut ours = Vec::new();
            push_field(&mut ours, s);
            let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
            w.write_record([s, "x"]).unwrap();
            let theirs = w.into_inner().unwrap();
            assert_eq!([ours, b",x\n".to_vec()].concat(), theirs, "{s:?}");
        }
    }

    fn num(x: f64) -> String {
        let mut s = Vec::new();
        push_num(&mut s, x);
        String::from_utf8(s).unwrap()
    }

    #[test]
    fn numbers_read_as_printf_would_write_them() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(-42.0), "-42");
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(f64::INFINITY), "inf");
        assert_eq!(num(-0.0000001), "-1.000000e-7");
        // A p-value too small for six decimals keeps its digits.
        assert_eq!(num(7.78e-12), "7.780000e-12");
        assert_eq!(num(0.000_999_4), "9.994000e-4");
        assert_eq!(num(0.001), "0.001000");
        for x in [
            0.5,
            20.865,
            7.6423281,
            -0.068038,
            123_456.000_000_4,
            2.5e8 + 0.25,
            2.5e11 + 0.25,
            0.999_999_6,
            -3.000_000_5,
            999_999_999.999_999,
            12.345_678_5,
        ] {
            assert_eq!(num(x), format!("{x:.6}"), "{x}");
        }
        // Values of every magnitude the columns take, and values a hair from a tie.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for i in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            let x = match i % 3 {
                0 => unit * 10f64.powi(i % 12 - 3),
                1 => ((state % 1_000_000_000) as f64 + 0.5) / 1e6,
                _ => -unit * 1e4,
            };
            let want = match x.abs() < 1e-3 {
                true => format!("{x:.6e}"),
                false => format!("{x:.6}"),
            };
            if x.fract() != 0.0 {
                assert_eq!(num(x), want, "{x:e}");
            }
        }
    }
}
