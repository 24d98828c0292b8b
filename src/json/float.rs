//! Python's float text: `float.__repr__` as `json.dumps` writes it, and `float(text)` for a
//! JSON number.
//!
//! The digits are Python's choice (David Gay's `dtoa` mode 0: the shortest digits that read
//! back to the same double, of those the closest, an exact tie going to the even digit), from
//! [`super::shortest`] (Ryū); core's `{:e}` would give the same digits except on such a tie,
//! where it rounds up, and links an exact formatter with bignums besides.

use alloc::string::String;

/// `float(text)` of a JSON number's text, rounded correctly (see [`super::decimal`]);
/// overflow goes to infinity as in Python (`1e400` is `inf`, `1e-400` is `0.0`). `None` for a
/// text that is not a decimal number.
pub(super) fn parse(text: &str) -> Option<f64> {
    super::decimal::parse(text)
}

/// `float.__repr__` as `json.dumps` writes it (see [`write_float`]): also the text of a float
/// dict key in a legacy pickle converted for a JSON payload.
#[cfg(feature = "legacy")]
pub(crate) fn repr(d: f64) -> String {
    let mut out = String::new();
    write_float(&mut out, d);
    out
}

/// `float.__repr__` (`PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0)`), as `json.dumps`
/// writes it: positional when the decimal exponent is in -4..16 (`0.0001`, `123.0`), else
/// exponent form with a signed exponent of at least two digits (`1e+16`, `1e-05`, `1.5e+300`);
/// and `NaN` / `Infinity` / `-Infinity`.
pub(super) fn write_float(out: &mut String, d: f64) {
    if d.is_nan() {
        return out.push_str("NaN");
    }
    if d.is_infinite() {
        return out.push_str(if d > 0.0 { "Infinity" } else { "-Infinity" });
    }
    if d.is_sign_negative() {
        out.push('-');
    }
    // The magnitude by clearing the sign bit: `f64::abs` is in `core` only since Rust 1.85.
    let sci = Sci::shortest(f64::from_bits(d.to_bits() & !(1 << 63)));
    let digits = sci.digits();
    let len = digits.len();
    // Python's `decpt`: the value is 0.DIGITS × 10^decpt.
    let decpt = sci.exponent.saturating_add(1);
    if decpt <= -4 || decpt > 16 {
        let (first, rest) = digits.split_at(1.min(len));
        push_digits(out, first);
        if !rest.is_empty() {
            out.push('.');
            push_digits(out, rest);
        }
        out.push_str(if sci.exponent < 0 { "e-" } else { "e+" });
        // At most 324: two or three digits.
        let magnitude = sci.exponent.unsigned_abs();
        if magnitude >= 100 {
            push_digit(out, magnitude / 100);
        }
        push_digit(out, magnitude / 10 % 10);
        push_digit(out, magnitude % 10);
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in decpt..0 {
            out.push('0');
        }
        push_digits(out, digits);
    } else {
        // 1..=16 here.
        let point = decpt.unsigned_abs() as usize;
        if point >= len {
            push_digits(out, digits);
            for _ in len..point {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            let (int, frac) = digits.split_at(point);
            push_digits(out, int);
            out.push('.');
            push_digits(out, frac);
        }
    }
}

/// Appends decimal digits given as their values 0..=9.
fn push_digits(out: &mut String, digits: &[u8]) {
    for &d in digits {
        push_digit(out, u32::from(d));
    }
}

/// Appends the last decimal digit of `d`.
fn push_digit(out: &mut String, d: u32) {
    // `d % 10` is below 10, so the sum is an ASCII digit.
    out.push(char::from(b'0' + (d % 10) as u8));
}

/// A finite double `x >= 0` as `d.ddd × 10^exponent`: the shortest round-trip digits Python's
/// `repr` writes.
struct Sci {
    /// How many digits there are: at most 17, no trailing zero (except for 0 itself).
    len: u32,
    /// The decimal exponent of the first digit.
    exponent: i32,
    /// The digits, most significant first (valid up to `len`).
    buf: [u8; 20],
}

impl Sci {
    /// The digits Python's `repr` chooses for finite `x >= 0`.
    fn shortest(x: f64) -> Sci {
        let (significand, exponent) = super::shortest::shortest(x);
        Sci::new(significand, exponent)
    }

    /// The digits of `significand × 10^exponent` (at most 20 digits) without trailing zeros.
    fn new(mut significand: u64, mut exponent: i32) -> Sci {
        while significand != 0 && significand % 10 == 0 {
            significand /= 10;
            exponent += 1;
        }
        let mut buf = [0u8; 20];
        let mut len = 0u32;
        let mut rest = significand;
        // Least significant first, reversed below: at least one digit (`0` for zero).
        for slot in buf.iter_mut() {
            *slot = (rest % 10) as u8;
            rest /= 10;
            len += 1;
            if rest == 0 {
                break;
            }
        }
        let (digits, _) = buf.split_at_mut(len as usize);
        digits.reverse();
        Sci {
            len,
            exponent: exponent + len as i32 - 1,
            buf,
        }
    }

    fn digits(&self) -> &[u8] {
        let (digits, _) = self.buf.split_at((self.len as usize).min(self.buf.len()));
        digits
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::ok;
    use super::*;
    use crate::value::Value;

    /// The oracle: core's `{:e}` digits, moved down to the even digit on an exact tie between
    /// two shortest candidates (where core rounds up and Python to even).
    fn significand(sci: &Sci) -> u64 {
        sci.digits().iter().fold(0, |n, &d| n * 10 + u64::from(d))
    }

    fn oracle(x: f64) -> (u64, i32) {
        let text = alloc::format!("{x:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap();
        let digits = mantissa.replace('.', "");
        let first: i32 = exponent.parse().unwrap();
        let sci = Sci::new(digits.parse().unwrap(), first + 1 - digits.len() as i32);
        if tie_goes_down(&sci, x) {
            // The last digit is odd: 1..=9 down to 0..=8, no borrow.
            let lower = Sci::new(significand(&sci) - 1, sci.exponent + 1 - sci.len as i32);
            return (significand(&lower), lower.exponent);
        }
        (significand(&sci), sci.exponent)
    }

    /// Whether Python writes `significand - 1` in the last place instead: `x` lies exactly
    /// halfway between the two, core rounded up to an odd digit, Python goes to the even one —
    /// if that one also reads back as `x`.
    fn tie_goes_down(sci: &Sci, x: f64) -> bool {
        if significand(sci) % 2 == 0 {
            return false;
        }
        let q = sci.exponent - (sci.len as i32 - 1);
        let bits = x.to_bits();
        let biased = ((bits >> 52) & 0x7FF) as i32;
        let fraction = bits & ((1 << 52) - 1);
        let (m, e) = if biased == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1 << 52), biased - 1075)
        };
        let odd = 2 * significand(sci) - 1;
        if factored(m, e + 1, 0) != factored(odd, q, q) {
            return false;
        }
        let narrow_below = fraction == 0 && biased > 1;
        !narrow_below || odd >= 1 << 54
    }

    /// `n × 2^twos × 5^fives` as (the part prime to 10, twos, fives).
    fn factored(mut n: u64, mut twos: i32, mut fives: i32) -> (u64, i32, i32) {
        if n == 0 {
            return (0, 0, 0);
        }
        let zeros = n.trailing_zeros();
        n >>= zeros;
        twos += zeros as i32;
        while n % 5 == 0 {
            n /= 5;
            fives += 1;
        }
        (n, twos, fives)
    }

    fn ours(x: f64) -> (u64, i32) {
        let sci = Sci::shortest(x);
        (significand(&sci), sci.exponent)
    }

    #[test]
    fn shortest_digits_match_core_with_python_ties() {
        // Edge doubles: zero, subnormals, normals around powers of two and ten, the largest.
        let mut edges = alloc::vec![
            0.0,
            5e-324,
            1e-323,
            f64::MIN_POSITIVE,
            f64::MAX,
            1e23,
            9007199254740993.0
        ];
        for e in 0..2046u64 {
            for m in [0u64, 1, 2, (1 << 52) - 1, 1 << 51] {
                edges.push(f64::from_bits((e << 52) | m));
            }
        }
        for p in -325..309 {
            let d: f64 = alloc::format!("1e{p}").parse().unwrap();
            edges.extend([
                d,
                f64::from_bits(d.to_bits() + 1),
                f64::from_bits(d.to_bits().saturating_sub(1)),
            ]);
        }
        // Exact ties: integers plus a quarter or three quarters near 2^50..2^51.
        for k in 0..2000u64 {
            let base = (1u64 << 50) + k * 7919;
            edges.push(base as f64 + 0.25);
            edges.push(base as f64 + 0.75);
        }
        for &x in &edges {
            assert_eq!(ours(x), oracle(x), "{x:e} ({:#x})", x.to_bits());
        }
        // Random bit patterns (xorshift), every finite non-negative double alike.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state >> 1);
            if x.is_finite() {
                assert_eq!(ours(x), oracle(x), "{x:e} ({:#x})", x.to_bits());
            }
            // Short decimals, as sessions hold them: 1..=16 digits at a small exponent.
            let digits = state % 10u64.pow((state >> 40) as u32 % 16 + 1);
            let x: f64 = alloc::format!("{digits}e{}", (state >> 20) as i32 % 40 - 20)
                .parse()
                .unwrap();
            assert_eq!(ours(x), oracle(x), "{x:e} ({:#x})", x.to_bits());
        }
    }

    #[test]
    fn json_floats_round_correctly() {
        assert_eq!(ok("0.1"), Value::Double(0.1));
        assert_eq!(ok("1E+2"), Value::Double(100.0));
        assert_eq!(ok("1e01"), Value::Double(10.0));
        assert_eq!(ok("1e400"), Value::Double(f64::INFINITY));
        assert_eq!(ok("-1e400"), Value::Double(f64::NEG_INFINITY));
        assert_eq!(ok("1e-400"), Value::Double(0.0));
        assert_eq!(ok("5e-324"), Value::Double(5e-324));
        assert_eq!(ok("2.4703282292062328e-324"), Value::Double(5e-324));
        assert_eq!(ok("2.4703282292062327e-324"), Value::Double(0.0));
        assert_eq!(ok("1.7976931348623157e308"), Value::Double(f64::MAX));
        assert_eq!(ok("9007199254740993.0"), Value::Double(9007199254740992.0));
        assert_eq!(
            ok("123456789012345680.0"),
            Value::Double(123456789012345680.0)
        );
    }

    #[test]
    fn json_write_floats_like_python_repr() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (123.0, "123.0"),
            (0.1, "0.1"),
            (-1.5, "-1.5"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (0.00001, "1e-05"),
            (2.5e-5, "2.5e-05"),
            (1e-7, "1e-07"),
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (1e16, "1e+16"),
            (1.5e300, "1.5e+300"),
            (1e22, "1e+22"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (-f64::MIN_POSITIVE, "-2.2250738585072014e-308"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (1234567890123456.8, "1234567890123456.8"),
            (0.30000000000000004, "0.30000000000000004"),
            // Exact ties between two shortest candidates go to the even digit, as in Python.
            (1979347788748715.0 + 0.25, "1979347788748715.2"),
            (1979347788748715.0 + 0.75, "1979347788748715.8"),
            (-1125899906842625.0 - 0.25, "-1125899906842625.2"),
            (f64::NAN, "NaN"),
            (-f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for &(d, expected) in cases {
            let mut out = String::new();
            write_float(&mut out, d);
            assert_eq!(out, expected, "{d:e}");
        }
    }
}
