//! The shortest decimal digits that read back as a given double, of those the closest to it,
//! an exact tie between two going to the even one: the digits of Python's `float.__repr__`
//! (David Gay's `dtoa` mode 0 under round-half-even).
//!
//! This is Ryū (Ulf Adams, "Ryū: fast float-to-string conversion", PLDI 2018) with its small
//! tables, translated from the `ryu` crate's `d2s.rs`, `d2s_small_table.rs`,
//! `d2s_intrinsics.rs` and `common.rs` (Copyright 2018 Ulf Adams, Apache License 2.0 or Boost
//! Software License 1.0) into safe Rust. Core's `{:e}` would serve too, but it links a
//! shortest (Grisu with a Dragon4 fallback) and an exact (`{:.N$e}`, with bignums) formatter
//! behind one `LowerExp` entry point, about 15 KB of wasm, and rounds an exact tie up where
//! Python rounds it to even.

/// `mantissa × 10^exponent`: the shortest round-trip digits of a finite double `x >= 0`, as an
/// integer (which may end in zeros) and its decimal exponent. `x = 0` gives `(0, 0)`.
pub(super) fn shortest(x: f64) -> (u64, i32) {
    let bits = x.to_bits();
    let ieee_mantissa = bits & ((1u64 << MANTISSA_BITS) - 1);
    // Eleven bits: the cast cannot lose anything.
    let ieee_exponent = ((bits >> MANTISSA_BITS) & 0x7FF) as u32;
    if ieee_mantissa == 0 && ieee_exponent == 0 {
        return (0, 0);
    }
    d2d(ieee_mantissa, ieee_exponent)
}

const MANTISSA_BITS: u32 = 52;
const BIAS: i32 = 1023;
const POW5_INV_BITCOUNT: i32 = 125;
const POW5_BITCOUNT: i32 = 125;

/// Ryū's `d2d` for a finite, non-zero double given by its IEEE fields (the sign excluded).
fn d2d(ieee_mantissa: u64, ieee_exponent: u32) -> (u64, i32) {
    // Two more bits than the value needs, for the interval bounds below.
    let (e2, m2) = if ieee_exponent == 0 {
        (1 - BIAS - MANTISSA_BITS as i32 - 2, ieee_mantissa)
    } else {
        (
            ieee_exponent as i32 - BIAS - MANTISSA_BITS as i32 - 2,
            (1u64 << MANTISSA_BITS) | ieee_mantissa,
        )
    };
    // Round-half-even reading: the interval's bounds read back as `x` when its mantissa is even.
    let accept_bounds = m2 & 1 == 0;

    // The interval of decimals that read back as `x` is [mm, mp] around mv (scaled by 4).
    let mv = 4 * m2;
    // The gap below is half the gap above when `x` is a power of two above the smallest normal.
    let mm_shift = u64::from(ieee_mantissa != 0 || ieee_exponent <= 1);

    // Convert the three to a decimal power base with 128-bit arithmetic.
    let (mut vr, mut vp, mut vm);
    let e10: i32;
    let mut vm_is_trailing_zeros = false;
    let mut vr_is_trailing_zeros = false;
    if e2 >= 0 {
        let q = log10_pow2(e2) - u32::from(e2 > 3);
        e10 = q as i32;
        let k = POW5_INV_BITCOUNT + pow5bits(q as i32) - 1;
        let i = -e2 + q as i32 + k;
        let mul = compute_inv_pow5(q);
        vr = mul_shift_64(mv, mul, i as u32);
        vp = mul_shift_64(mv + 2, mul, i as u32);
        vm = mul_shift_64(mv - 1 - mm_shift, mul, i as u32);
        if q <= 21 {
            // Only one of mp, mv and mm can be a multiple of 5, if any.
            if mv % 5 == 0 {
                vr_is_trailing_zeros = multiple_of_power_of_5(mv, q);
            } else if accept_bounds {
                vm_is_trailing_zeros = multiple_of_power_of_5(mv - 1 - mm_shift, q);
            } else {
                vp -= u64::from(multiple_of_power_of_5(mv + 2, q));
            }
        }
    } else {
        let q = log10_pow5(-e2) - u32::from(-e2 > 1);
        e10 = q as i32 + e2;
        let i = -e2 - q as i32;
        let k = pow5bits(i) - POW5_BITCOUNT;
        let j = q as i32 - k;
        let mul = compute_pow5(i as u32);
        vr = mul_shift_64(mv, mul, j as u32);
        vp = mul_shift_64(mv + 2, mul, j as u32);
        vm = mul_shift_64(mv - 1 - mm_shift, mul, j as u32);
        if q <= 1 {
            // mv = 4 × m2 has at least two trailing zero bits.
            vr_is_trailing_zeros = true;
            if accept_bounds {
                // mm = mv - 1 - mm_shift has one trailing zero bit iff mm_shift is 1.
                vm_is_trailing_zeros = mm_shift == 1;
            } else {
                // mp = mv + 2 has at least one trailing zero bit.
                vp -= 1;
            }
        } else if q < 63 {
            vr_is_trailing_zeros = mv & ((1u64 << q) - 1) == 0;
        }
    }

    // Remove digits while the interval still holds a shorter decimal.
    let mut removed = 0i32;
    let mut last_removed_digit = 0u64;
    let output = if vm_is_trailing_zeros || vr_is_trailing_zeros {
        // The rare general case: the bounds or the value itself may be exact decimals.
        while vp / 10 > vm / 10 {
            vm_is_trailing_zeros &= vm % 10 == 0;
            vr_is_trailing_zeros &= last_removed_digit == 0;
            last_removed_digit = vr % 10;
            vr /= 10;
            vp /= 10;
            vm /= 10;
            removed += 1;
        }
        if vm_is_trailing_zeros {
            // `vm` is not 0 here for a double; the test keeps the loop finite regardless.
            while vm != 0 && vm % 10 == 0 {
                vr_is_trailing_zeros &= last_removed_digit == 0;
                last_removed_digit = vr % 10;
                vr /= 10;
                vm /= 10;
                removed += 1;
            }
        }
        if vr_is_trailing_zeros && last_removed_digit == 5 && vr % 2 == 0 {
            // An exact tie (…50…0 removed): round to even.
            last_removed_digit = 4;
        }
        // vr + 1 when vr is outside the interval or the removed digits round up.
        vr + u64::from(
            (vr == vm && (!accept_bounds || !vm_is_trailing_zeros)) || last_removed_digit >= 5,
        )
    } else {
        // The common case: no exact tie is possible.
        let mut round_up = false;
        if vp / 100 > vm / 100 {
            round_up = vr % 100 >= 50;
            vr /= 100;
            vp /= 100;
            vm /= 100;
            removed += 2;
        }
        while vp / 10 > vm / 10 {
            round_up = vr % 10 >= 5;
            vr /= 10;
            vp /= 10;
            vm /= 10;
            removed += 1;
        }
        vr + u64::from(vr == vm || round_up)
    };
    (output, e10 + removed)
}

