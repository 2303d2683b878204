//! Edge significance: what a co-action count means once activity is accounted for.
//!
//! Busy accounts share items by chance. The null model keeps every action slot (item and
//! time) and every account's number of actions, and shuffles which account fills which slot:
//! a bipartite configuration model with the time window applied, since slots pair up only
//! inside the window. Under it, accounts `a` and `b` with `k_a` and `k_b` actions are expected
//! to form `2 * P * k_a * k_b / (M * (M - 1))` pairs, where `M` is the number of actions and
//! `P` the number of in-window slot pairs; counts are close to Poisson, which gives a z-score
//! and a p-value per edge. `shuffle_accounts` draws from the same null for checking.

use super::actions::Actions;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// A non-negative sum kept in fixed point, so totals do not depend on the order in which
/// threads add them.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Fixed(u64);

impl Fixed {
    const SCALE: f64 = 1e9;
    pub const ZERO: Fixed = Fixed(0);

    pub fn get(self) -> f64 {
        self.0 as f64 / Fixed::SCALE
    }
}

impl From<f64> for Fixed {
    fn from(x: f64) -> Fixed {
        Fixed((x.max(0.0) * Fixed::SCALE).round() as u64)
    }
}

impl std::ops::AddAssign for Fixed {
    fn add_assign(&mut self, o: Fixed) {
        self.0 = self.0.saturating_add(o.0);
    }
}

/// P(X >= k) for X ~ Poisson(lambda).
pub fn poisson_upper_tail(k: u64, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    if k == 1 {
        // Most edges: 1 - e^-lambda, exactly and at the cost of one call.
        return -(-lambda).exp_m1();
    }
    // P(X >= k) = P(k, lambda), the regularized lower incomplete gamma function.
    regularized_lower_gamma(k as f64, lambda).clamp(0.0, 1.0)
}

