//! Decimal text to the nearest double (ties to even), as Rust's `str::parse::<f64>` and Python's
//! `float()` both read it: without core's parser, whose Eisel–Lemire step carries a 10 KB table
//! of powers of five.
//!
//! Three paths, each exact: Clinger's (at most 2^53 as the digits' value and a power of ten up to
//! 10^22, both exact doubles: one rounding), 128-bit integers (at most 19 digits and a power of
//! ten up to 10^19 or down to 10^-21: the quotient carries a sticky bit below its rounding
//! bit, then one rounding), and for the rest (more digits, far exponents) a candidate double
//! corrected against the exact value by big-integer comparisons with the halfway points.

use alloc::vec::Vec;
use core::cmp::Ordering;

/// The value of `text`: `[+-]?` then `inf`, `infinity` or `nan` (any case), or digits with at
/// most one `.` (at least one digit) and an optional exponent `[eE][+-]?[0-9]+`. `None` for
/// anything else. Out of range goes to infinity or zero, as in Python.
pub(crate) fn parse(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, rest) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, bytes),
    };
    let magnitude = if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
        f64::INFINITY
    } else if rest.eq_ignore_ascii_case(b"nan") {
        f64::NAN
    } else {
        Decimal::scan(rest)?.value()
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Significant digits kept exactly by the slow path; the digits after them only say whether
/// they are all zero. A halfway point between two doubles has at most 767 significant digits,
/// so it never falls strictly between the kept digits and the kept digits plus one unit.
const MAX_DIGITS: usize = 800;

/// Explicit exponents are clamped to this (far past where every value is 0 or infinite).
const EXPONENT_CLAMP: i64 = 1 << 20;

/// A scanned decimal: `digits` (only ASCII digits and at most one `.`) times 10^`exponent`.
struct Decimal<'a> {
    digits: &'a [u8],
    exponent: i64,
    /// The first (up to) 19 significant digits.
    w: u64,
    /// `w × 10^w_exponent` is the value when `exact`.
    w_exponent: i64,
    /// No non-zero digit after the 19 in `w`.
    exact: bool,
}

