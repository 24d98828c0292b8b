//! The deflate writes miniz_oxide's level 9 byte for byte in every build (miniz_oxide itself by
//! default, our encoder `src/zlib/encoder.rs` with `fast-zlib`), so a cookie's bytes do not
//! depend on the build: these digests pin them.
//!
//! Two levels: the zlib stream of every bsZ and legacy-json vector (`tests/data`,
//! `benches/data`: Python's stream inflated, then deflated by us), and the bench sessions
//! re-encoded as whole cookies with the bench configs.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::prelude::rust_2021::*;
use std::{format, writeln};

use base64ct::{Base64, Base64UrlUnpadded, Encoding};

use crate::{base85, decode_cookie, encode_cookie, json, zlib, Config, Limits, Serializer};
use sha2::{Digest, Sha256};

/// `name length sha256` of our deflate of each vector's payload, then of each re-encoded
/// bench cookie.
const PINNED: &str = "\
tests/data/jwt_bson/beaker_typical.cookie 160 23b3993dea94ec784db7b5a5d08b6a0e4e3ea1db1f7e6064a7f1825c746d3302
tests/data/jwt_bson/binary_subtypes.cookie 151 d9f69bd5067e7ce8d4cd773a4f948853ecbe1e6d739b775a4affddf12bc12664
tests/data/jwt_bson/bson_types.cookie 376 d42307c0f3d9c19588dc6c70a8b0b9e0c4f4909c8d080ed7bc7df15a99a857a9
tests/data/jwt_bson/bsz_b85_one_char_tail.cookie 32 8f9e56464c699550df32969b2a6785528d172f571ba3e0ac4567a4b51b68300d
tests/data/jwt_bson/bsz_duplicate_keys.cookie 26 b6615506a957624ed4f2a1cf1db7532259e9cd9035c6c00727682e1c1fda91c8
tests/data/jwt_bson/bsz_merged_over_claims.cookie 23 faad7d6e08deec02c97e5abe087f03cc53d529556fa74db751709bd37ed66e75
tests/data/jwt_bson/bytes.cookie 326 9ae0499d5647663af0d93dc814918e6cb89083de5048fd61ba69338be27aa5e2
tests/data/jwt_bson/datetimes.cookie 91 69a1eda50aede2de8a3f881ae8f3188f0753b92c183ead5290fac1c836503145
tests/data/jwt_bson/datetimes_aware.cookie 43 e26acc07526b652c7edb3474635659eda68a3c54f8fad5cecb689af51cd78edc
tests/data/jwt_bson/empty.cookie 11 82b357c93c5abe45f8932eac729ba6fc121186394531cd3c8fc5e9bcfd0fb896
tests/data/jwt_bson/floats.cookie 195 b27efc3a7bdadde210792cd10dd208655e0ff1b2ae89c83a06167de0170c72c4
tests/data/jwt_bson/internal_dropped.cookie 25 13c75a797ebd4215760e2a50d520d7db0d56397fdf1e933467dc0c29f59d424d
tests/data/jwt_bson/ints.cookie 130 8574e64020163aeb3aa34ab1f9d6a4caeaa55fda24cbcb8b8f6df23423e529a5
tests/data/jwt_bson/many_keys.cookie 946 2214a658ee557a67a3929d3d37236bf3b7093cebbffef92c18ce514ab20481b1
tests/data/jwt_bson/max_size.cookie 2381 76da7b338dac4bae0e76fbfd14c7cbfbfba1db09ad72ed5be37e011ea94aab25
tests/data/jwt_bson/nested.cookie 350 108bdcc738d2d920fcf7d2403df845d7f9717e385a5a7717f04c9a643f3632db
tests/data/jwt_bson/order.cookie 88 b2b96b3f0c0fa8de8b725e7169aa387f74f0e78df5ebb6bcdf32d6f3f61114c7
tests/data/jwt_bson/scalars.cookie 32 e2290123d59a445d3f7961436e3ef9357b52aaf4191776a5591e54656e7521eb
tests/data/jwt_bson/strings.cookie 367 56b7bda5b2dc13a157add8bdbbbf28f3c67b9cd2334e3e2a4831431e1dab0502
tests/data/jwt_bson/tuples.cookie 90 210f6e9b6904cd6e596ce384f988a563d4503057012ee5c5f86701d4946bd44d
tests/data/jwt_bson/bad_bsz_not_bson.cookie 13 4e27e6ca9619154b7b8aa6859b4f4dfcdaf73596786596d229ca2e719335a3be
benches/data/jwt_bsz/large.cookie 2301 f1f21c53aafb35e32222dc0c39b6e2903e58e50cd971cb57ad30465a355d2aab
benches/data/jwt_bsz/medium.cookie 684 0cc29c587004a5e1c8ec8dcb1286880dc4b0a492f83e4014c16eb0f9ab35fe3e
benches/data/jwt_bsz/small.cookie 168 5feac2c676075f2989755bba78516dc687b4015160afe23b571a5e661664b42f
tests/data/legacy_json/beaker_typical.cookie 143 3bde6bd15abd62b8fdd7869b5b645539095e020dcdc7a60dcffdfb24773adc09
tests/data/legacy_json/empty.cookie 37 bcf8d11abcd486aa0e40d8b1b042065c169d4818a68b3669819e0d78b2a81225
tests/data/legacy_json/floats.cookie 212 d97b1be5971083e38b12f30be77e8b7902cbbd6001f87e91f86c770d5e7839df
tests/data/legacy_json/internal_kept.cookie 97 998ac7e18e0ffa635263338a92ac6081e30cd8bbd7dc3fc023e2806a0cccaf6f
tests/data/legacy_json/ints.cookie 134 38fe337d25d09c46eda815e98b379383ef7b0d50e78b8a8f90d012bf7ef9e7c7
tests/data/legacy_json/many_keys.cookie 1188 519028386d97d962ec1c2519a9a6b986605f3b2ee44527215d116e3a2dcf785e
tests/data/legacy_json/max_size.cookie 3018 072a2df40a37fc1751ab7418fe9c2519995b7df80823a09bcc15ca3c95099783
tests/data/legacy_json/nested.cookie 190 09b12956ffaa7e9a257827f8c01a82c7a6d4c87db12aae90a0af5dce778b8560
tests/data/legacy_json/order.cookie 79 722210febeaa337562c29d02ab54e75149beeaf678808e4f54df2c22b8f7c5e7
tests/data/legacy_json/scalars.cookie 40 00b46fc216241b043cd038351d8b160e38a0a865cb9fc34c9df35beca79507b6
tests/data/legacy_json/strings.cookie 343 d59689f8f5cbe91d20c3f2ab7405c366ced8d35b893f946d532e45108e90a3c7
tests/data/legacy_json/tuples.cookie 74 b5ee9ea59994e446d6d0508eb97d8e02996575ebd0fb29af50973c1db35c9682
benches/data/legacy_json/large.cookie 2912 349cfb218b9beaf1d61f2a3a6fd69a60045e9e0363ea0a5f00111b169bcb1e34
benches/data/legacy_json/medium.cookie 610 98da6d5915e09f215c2435a13f36a4b5f8c48953f079b08fcb5eca9fb75c807a
benches/data/legacy_json/small.cookie 155 9b1b2b6709f56ac9d62563011089ca401827c4462be8833524a8f0b572f33e4f
benches/data/jwt_bsz/small encode_cookie 375 930601388296d99e0e58df2921163241429afdf6bc48df62c4c4bbd60b807a56
benches/data/jwt_bsz/medium encode_cookie 1235 f6a30bdaeb45db27bc75c69c8290f813bbff7e2b7fe71c2d19b158b7d990bdbd
benches/data/jwt_bsz/large encode_cookie 3931 b3f590edd716251e78ce37c13bf578bb41545c5d40ccc3c734acf8c448b5678c
benches/data/legacy_json/small encode_cookie 248 4c73114c59009665d8fe4001ab9ecc1eac9a56b5389442840428beff918d7813
benches/data/legacy_json/medium encode_cookie 856 b5b0a3ed0b905f4eaeaa5496c3f39ad6874e098d75c8e1938c59d24da329a80e
benches/data/legacy_json/large encode_cookie 3924 5c50907ab5c0d88f58ccd0c9fcf3b5488f3d72c7ac3c57e1392c80a129ceac26
";