/// Whether `value` is divisible by 5^p.
fn multiple_of_power_of_5(mut value: u64, p: u32) -> bool {
    let mut count = 0u32;
    while count < p && value % 5 == 0 {
        value /= 5;
        count += 1;
    }
    count >= p
}

/// The upper 64 bits (shifted by `j - 64`) of the 192-bit product `m × mul`.
fn mul_shift_64(m: u64, mul: (u64, u64), j: u32) -> u64 {
    let b0 = u128::from(m) * u128::from(mul.0);
    let b2 = u128::from(m) * u128::from(mul.1);
    // Ryū's shifts are below 128 bits for every double: the result fits 64 bits.
    (((b0 >> 64) + b2) >> (j - 64)) as u64
}

/// `e == 0 ? 1 : ceil(log2(5^e))` for `0 <= e <= 3528`.
fn pow5bits(e: i32) -> i32 {
    (((e as u32 * 1217359) >> 19) + 1) as i32
}

/// `floor(log10(2^e))` for `0 <= e <= 1650`.
fn log10_pow2(e: i32) -> u32 {
    (e as u32 * 78913) >> 18
}

/// `floor(log10(5^e))` for `0 <= e <= 2620`.
fn log10_pow5(e: i32) -> u32 {
    (e as u32 * 732923) >> 20
}

/// 5^i in Ryū's 125-bit form, from every 26th power and a small correction.
fn compute_pow5(i: u32) -> (u64, u64) {
    let len = POW5_TABLE.len() as u32;
    let base = i / len;
    let base2 = base * len;
    let offset = i - base2;
    #[allow(clippy::indexing_slicing)] // i <= 325 for a double: base <= 12 < 13 entries
    let mul = POW5_SPLIT2[base as usize];
    if offset == 0 {
        return mul;
    }
    #[allow(clippy::indexing_slicing)] // offset < 26 == POW5_TABLE.len()
    let m = POW5_TABLE[offset as usize];
    let b0 = u128::from(m) * u128::from(mul.0);
    let b2 = u128::from(m) * u128::from(mul.1);
    let delta = pow5bits(i as i32) - pow5bits(base2 as i32);
    #[allow(clippy::indexing_slicing)] // i <= 325: i / 16 <= 20 < 21 entries
    let correction = (POW5_OFFSETS[(i / 16) as usize] >> ((i % 16) << 1)) & 3;
    let shifted_sum = (b0 >> delta) + (b2 << (64 - delta)) + u128::from(correction);
    (shifted_sum as u64, (shifted_sum >> 64) as u64)
}

