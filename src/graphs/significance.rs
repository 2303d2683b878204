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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
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