impl<'a> Decimal<'a> {
    fn scan(text: &'a [u8]) -> Option<Decimal<'a>> {
        let split = text
            .iter()
            .position(|&b| b == b'e' || b == b'E')
            .unwrap_or(text.len());
        let (digits, exponent_text) = text.split_at(split);
        let exponent = match exponent_text.split_first() {
            None => 0,
            Some((_, e)) => {
                let (negative, e) = match e.split_first() {
                    Some((b'-', rest)) => (true, rest),
                    Some((b'+', rest)) => (false, rest),
                    _ => (false, e),
                };
                if e.is_empty() || !e.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let magnitude = e.iter().fold(0i64, |n, &d| {
                    (n * 10 + i64::from(d - b'0')).min(EXPONENT_CLAMP)
                });
                if negative {
                    -magnitude
                } else {
                    magnitude
                }
            }
        };
        let mut points = 0;
        let mut any_digit = false;
        let mut w = 0u64;
        let mut w_digits = 0;
        let mut w_exponent = exponent;
        let mut exact = true;
        let mut after_point = false;
        for &b in digits {
            match b {
                b'.' => {
                    points += 1;
                    after_point = true;
                }
                b'0'..=b'9' => {
                    any_digit = true;
                    let d = u64::from(b - b'0');
                    if w_digits < 19 {
                        if w != 0 || d != 0 {
                            w = w * 10 + d;
                            w_digits += 1;
                        }
                        if after_point {
                            w_exponent -= 1;
                        }
                    } else {
                        exact &= d == 0;
                        if !after_point {
                            w_exponent += 1;
                        }
                    }
                }
                _ => return None,
            }
        }
        if points > 1 || !any_digit {
            return None;
        }
        Some(Decimal {
            digits,
            exponent,
            w,
            w_exponent,
            exact,
        })
    }

    fn value(&self) -> f64 {
        if self.w == 0 {
            // No non-zero digit among the first ones means none at all.
            return 0.0;
        }
        if self.exact {
            if let Some(x) = self.clinger().or_else(|| self.wide()) {
                return x;
            }
        }
        self.slow()
    }

    /// Both `w` and 10^|e| exact doubles: one IEEE operation rounds once.
    fn clinger(&self) -> Option<f64> {
        if self.w > 1 << 53 || !(-22..=22).contains(&self.w_exponent) {
            return None;
        }
        let w = self.w as f64;
        let scale = POW10.get(self.w_exponent.unsigned_abs() as usize)?;
        Some(if self.w_exponent < 0 {
            w / scale
        } else {
            w * scale
        })
    }

    /// `w × 10^e` in 128-bit integers for `-21 <= e <= 19`: one rounding (the `as` casts from
    /// an integer round to nearest, ties to even).
    fn wide(&self) -> Option<f64> {
        let e = self.w_exponent;
        if (0..=19).contains(&e) {
            // Below 10^19 × 10^19 < 2^127.
            return Some((u128::from(self.w) * u128::from(10u64.pow(e as u32))) as f64);
        }
        if !(-21..0).contains(&e) {
            return None;
        }
        let divisor = 10u128.pow(e.unsigned_abs() as u32);
        // Put the top bit of `w` at bit 126: the quotient has at least 126 - 70 = 56 bits, so
        // a sticky bit at bit 0 lies below the rounding bit of the 53 kept.
        let shift = 63 + self.w.leading_zeros();
        let scaled = u128::from(self.w) << shift;
        let quotient = (scaled / divisor) | u128::from(scaled % divisor != 0);
        // The quotient's rounding is exact to scale back: the value is far from the subnormals.
        Some(quotient as f64 * pow2(-(shift as i32)))
    }

    /// The general case: a candidate from the leading digits, moved one double at a time until
    /// the exact value lies between its halfway points (a tie to the even significand).
    fn slow(&self) -> f64 {
        // The significant digits, at most `MAX_DIGITS` of them kept.
        let mut big = Big::default();
        let mut kept = 0usize;
        let mut exponent = self.exponent;
        let mut sticky = false;
        let mut after_point = false;
        for &b in self.digits {
            if b == b'.' {
                after_point = true;
                continue;
            }
            let d = u32::from(b - b'0');
            if kept < MAX_DIGITS {
                if kept > 0 || d != 0 {
                    big.mul_add(10, d);
                    kept += 1;
                }
                if after_point {
                    exponent -= 1;
                }
            } else {
                sticky |= d != 0;
                if !after_point {
                    exponent += 1;
                }
            }
        }
        // The leading digit's power of ten.
        let lead = exponent + kept as i64 - 1;
        if lead > 309 {
            return f64::INFINITY;
        }
        if lead < -325 {
            return 0.0;
        }
        // Here `exponent` is within -325 - 800 ..= 309.
        let e = exponent as i32;
        let mut candidate = self.estimate().min(f64::MAX);
        // The value as `big × 2^e × 5^e`; with `e < 0`, the fives move to the other side.
        let value = big.times_pow5(e.max(0).unsigned_abs());
        let other_fives = e.min(0).unsigned_abs();
        // At most a few dozen steps: the estimate is off by a few units in the last place.
        loop {
            let bits = candidate.to_bits();
            let biased = (bits >> 52) as i32;
            let fraction = bits & ((1 << 52) - 1);
            let (m, k) = if biased == 0 {
                (fraction, -1074)
            } else {
                (fraction | (1 << 52), biased - 1075)
            };
            let even = m % 2 == 0;
            // Above the halfway point to the next double (or at it, with an odd significand).
            let above = compare(&value, e, sticky, 2 * m + 1, k - 1, other_fives);
            if above == Ordering::Greater || (above == Ordering::Equal && !even) {
                if candidate == f64::MAX {
                    return f64::INFINITY;
                }
                candidate = f64::from_bits(bits + 1);
                continue;
            }
            if m == 0 {
                return candidate;
            }
            // The gap below is half the gap above at a power of two above the subnormals.
            let below = if fraction == 0 && biased > 1 {
                compare(&value, e, sticky, 4 * m - 1, k - 2, other_fives)
            } else {
                compare(&value, e, sticky, 2 * m - 1, k - 1, other_fives)
            };
            if below == Ordering::Less || (below == Ordering::Equal && !even) {
                candidate = f64::from_bits(bits - 1);
                continue;
            }
            return candidate;
        }
    }

    /// The leading 19 digits scaled by powers of ten in doubles: within a few units in the
    /// last place (or 0 / infinity near the ends of the range, which `slow` corrects).
    fn estimate(&self) -> f64 {
        let mut x = self.w as f64;
        let mut e = self.w_exponent.clamp(-400, 400);
        while e > 22 {
            x *= 1e22;
            e -= 22;
        }
        while e < -22 {
            x /= 1e22;
            e += 22;
        }
        // |e| <= 22 here; any candidate would do (`slow` corrects it), only more slowly.
        let scale = POW10.get(e.unsigned_abs() as usize).copied().unwrap_or(1.0);
        if e < 0 {
            x / scale
        } else {
            x * scale
        }
    }
}

/// 10^0 ..= 10^22: every one an exact double.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// 2^e for `-1022 <= e <= 1023`.
fn pow2(e: i32) -> f64 {
    f64::from_bits(((1023 + e) as u64) << 52)
}

/// `value × 2^e` (with `sticky`: plus something smaller than its last unit) against
/// `m × 2^k × 5^fives`, exactly.
fn compare(value: &Big, e: i32, sticky: bool, m: u64, k: i32, fives: u32) -> Ordering {
    let mut left = value.clone();
    let mut right = Big::from_u64(m).times_pow5(fives);
    if e >= k {
        left.shl(e.abs_diff(k));
    } else {
        right.shl(e.abs_diff(k));
    }
    match left.cmp(&right) {
        Ordering::Equal if sticky => Ordering::Greater,
        order => order,
    }
}

/// A non-negative integer in 32-bit limbs, least significant first, no high zero limb.
#[derive(Clone, Default)]
struct Big {
    limbs: Vec<u32>,
}

impl Big {
    fn from_u64(n: u64) -> Big {
        // The low and high 32 bits (the casts keep exactly those).
        let mut limbs = alloc::vec![n as u32, (n >> 32) as u32];
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
        Big { limbs }
    }

