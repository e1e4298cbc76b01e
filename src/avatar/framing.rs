//! Head-and-shoulders framing at rest pose, from the skeleton when there is
//! one, otherwise from the mesh bounds.

use glam::{Mat4, Vec3};

use super::model::{Avatar, Framing};

/// In adult proportions the head is about 1/7.5 of the height (13%).
const HEAD_SHARE_OF_HEIGHT: f32 = 0.13;
/// Shoulders are about 1.9 head heights below the crown, and ~1.9 head
/// heights wide (Loomis); used when a skeleton lacks shoulder joints.
const SHOULDER_DROP_IN_HEADS: f32 = 1.9;
const SHOULDER_WIDTH_IN_HEADS: f32 = 1.9;

fn position(world: &[Mat4], node: Option<usize>) -> Option<Vec3> {
    node.and_then(|n| world.get(n)).map(|m| m.w_axis.truncate())
}

impl Avatar {
    /// Where a portrait camera should look: see [`Framing`]. Uses the head,
    /// eyes and upper arms (or shoulders) when found, else the bounds (head =
    /// top 13% of the height). `forward` points from the head joint towards
    /// the eyes; without eye bones it is +Z, glTF's avatar convention (VRM 0.x
    /// avatars are turned to +Z on load).
    pub fn framing(&self) -> Framing {
        let world = self.world_matrices(&[]);
        let h = &self.humanoid;
        match position(&world, h.head) {
            Some(head) => self.framing_from_skeleton(&world, head),
            None => self.framing_from_bounds(),
        }
    }

    /// Highest rest vertex bound mostly to the head or its descendants.
    fn crown_height(&self, head: usize) -> Option<f32> {
        let mut in_head = vec![false; self.nodes.len()];
        let mut stack = vec![head];
        while let Some(n) = stack.pop() {
            if let Some(flag) = in_head.get_mut(n).filter(|f| !**f) {
                *flag = true;
                stack.extend(self.nodes[n].children.iter().copied());
            }
        }
        let mut crown: Option<f32> = None;
        self.for_each_rest_vertex(|node, primitive, v, p| {
            let skin = self.nodes[node].skin.and_then(|s| self.skins.get(s));
            let belongs = match (skin, &primitive.joints, &primitive.weights) {
                // A skinned vertex belongs to the head if its heaviest joint does.
                (Some(skin), Some(j), Some(w)) => {
                    let (j, w) = (
                        j.get(v).copied().unwrap_or_default(),
                        w.get(v).copied().unwrap_or_default(),
                    );
                    let k = (0..4).max_by(|&a, &b| w[a].total_cmp(&w[b])).unwrap_or(0);
                    skin.joints
                        .get(j[k] as usize)
                        .is_some_and(|&n| in_head.get(n) == Some(&true))
                }
                _ => in_head.get(node) == Some(&true),
            };
            if belongs {
                crown = Some(crown.map_or(p.y, |c: f32| c.max(p.y)));
            }
        });
        crown
    }

    fn framing_from_skeleton(&self, world: &[Mat4], head: Vec3) -> Framing {
        let h = &self.humanoid;
        let up = Vec3::Y;
        let eyes = match (position(world, h.left_eye), position(world, h.right_eye)) {
            (Some(l), Some(r)) => Some((l + r) * 0.5),
            (Some(e), None) | (None, Some(e)) => Some(e),
            _ => None,
        };
        // The eyes sit in front of the head joint: that offset is the face's direction.
        let forward = eyes
            .map(|e| e - head)
            .map(|d| Vec3::new(d.x, 0.0, d.z))
            .filter(|d| d.length() > 0.005)
            .map_or(Vec3::Z, Vec3::normalize);
        let (min, max) = self.bounds();
        let height = (max.y - min.y).max(0.0);
        // Without head geometry, assume a head of typical share of the height
        // (or 20 cm on a model without height), its joint a quarter up.
        let typical_head = if height > 0.1 {
            HEAD_SHARE_OF_HEIGHT * height
        } else {
            0.2
        };
        let crown = h
            .head
            .and_then(|n| self.crown_height(n))
            .filter(|&c| c > head.y)
            .unwrap_or(head.y + 0.75 * typical_head);
        // Eyes are at half the head's height, so the centre is at eye level
        // and the radius is crown minus eyes; without eyes, halfway up.
        let center_y = eyes.map_or((head.y + crown) * 0.5, |e| e.y);
        let head_radius = (crown - center_y).max(0.02);
        let head_center = Vec3::new(head.x, center_y, head.z);

        let pair =
            |l: Option<usize>, r: Option<usize>| match (position(world, l), position(world, r)) {
                (Some(l), Some(r)) => Some((l, r)),
                _ => None,
            };
        let shoulders = pair(h.left_upper_arm, h.right_upper_arm)
            .or_else(|| pair(h.left_shoulder, h.right_shoulder));
        let (shoulder_center, shoulder_width) = match shoulders {
            Some((l, r)) => ((l + r) * 0.5, l.distance(r)),
            None => {
                let head_height = 2.0 * head_radius;
                let drop = SHOULDER_DROP_IN_HEADS * head_height - (crown - head_center.y);
                (
                    head_center - up * drop,
                    SHOULDER_WIDTH_IN_HEADS * head_height,
                )
            }
        };
        Framing {
            head_center,
            head_radius,
            shoulder_center,
            shoulder_width,
            forward,
            up,
        }
    }

    fn framing_from_bounds(&self) -> Framing {
        let (min, max) = self.bounds();
        let height = (max.y - min.y).max(1e-3);
        let head_height = HEAD_SHARE_OF_HEIGHT * height;
        let center = (min + max) * 0.5;
        let head_center = Vec3::new(center.x, max.y - head_height * 0.5, center.z);
        let shoulder_center = Vec3::new(
            center.x,
            max.y - SHOULDER_DROP_IN_HEADS * head_height,
            center.z,
        );
        let shoulder_width = (SHOULDER_WIDTH_IN_HEADS * head_height).min((max.x - min.x).max(1e-3));
        Framing {
            head_center,
            head_radius: head_height * 0.5,
            shoulder_center,
            shoulder_width,
            forward: Vec3::Z,
            up: Vec3::Y,
        }
    }
}
