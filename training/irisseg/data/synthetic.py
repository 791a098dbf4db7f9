"""Synthetic tasks, unlimited: SynthSeg-style images from label maps, and procedural shapes.

Both run on the model grid with numpy/torch only (no scipy, no nibabel), so they work on the GPU
machine from the training pack alone.

- :func:`synthseg_image`: an image from a label map in the manner of SynthSeg (Billot et al.): a random
  Gaussian intensity per label (a :class:`Palette`, shared by the two subjects of a task so that they look
  like one contrast), partial-volume blur, random resolution (thick slices), bias field, gamma, noise.
- :func:`shapes_task`: K shape classes (ellipsoids, tubes, blobs) laid out once per task, drawn in two
  subjects with per-subject jitter and an elastic deformation, on textured backgrounds with distractor
  shapes that are not part of the task.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .fields import gaussian_blur, identity_grid, random_rotation, smooth_noise, uniform

# ---------------------------------------------------------------------------------------------
# SynthSeg-style images


@dataclass
class Palette:
    """Per-label Gaussian intensities of one synthetic contrast.

    values: label values (L,); means, stds: (L,) intensities on a 0-255 scale.
    """

    values: torch.Tensor
    means: torch.Tensor
    stds: torch.Tensor

    @staticmethod
    def random(values, gen: torch.Generator, mean_range=(0.0, 225.0), std_range=(0.0, 25.0)) -> "Palette":
        values = torch.as_tensor(sorted(int(v) for v in values), dtype=torch.int64)
        n = values.numel()
        means = mean_range[0] + (mean_range[1] - mean_range[0]) * torch.rand(n, generator=gen)
        stds = std_range[0] + (std_range[1] - std_range[0]) * torch.rand(n, generator=gen)
        return Palette(values, means, stds)

    def jittered(self, gen: torch.Generator, amount: float = 0.08) -> "Palette":
        """The same contrast, slightly different (another scanner, another subject)."""
        scale = 1 + amount * torch.randn(self.means.shape, generator=gen)
        return Palette(self.values, self.means * scale + 255 * amount * 0.5 * torch.randn(self.means.shape, generator=gen),
                       self.stds * (1 + amount * torch.randn(self.stds.shape, generator=gen)).abs())


def paint(labels: torch.Tensor, palette: Palette, gen: torch.Generator) -> torch.Tensor:
    """[X, Y, Z] integer labels -> [X, Y, Z] float: N(mean_l, std_l) per voxel of label l (labels not in
    the palette get intensity 0)."""
    lut_size = int(max(int(labels.max()), int(palette.values.max()))) + 1
    mean_lut = torch.zeros(lut_size)
    std_lut = torch.zeros(lut_size)
    mean_lut[palette.values] = palette.means
    std_lut[palette.values] = palette.stds
    idx = labels.long()
    return mean_lut[idx] + std_lut[idx] * torch.randn(labels.shape, generator=gen)


def corrupt(image: torch.Tensor, gen: torch.Generator, blur_max: float = 1.0, resolution_max: float = 3.0,
            bias_max: float = 0.4, gamma_std: float = 0.3, noise_max: float = 0.05) -> torch.Tensor:
    """Scanner effects on a [X, Y, Z] image (any scale): partial volume blur, random resolution (one axis
    possibly much thicker), multiplicative bias field, gamma, additive noise. Returns values in ~[0, 1]."""
    size = image.shape[0]
    x = image[None].float()
    sigma = [uniform(gen, 0.0, blur_max) for _ in range(3)]
    x = gaussian_blur(x, sigma)
    if resolution_max > 1 and torch.rand((), generator=gen).item() < 0.5:
        factors = [uniform(gen, 1.0, 1.5) for _ in range(3)]
        factors[int(torch.randint(3, (1,), generator=gen))] = uniform(gen, 1.0, resolution_max)
        low = [max(4, int(round(size / f))) for f in factors]
        x = gaussian_blur(x, [0.4 * f if f > 1.2 else 0.0 for f in factors])
        x = F.interpolate(x[None], size=low, mode="trilinear", align_corners=False)
        x = F.interpolate(x, size=image.shape, mode="trilinear", align_corners=False)[0]
    lo, hi = x.min(), x.max()
    x = (x - lo) / (hi - lo).clamp_min(1e-6)
    if bias_max > 0:
        x = x * torch.exp(uniform(gen, 0.0, bias_max) * smooth_noise(size, 4, gen))
    x = x.clamp_min(0)
    x = x / x.max().clamp_min(1e-6)
    x = x ** float(torch.exp(gamma_std * torch.randn((), generator=gen)))
    x = x + uniform(gen, 0.0, noise_max) * torch.randn(x.shape, generator=gen)
    return x[0]


def synthseg_image(labels: torch.Tensor, palette: Palette, gen: torch.Generator, **corruption) -> torch.Tensor:
    """A SynthSeg-style image [X, Y, Z] of ``labels`` [X, Y, Z] in the contrast ``palette``."""
    return corrupt(paint(labels, palette, gen), gen, **corruption)


# ---------------------------------------------------------------------------------------------
# Procedural shapes

SHAPE_KINDS = ("ellipsoid", "tube", "blob")


@dataclass
class ShapeSpec:
    """One shape of a layout, in normalised coordinates (-1, 1).

    centre (3,), radii (3,), rotation (3, 3); tube: control points (3, 3) and radius; blob: a
    private smooth noise field (1, S, S, S) that roughens the surface.
    """

    kind: str
    centre: torch.Tensor
    radii: torch.Tensor
    rotation: torch.Tensor
    path: torch.Tensor | None = None
    tube_radius: float = 0.0
    roughness: torch.Tensor | None = None
    intensity: float = 0.5
    texture: float = 0.05


def random_shape(kind: str, gen: torch.Generator, size: int, scale: float = 1.0) -> ShapeSpec:
    centre = (torch.rand(3, generator=gen) * 1.1 - 0.55)
    radii = (0.08 + 0.22 * torch.rand(3, generator=gen)) * scale
    rotation = random_rotation(gen, 180.0)
    spec = ShapeSpec(kind, centre, radii, rotation, intensity=uniform(gen, 0.0, 1.0), texture=uniform(gen, 0.0, 0.15))
    if kind == "tube":
        ends = centre + (torch.rand(2, 3, generator=gen) - 0.5) * 0.9 * scale
        mid = ends.mean(0) + (torch.rand(3, generator=gen) - 0.5) * 0.5 * scale
        spec.path = torch.stack([ends[0], mid, ends[1]])
        spec.tube_radius = uniform(gen, 0.04, 0.1) * scale
    if kind == "blob":
        spec.roughness = smooth_noise(size, 5, gen)
    return spec


def jitter_shape(spec: ShapeSpec, gen: torch.Generator, amount: float) -> ShapeSpec:
    """The same shape in another subject: moved, resized and turned a little."""
    shift = amount * (torch.rand(3, generator=gen) - 0.5) * 0.5
    return ShapeSpec(
        spec.kind,
        spec.centre + shift,
        spec.radii * (1 + amount * (torch.rand(3, generator=gen) - 0.5)),
        random_rotation(gen, 20.0 * amount) @ spec.rotation,
        None if spec.path is None else spec.path + shift + amount * 0.05 * torch.randn(3, 3, generator=gen),
        spec.tube_radius * (1 + amount * 0.3 * (torch.rand((), generator=gen).item() - 0.5)),
        spec.roughness,
        spec.intensity + amount * 0.1 * torch.randn((), generator=gen).item(),
        spec.texture,
    )


def _bezier(path: torch.Tensor, n: int = 24) -> torch.Tensor:
    t = torch.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * path[0] + 2 * (1 - t) * t * path[1] + t ** 2 * path[2]


def _extent(spec: ShapeSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalised bounding box (lo (3,), hi (3,)) that holds the shape before deformation."""
    if spec.kind == "tube":
        points = _bezier(spec.path)
        return points.min(0).values - spec.tube_radius, points.max(0).values + spec.tube_radius
    reach = spec.radii.max() * (2.2 if spec.kind == "blob" else 1.0)
    return spec.centre - reach, spec.centre + reach