/// The bench keys (`benches/common/mod.rs`, `benches/data/make_bench_cookies.py`).
const KEY1: &str = "bench-key-one-0123456789";
const KEY2: &str = "bench-key-two-0123456789";
const LEGACY_KEY: &str = "bench-legacy-validate-key";
const NOW: f64 = 1_700_000_000.0;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `.cookie` files of `dir`, sorted by name, the refused ones (`bad_*`, `forged`) last.
fn cookies(dir: &str) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = fs::read_dir(root().join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "cookie"))
        .map(|path| {
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            (name, fs::read_to_string(&path).unwrap().trim().to_owned())
        })
        .collect();
    all.sort_by_key(|(name, _)| {
        let file = name.rsplit('/').next().unwrap_or_default();
        (
            file.starts_with("bad_") || file.starts_with("forged"),
            name.clone(),
        )
    });
    all
}

/// The zlib stream inside a JWT cookie's `bsZ` claim, read without checking the signature.
fn bsz_stream(cookie: &str) -> Option<Vec<u8>> {
    let payload = cookie.split('.').nth(1)?;
    let claims = Base64UrlUnpadded::decode_vec(payload).ok()?;
    let claims = json::read(&claims, &Limits::DEFAULT).ok()?;
    let text = claims.get("bsZ")?.as_str()?;
    base85::decode(text.as_bytes()).ok()
}