fn regularized_lower_gamma(a: f64, x: f64) -> f64 {
    let ln_prefix = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // Series: sum x^n / (a (a+1) ... (a+n)).
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term < sum * 1e-15 {
                break;
            }
        }
        (sum.ln() + ln_prefix).exp()
    } else {
        // Continued fraction for the upper function (Lentz), then 1 - Q.
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        1.0 - (ln_prefix.exp() * h)
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// A p-value for people, after "p": "= 1.20e-5", or "< 5e-324" where it is below what a
/// float holds (computed as 0; its z is then the cap, 40).
pub fn p_shown(p: f64) -> String {
    match p {
        // Plain decimals where they read as such (0.31, 0.0042), powers of ten below.
        p if p >= 0.001 => format!("= {}", significant(p.min(1.0))),
        p if p > 0.0 => format!("= {p:.2e}"),
        _ => "< 5e-324".to_string(),
    }
}

/// `p` (in [0.001, 1]) to two significant digits, without trailing zeros.
fn significant(p: f64) -> String {
    let decimals = (1 - p.log10().floor() as i32).max(1) as usize;
    let s = format!("{p:.decimals$}");
    let s = s.trim_end_matches('0');
    s.strip_suffix('.').unwrap_or(s).to_string()
}

/// The z-score with the same upper-tail probability as `p` under a standard normal:
/// `Φ⁻¹(1 - p)`. Reporting z this way keeps it consistent with the p-value; the usual
/// (x - λ)/√λ makes a single co-action between two quiet accounts look like a 10-sigma event.
pub fn z_from_p(p: f64) -> f64 {
    if p >= 1.0 {
        return -40.0;
    }
    if p <= 0.0 {
        return 40.0;
    }
    -normal_quantile(p)
}

/// Φ⁻¹(p), the standard normal quantile by Acklam's rational approximation (relative error
/// below 1.15e-9). No Halley step: the one this had went through a 1.2e-7-exact erfc, so it
/// cost three calls per edge and could only make the result worse.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    // Down to the smallest float (a subnormal's logarithm is exact enough): p-values of
    // 1e-316 are written, and their z must not stop short at a clamp's 37.05.
    let p = p.clamp(f64::from_bits(1), 1.0 - 1e-16);
    let low = 0.024_25;
    if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// One draw from the null: the same slots (items and times), accounts shuffled over them.
pub fn shuffle_accounts(actions: &Actions, seed: u64) -> Actions {
    let mut out = actions.clone();
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    out.account.shuffle(&mut rng);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Far in the tail, z is the one whose normal tail is `p`: ln Q(z) from its asymptotic
    /// series, φ(z)/z · (1 - 1/z² + 3/z⁴ - 15/z⁶), down to subnormal p-values.
    #[test]
    fn z_follows_p_into_the_subnormals() {
        let mut last = 0.0;
        for p in [1e-100, 1e-290, 1e-300, 1e-308, 6.72e-316, 1e-320, 5e-324] {
            let z: f64 = z_from_p(p);
            let series = 1.0 - z.powi(-2) + 3.0 * z.powi(-4) - 15.0 * z.powi(-6);
            let ln_q =
                -z * z / 2.0 - (2.0 * std::f64::consts::PI).sqrt().ln() - z.ln() + series.ln();
            // A subnormal p holds fewer digits: compare logarithms.
            assert!((ln_q - p.ln()).abs() < 1e-6 * p.ln().abs(), "p {p}: z {z}");
            assert!(z > last, "p {p}: z {z} not above {last}");
            last = z;
        }
        assert!((z_from_p(6.72e-316) - 37.98).abs() < 0.01);
        assert_eq!(z_from_p(0.0), 40.0);
    }

    #[test]
    fn poisson_tail_matches_direct_sums() {
        for lambda in [0.01f64, 0.5, 3.0, 20.0, 150.0] {
            for k in [1u64, 2, 5, 10, 40, 200] {
                // Direct: 1 - sum_{i<k} e^-l l^i / i!
                let mut term = (-lambda).exp();
                let mut below = 0.0;
                for i in 0..k {
                    below += term;
                    term *= lambda / (i + 1) as f64;
                }
                let direct = (1.0 - below).max(0.0);
                let got = poisson_upper_tail(k, lambda);
                assert!(
                    (got - direct).abs() < 1e-9 + 1e-6 * direct,
                    "k={k} lambda={lambda}: {got} vs {direct}"
                );
            }
        }
        assert_eq!(poisson_upper_tail(0, 2.0), 1.0);
        assert_eq!(poisson_upper_tail(3, 0.0), 0.0);
    }

    #[test]
    fn normal_quantiles_to_nine_digits() {
        // Reference values of the probit function to 16 digits.
        for (p, want) in [
            (0.975, 1.959_963_984_540_054),
            (0.5, 0.0),
            (0.001, -3.090_232_306_167_813_5),
            (1e-10, -6.361_340_902_404_056),
            (0.9, 1.281_551_565_544_600_5),
            (0.02, -2.053_748_910_631_823),
        ] {
            let got = normal_quantile(p);
            assert!(
                (got - want).abs() <= 2e-9 * want.abs().max(1.0),
                "{p}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn normal_quantiles() {
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-5);
        assert!((normal_quantile(0.5)).abs() < 1e-7);
        assert!((z_from_p(0.001) - 3.090_232).abs() < 1e-5);
        assert!((z_from_p(1e-10) - 6.361_341).abs() < 1e-4);
        assert_eq!(z_from_p(0.0), 40.0);
    }

    /// explain printed "p = 0.00e0" for a p-value below what a float holds.
    #[test]
    fn a_p_value_too_small_for_a_float_is_shown_as_a_bound() {
        assert_eq!(p_shown(0.0), "< 5e-324");
        assert_eq!(p_shown(1.2e-5), "= 1.20e-5");
        assert_eq!(p_shown(1.0), "= 1");
        assert_eq!(p_shown(0.31234), "= 0.31");
        assert_eq!(p_shown(0.0042), "= 0.0042");
        assert_eq!(p_shown(0.05), "= 0.05");
        assert_eq!(p_shown(poisson_upper_tail(2000, 1.0)), "< 5e-324");
    }

    #[test]
    fn fixed_point_sums_are_order_free() {
        let xs = [0.1, 1e-7, 3.25, 17.0, 0.333_333];
        let mut a = Fixed::ZERO;
        let mut b = Fixed::ZERO;
        for x in xs {
            a += Fixed::from(x);
        }
        for x in xs.iter().rev() {
            b += Fixed::from(*x);
        }
        assert_eq!(a, b);
        assert!((a.get() - xs.iter().sum::<f64>()).abs() < 1e-8);
    }
}