/// 5^-i in Ryū's 125-bit form.
fn compute_inv_pow5(i: u32) -> (u64, u64) {
    let len = POW5_TABLE.len() as u32;
    let base = i.div_ceil(len);
    let base2 = base * len;
    let offset = base2 - i;
    #[allow(clippy::indexing_slicing)] // i <= 291 for a double: base <= 12 < 15 entries
    let mul = POW5_INV_SPLIT2[base as usize];
    if offset == 0 {
        return mul;
    }
    #[allow(clippy::indexing_slicing)] // offset < 26 == POW5_TABLE.len()
    let m = POW5_TABLE[offset as usize];
    let b0 = u128::from(m) * u128::from(mul.0 - 1);
    let b2 = u128::from(m) * u128::from(mul.1);
    let delta = pow5bits(base2 as i32) - pow5bits(i as i32);
    #[allow(clippy::indexing_slicing)] // i <= 291: i / 16 <= 18 < 19 entries
    let correction = (POW5_INV_OFFSETS[(i / 16) as usize] >> ((i % 16) << 1)) & 3;
    let shifted_sum = ((b0 >> delta) + (b2 << (64 - delta))) + 1 + u128::from(correction);
    (shifted_sum as u64, (shifted_sum >> 64) as u64)
}

static POW5_INV_SPLIT2: [(u64, u64); 15] = [
    (1, 2305843009213693952),
    (5955668970331000884, 1784059615882449851),
    (8982663654677661702, 1380349269358112757),
    (7286864317269821294, 2135987035920910082),
    (7005857020398200553, 1652639921975621497),
    (17965325103354776697, 1278668206209430417),
    (8928596168509315048, 1978643211784836272),
    (10075671573058298858, 1530901034580419511),
    (597001226353042382, 1184477304306571148),
    (1527430471115325346, 1832889850782397517),
    (12533209867169019542, 1418129833677084982),
    (5577825024675947042, 2194449627517475473),
    (11006974540203867551, 1697873161311732311),
    (10313493231639821582, 1313665730009899186),
    (12701016819766672773, 2032799256770390445),
];

static POW5_INV_OFFSETS: [u32; 19] = [
    0x54544554, 0x04055545, 0x10041000, 0x00400414, 0x40010000, 0x41155555, 0x00000454, 0x00010044,
    0x40000000, 0x44000041, 0x50454450, 0x55550054, 0x51655554, 0x40004000, 0x01000001, 0x00010500,
    0x51515411, 0x05555554, 0x00000000,
];

static POW5_SPLIT2: [(u64, u64); 13] = [
    (0, 1152921504606846976),
    (0, 1490116119384765625),
    (1032610780636961552, 1925929944387235853),
    (7910200175544436838, 1244603055572228341),
    (16941905809032713930, 1608611746708759036),
    (13024893955298202172, 2079081953128979843),
    (6607496772837067824, 1343575221513417750),
    (17332926989895652603, 1736530273035216783),
    (13037379183483547984, 2244412773384604712),
    (1605989338741628675, 1450417759929778918),
    (9630225068416591280, 1874621017369538693),
    (665883850346957067, 1211445438634777304),
    (14931890668723713708, 1565756531257009982),
];

static POW5_OFFSETS: [u32; 21] = [
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x40000000, 0x59695995, 0x55545555, 0x56555515,
    0x41150504, 0x40555410, 0x44555145, 0x44504540, 0x45555550, 0x40004000, 0x96440440, 0x55565565,
    0x54454045, 0x40154151, 0x55559155, 0x51405555, 0x00000105,
];

/// 5^0 ..= 5^25.
static POW5_TABLE: [u64; 26] = [
    1,
    5,
    25,
    125,
    625,
    3125,
    15625,
    78125,
    390625,
    1953125,
    9765625,
    48828125,
    244140625,
    1220703125,
    6103515625,
    30517578125,
    152587890625,
    762939453125,
    3814697265625,
    19073486328125,
    95367431640625,
    476837158203125,
    2384185791015625,
    11920928955078125,
    59604644775390625,
    298023223876953125,
];