/// The zlib stream of a legacy json-serializer cookie: 40 hex digits of HMAC, then base64.
fn legacy_stream(cookie: &str) -> Option<Vec<u8>> {
    Base64::decode_vec(cookie.get(40..)?).ok()
}

/// Cuts the zlib stream out of a cookie of one format.
type StreamFn = fn(&str) -> Option<Vec<u8>>;

fn line(out: &mut String, name: &str, bytes: &[u8]) {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    writeln!(out, "{name} {} {hex}", bytes.len()).unwrap();
}

fn bench_config(legacy: bool) -> Config {
    let mut c = Config::new([KEY1, KEY2]).unwrap();
    c.bson_compress_jwt_payload = true;
    if legacy {
        c.read_original_format = true;
        c.write_original_format = true;
        c.original_format_validate_key = Some(LEGACY_KEY.into());
        c.original_format_data_serializer = Serializer::Json;
    }
    c.validate().unwrap();
    c
}

/// Our deflate of every vector's payload, and every bench session's re-encoded cookie, hash
/// to the pinned digests.
#[test]
fn zlib_cookies_are_byte_identical_in_every_build() {
    let mut got = String::new();
    let mut deflater = zlib::Deflater::new();
    let mut seen = Vec::new();
    let dirs: [(&str, StreamFn); 4] = [
        ("tests/data/jwt_bson", bsz_stream),
        ("benches/data/jwt_bsz", bsz_stream),
        ("tests/data/legacy_json", legacy_stream),
        ("benches/data/legacy_json", legacy_stream),
    ];
    for (dir, stream) in dirs {
        for (name, cookie) in cookies(dir) {
            let Some(inflated) =
                stream(&cookie).and_then(|s| zlib::inflate(&s, &Limits::DEFAULT).ok())
            else {
                continue;
            };
            if seen.contains(&inflated) {
                continue; // the same session under another name (a bad signature, a copy)
            }
            let ours = zlib::deflate(&inflated);
            assert_eq!(deflater.deflate(&inflated), ours, "{name}: reused state");
            assert_eq!(
                zlib::inflate(&ours, &Limits::DEFAULT).as_ref(),
                Ok(&inflated)
            );
            line(&mut got, &name, &ours);
            seen.push(inflated);
        }
    }
    for (dir, legacy) in [
        ("benches/data/jwt_bsz", false),
        ("benches/data/legacy_json", true),
    ] {
        let config = bench_config(legacy);
        for size in ["small", "medium", "large"] {
            let path = root().join(dir).join(format!("{size}.cookie"));
            let cookie = fs::read_to_string(path).unwrap();
            let session = decode_cookie(cookie.trim(), &config, NOW).unwrap().session;
            let ours = encode_cookie(&session, &config).unwrap();
            line(
                &mut got,
                &format!("{dir}/{size} encode_cookie"),
                ours.as_bytes(),
            );
        }
    }
    assert!(got.lines().count() > 30, "{got}");
    assert_eq!(got, PINNED, "cookie bytes changed; the new table:\n{got}");
}