def render_shape(spec: ShapeSpec, coords: torch.Tensor, margin: float = 0.0) -> torch.Tensor:
    """Bool mask [S, S, S] of ``spec`` at ``coords`` [S, S, S, 3] (normalised, possibly deformed by at
    most ``margin``). Only the shape's bounding box (plus the margin) is evaluated."""
    size = coords.shape[0]
    lo, hi = _extent(spec)
    start = ((lo - margin + 1) / 2 * size - 1).floor().clamp(0, size).long().tolist()
    stop = ((hi + margin + 1) / 2 * size + 1).ceil().clamp(0, size).long().tolist()
    mask = torch.zeros(coords.shape[:3], dtype=torch.bool)
    if any(b <= a for a, b in zip(start, stop)):
        return mask
    box = tuple(slice(a, b) for a, b in zip(start, stop))
    c = coords[box]
    if spec.kind == "tube":
        points = _bezier(spec.path, 16)  # [n, 3]
        flat = c.reshape(-1, 3)
        d2 = (flat * flat).sum(1, keepdim=True) - 2 * flat @ points.T + (points * points).sum(1)[None]
        inside = (d2.min(dim=1).values <= spec.tube_radius ** 2).reshape(c.shape[:3])
    else:
        local = ((c - spec.centre) @ spec.rotation) * (1.0 / spec.radii)  # the shape's frame, unit radii
        r = (local * local).sum(-1)
        if spec.kind == "blob":
            r = r.sqrt() + 0.35 * spec.roughness[0][box]
            inside = r <= 1.0
        else:
            inside = r <= 1.0
    mask[box] = inside
    return mask