    /// `self × factor + add`.
    fn mul_add(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.limbs {
            let t = u64::from(*limb) * u64::from(factor) + carry;
            // The low 32 bits.
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            // Below 2^32: a product of two 32-bit numbers plus a 32-bit carry, shifted.
            self.limbs.push(carry as u32);
        }
    }

    fn times_pow5(mut self, mut e: u32) -> Big {
        while e > 0 {
            let step = e.min(13);
            self.mul_add(5u32.pow(step), 0);
            e -= step;
        }
        self
    }

    fn shl(&mut self, bits: u32) {
        if self.limbs.is_empty() {
            return;
        }
        let words = (bits / 32) as usize;
        let bits = bits % 32;
        if bits > 0 {
            self.mul_add(1 << bits, 0);
        }
        self.limbs.splice(0..0, core::iter::repeat(0).take(words));
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    fn check(text: &str) {
        let want = text.parse::<f64>().ok();
        let got = parse(text);
        assert_eq!(
            got.map(f64::to_bits),
            want.map(f64::to_bits),
            "{text}: {got:?} != {want:?}"
        );
    }

    #[test]
    fn decimal_parse_agrees_with_core() {
        for text in [
            "0", "-0", "+0", "0.0", "00", "1", "-1", "1.5", ".5", "5.", ".", "", "-", "+", "e5",
            "1e", "1e+", "1e-", "1.2.3", "1e5e5", "1x", "--1", "inf", "-Infinity", "INF", "nan",
            "NaN", "-nan", "infinit", "1e400", "-1e400", "1e-400", "5e-324", "2.4703282292062328e-324",
            "2.4703282292062327e-324", "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324",
            "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
            "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999999",
            "9007199254740993", "9007199254740993.0000000000000000001", "123456789012345680.0",
            "1e23", "8.98846567431158e307", "2.2250738585072011e-308", "2.2250738585072012e-308",
            "4.9406564584124654e-324", "1e-45", "0.000000000000000000000000000001",
            "1733498765.1234567", "1733498765.123456", "1e22", "1e-22", "9999999999999999999e-21",
            "18446744073709551615", "18446744073709551616e-5",
        ] {
            check(text);
        }
        // Long digit strings: sticky digits after the kept ones, leading and trailing zeros.
        let mut long = String::from("1.");
        long.extend(core::iter::repeat('0').take(900));
        long.push('1');
        check(&long);
        check(&format!("0.{}1e330", "0".repeat(1000)));
        check(&format!("{}e-900", "9".repeat(900)));
        check(&format!("{}.{}", "1".repeat(400), "2".repeat(400)));
    }

    #[test]
    fn decimal_parse_halfway_points_round_to_even() {
        // Exactly halfway between neighbours (and just off it): above 2^53 the halfway points
        // are integers; below, their exact decimals come from `Big`.
        for k in 0..300u64 {
            let base = (1u64 << 60) + k * 256;
            check(&format!("{}", base + 128));
            check(&format!("{}.000000000000000000000000001", base + 128));
            check(&format!("{}", base + 127));
        }
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..2000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state >> 1);
            if !x.is_finite() || x == 0.0 {
                continue;
            }
            let bits = x.to_bits();
            let biased = (bits >> 52) as i32;
            let fraction = bits & ((1 << 52) - 1);
            let (m, k) = if biased == 0 {
                (fraction, -1074)
            } else {
                (fraction | (1 << 52), biased - 1075)
            };
            // (2m + 1) × 2^(k - 1) in decimal: times 10^j / 10^j for the fractional ones.
            let j = (1 - k).max(0) as u32;
            let mut big = Big::from_u64(2 * m + 1).times_pow5(j);
            if k - 1 > 0 {
                big.shl((k - 1) as u32);
            }
            let digits = to_decimal(&big);
            for tail in ["", "000001", "0"] {
                check(&format!("{digits}{tail}e-{}", j as usize + tail.len()));
            }
            // One below the halfway point in the last digit.
            let below = format!(
                "{}e-{j}",
                to_decimal(&{
                    let mut b = big.clone();
                    sub_one(&mut b);
                    b
                })
            );
            check(&below);
        }
    }

