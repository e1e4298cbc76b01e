//! Where the mouth moves in a portrait frame: the avatar rendered at rest and
//! saying "aa" with the portrait camera the engine uses, and the pixels that
//! changed. The file and the live tests look for mouth motion there.

use avatarcast::animation::{AvatarPose, FacePose, PoseMapper};
use avatarcast::avatar::Avatar;
use avatarcast::render::{Background, Camera, RenderSettings, RenderedFrame, Renderer};
use avatarcast::visemes::Viseme;

/// The avatar at rest and saying "aa", `size`×`size`, MSAA 1×.
pub fn rest_and_aa_frames(avatar: &Avatar, size: u32) -> (RenderedFrame, RenderedFrame) {
    let mut renderer = Renderer::new(RenderSettings {
        width: size,
        height: size,
        msaa_samples: 1,
        background: Background::Color([200, 210, 220]),
    })
    .expect("a renderer (lavapipe is installed by scripts/setup.sh)");
    let mut gpu = renderer.upload(avatar).expect("upload the avatar");
    let camera = Camera::portrait(&avatar.framing(), 1.0, 0.0);
    let mapper = PoseMapper::new(avatar).expect("the avatar has mouth morphs");
    let mut rest = AvatarPose::rest(avatar);
    mapper.map(&FacePose::default(), &mut rest);
    let mut aa_face = FacePose::default();
    aa_face.visemes[Viseme::Aa as usize] = 1.0;
    let mut aa = AvatarPose::rest(avatar);
    mapper.map(&aa_face, &mut aa);
    let a = renderer
        .render(&mut gpu, &rest, &camera)
        .expect("render rest");
    let b = renderer.render(&mut gpu, &aa, &camera).expect("render aa");
    (a, b)
}

/// The pixels (x, y) whose colour differs clearly (summed RGB > 40) between
/// two frames of the same size.
pub fn changed_pixels(a: &RenderedFrame, b: &RenderedFrame) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for y in 0..a.height {
        for x in 0..a.width {
            let i = ((y * a.width + x) * 4) as usize;
            let d: i32 = (0..3)
                .map(|c| (i32::from(a.rgba[i + c]) - i32::from(b.rgba[i + c])).abs())
                .sum();
            if d > 40 {
                out.push((x, y));
            }
        }
    }
    out
}

/// The box (x0, y0, x1, y1), end exclusive, where the mouth moves between
/// `rest` and `aa`: the 2nd to 98th percentile of the changed pixels in x
/// and y. Opening the jaw also moves a few pixels elsewhere (its shadow on
/// the neck, hair beside the jaw); a plain bounding box stretched over
/// them, and the idle head sway after speech then read as mouth motion.
pub fn mouth_box(rest: &RenderedFrame, aa: &RenderedFrame) -> (u32, u32, u32, u32) {
    let (mut xs, mut ys): (Vec<u32>, Vec<u32>) = changed_pixels(rest, aa).into_iter().unzip();
    assert!(
        xs.len() > 20,
        "saying `aa` changed {} pixels: the mouth does not open",
        xs.len()
    );
    xs.sort_unstable();
    ys.sort_unstable();
    let at = |v: &[u32], q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (
        at(&xs, 0.02),
        at(&ys, 0.02),
        at(&xs, 0.98) + 1,
        at(&ys, 0.98) + 1,
    )
}

/// The mouth shape a viewer sees: the strongest viseme, or rest while the
/// visemes together form less than a third of a shape (during a
/// cross-fade two half-formed shapes still make one formed mouth).
pub fn visible_shape(weights: &[f32; Viseme::COUNT]) -> usize {
    let (best, _) =
        weights.iter().enumerate().skip(1).fold(
            (0, 0.0f32),
            |acc, (i, &w)| if w > acc.1 { (i, w) } else { acc },
        );
    let formed: f32 = weights.iter().skip(1).sum();
    if formed > 1.0 / 3.0 { best } else { 0 }
}
