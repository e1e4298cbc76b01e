//! Questions about a loaded avatar: which morphs, which nodes, how big.

use std::collections::BTreeSet;

use super::model::Avatar;

impl Avatar {
    /// Every morph target name of every mesh (empty names left out).
    pub fn morph_names(&self) -> BTreeSet<String> {
        self.meshes
            .iter()
            .flat_map(|m| m.morph_names.iter())
            .filter(|n| !n.is_empty())
            .cloned()
            .collect()
    }

    /// `(mesh, target)` of every mesh that has a morph called `name`: drive
    /// a name on all of them (teeth and tongue follow the face).
    pub fn morph_targets_named(&self, name: &str) -> Vec<(usize, usize)> {
        self.meshes
            .iter()
            .enumerate()
            .filter_map(|(m, mesh)| mesh.morph_index(name).map(|t| (m, t)))
            .collect()
    }

    /// The node called `name`: exact match first, then case-insensitive.
    pub fn find_node(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name).or_else(|| {
            self.nodes
                .iter()
                .position(|n| n.name.eq_ignore_ascii_case(name))
        })
    }

    /// The expression called `name` (VRM 1.0 names: `aa`, `blink`, `happy`..).
    pub fn expression(&self, name: &str) -> Option<&super::model::Expression> {
        self.expressions.iter().find(|e| e.name == name)
    }

    /// Whether the mouth can move with speech: an Oculus `viseme_*` or ARKit
    /// `jawOpen` morph, or a VRM `aa` expression bound to a morph.
    pub fn has_mouth_morphs(&self) -> bool {
        let names = self.morph_names();
        names
            .iter()
            .any(|n| n.starts_with("viseme_") || n == "jawOpen")
            || self.expression("aa").is_some_and(|e| !e.binds.is_empty())
    }

    /// Whether the eyes can blink: ARKit `eyeBlinkLeft/Right`, a VRM `blink`
    /// expression, or VRoid's `Fcl_EYE_Close` morph.
    pub fn has_blink(&self) -> bool {
        let names = self.morph_names();
        ["eyeBlinkLeft", "eyeBlinkRight", "Fcl_EYE_Close", "blink"]
            .iter()
            .any(|n| names.contains(*n))
            || ["blink", "blinkLeft", "blinkRight"]
                .iter()
                .any(|n| self.expression(n).is_some_and(|e| !e.binds.is_empty()))
    }

    /// Vertices over all primitives.
    pub fn vertex_count(&self) -> usize {
        self.meshes
            .iter()
            .flat_map(|m| &m.primitives)
            .map(|p| p.positions.len())
            .sum()
    }

    /// Triangles over all primitives.
    pub fn triangle_count(&self) -> usize {
        self.meshes
            .iter()
            .flat_map(|m| &m.primitives)
            .map(|p| p.indices.len() / 3)
            .sum()
    }
}