    #[test]
    fn decimal_parse_random_texts() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..30_000 {
            let x = f64::from_bits(next() >> 1);
            if x.is_finite() {
                check(&format!("{x:e}"));
                check(&format!("{x}"));
                check(&format!("{x:.25e}"));
            }
            let digits = next() % 10u64.pow((next() % 20) as u32).max(1);
            let e = (next() % 700) as i64 - 350;
            check(&format!("{digits}e{e}"));
            check(&format!("0.{digits}{}e{e}", next()));
        }
    }

    fn to_decimal(big: &Big) -> String {
        let mut limbs = big.limbs.clone();
        let mut out = Vec::new();
        while !limbs.is_empty() {
            let mut rem = 0u64;
            for limb in limbs.iter_mut().rev() {
                let t = (rem << 32) | u64::from(*limb);
                *limb = (t / 10) as u32;
                rem = t % 10;
            }
            out.push(b'0' + rem as u8);
            while limbs.last() == Some(&0) {
                limbs.pop();
            }
        }
        if out.is_empty() {
            out.push(b'0');
        }
        out.reverse();
        String::from_utf8(out).unwrap()
    }

    fn sub_one(big: &mut Big) {
        for limb in &mut big.limbs {
            let (v, borrow) = limb.overflowing_sub(1);
            *limb = v;
            if !borrow {
                break;
            }
        }
        while big.limbs.last() == Some(&0) {
            big.limbs.pop();
        }
    }
}
