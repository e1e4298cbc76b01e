//! Every shaders/*.wgsl parses and validates with naga (the compiler inside
//! wgpu), so a shader typo fails here with a readable message rather than
//! at Renderer::new on some machine.

use std::path::Path;

use wgpu::naga;

#[test]
fn every_wgsl_shader_parses_and_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wgsl"))
        .collect();
    paths.sort();
    let names: Vec<_> = paths
        .iter()
        .filter_map(|p| p.file_name()?.to_str())
        .collect();
    for expected in ["mesh.wgsl", "morph.wgsl", "background.wgsl"] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {}",
            dir.display()
        );
    }
    for path in &paths {
        let source = std::fs::read_to_string(path).expect("shader is readable UTF-8");
        let module = naga::front::wgsl::parse_str(&source).unwrap_or_else(|e| {
            panic!(
                "{}",
                e.emit_to_string_with_path(&source, &path.display().to_string())
            )
        });
        let mut validator = naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        );
        if let Err(e) = validator.validate(&module) {
            panic!("{}: {}", path.display(), e.emit_to_string(&source));
        }
        assert!(
            !module.entry_points.is_empty(),
            "{} has no entry point",
            path.display()
        );
    }
}