def elastic_coords(size: int, gen: torch.Generator, amount: float) -> torch.Tensor:
    """[S, S, S, 3] identity coordinates plus a smooth random displacement (normalised units)."""
    displacement = smooth_noise(size, 4, gen, channels=3).permute(1, 2, 3, 0) * amount
    return identity_grid(size) + displacement


def textured_background(size: int, gen: torch.Generator, base: float) -> torch.Tensor:
    """[S, S, S] in ~[0, 1]: smooth noise at two scales around ``base``."""
    return (base + uniform(gen, 0.0, 0.25) * smooth_noise(size, 3, gen)[0]
            + uniform(gen, 0.0, 0.15) * smooth_noise(size, 9, gen)[0])


@dataclass
class ShapeLayout:
    """The classes of one shapes task and the distractors of each subject's background."""

    classes: list[ShapeSpec]
    background: float = 0.5


def random_layout(k: int, gen: torch.Generator, size: int, min_contrast: float = 0.12) -> ShapeLayout:
    """K class shapes of random kinds; each differs from the background level by at least
    ``min_contrast`` (so that the reference actually shows what it marks)."""
    kinds = [SHAPE_KINDS[int(torch.randint(len(SHAPE_KINDS), (1,), generator=gen))] for _ in range(k)]
    background = uniform(gen, 0.1, 0.9)
    shapes = [random_shape(kind, gen, size) for kind in kinds]
    for shape in shapes:
        sign = 1.0 if torch.rand((), generator=gen).item() < 0.5 else -1.0
        shape.intensity = background + sign * uniform(gen, min_contrast, 0.6)
    return ShapeLayout(shapes, background)


def shapes_subject(layout: ShapeLayout, gen: torch.Generator, size: int, jitter: float = 0.3,
                   elastic: float = 0.06, distractors: int = 3, relocate: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """One subject of a shapes task: (image [S, S, S] in ~[0, 1], masks [K, S, S, S] bool).

    ``relocate``: every class shape is moved to a new random place (location-independent tasks).

    Classes are drawn in order (a later class covers an earlier one where they overlap); distractor
    shapes go underneath and are never part of the masks.
    """
    amount = uniform(gen, 0.0, elastic)
    coords = elastic_coords(size, gen, amount)
    margin = 3.5 * amount + 2.0 / size
    image = textured_background(size, gen, layout.background + 0.05 * torch.randn((), generator=gen).item())
    textures = smooth_noise(size, 8, gen, channels=2)  # shared by the shapes of this subject
    for n in range(int(torch.randint(distractors + 1, (1,), generator=gen))):
        kind = SHAPE_KINDS[int(torch.randint(len(SHAPE_KINDS), (1,), generator=gen))]
        d = random_shape(kind, gen, size, scale=0.8)
        image = torch.where(render_shape(d, coords, margin), d.intensity + d.texture * textures[n % 2], image)
    masks = []
    owner = torch.full((size, size, size), -1, dtype=torch.int64)
    for j, spec in enumerate(layout.classes):
        s = jitter_shape(spec, gen, jitter)
        if relocate:
            s = moved_shape(s, torch.rand(3, generator=gen) * 1.1 - 0.55)
        inside = render_shape(s, coords, margin)
        owner[inside] = j
        image = torch.where(inside, s.intensity + s.texture * textures[(j + 1) % 2], image)
    for j in range(len(layout.classes)):
        masks.append(owner == j)
    return image, torch.stack(masks) if masks else torch.zeros((0, size, size, size), dtype=torch.bool)


def moved_shape(spec: ShapeSpec, centre: torch.Tensor) -> ShapeSpec:
    """The same shape with its centre (and tube path) moved to ``centre``."""
    shift = centre - spec.centre
    return ShapeSpec(spec.kind, centre, spec.radii, spec.rotation, None if spec.path is None else spec.path + shift,
                     spec.tube_radius, spec.roughness, spec.intensity, spec.texture)


def shapes_task(k: int, size: int, gen: torch.Generator, min_voxels: int = 20, tries: int = 8,
                relocate: bool = False):
    """A shapes task with ``k`` classes: ((ref_image, ref_masks), (query_image, query_masks)).
    ``relocate``: the query's shapes are placed anew (see :func:`shapes_subject`).

    Images are [S, S, S] float (~[0, 1], after :func:`corrupt`), masks [k, S, S, S] bool; every class
    has at least ``min_voxels`` voxels in both subjects (a layout is redrawn up to ``tries`` times,
    then classes still too small are dropped, keeping at least one).
    """
    for attempt in range(tries):
        layout = random_layout(k, gen, size)
        subjects = [shapes_subject(layout, gen, size), shapes_subject(layout, gen, size, relocate=relocate)]
        sizes = torch.stack([m.flatten(1).sum(1) for _, m in subjects])  # [2, k]
        ok = (sizes >= min_voxels).all(0)
        if ok.all() or (attempt == tries - 1 and ok.any()):
            keep = ok.nonzero().flatten()
            return tuple((corrupt(img, gen, resolution_max=2.0), m[keep]) for img, m in subjects)
    raise RuntimeError("could not draw a shapes task with a visible class")
