"""Card backgrounds: flat colour, gradient, cover-cropped photo, or a generated landscape.

Each is built once per (theme, size) in a process and copied for every card drawn on it.
Photo backgrounds get a scrim (a dark veil, darkest at the bottom) so white text stays above
WCAG AA contrast.
"""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from campaign.cards.themes import Style, rgb
from campaign.errors import CardError

if TYPE_CHECKING:
    from PIL import Image


@lru_cache(maxsize=32)
def background(style: Style, w: int, h: int) -> Image.Image:
    """The theme's background at w×h (cached per process; callers copy it)."""
    from PIL import Image as PILImage

    if style.image is not None:
        img = _cover(style.image, w, h)
    elif style.photo:
        img = _landscape(w, h)
    elif len(style.gradient) >= 2:
        img = _gradient(style.gradient, w, h)
    else:
        img = PILImage.new("RGB", (w, h), rgb(style.background))
    if style.scrim > 0:
        img = _scrim(img, style.scrim)
    return img


def _gradient(stops: tuple[str, ...], w: int, h: int) -> Image.Image:
    """A vertical gradient through `stops`, slightly diagonal for depth."""
    from PIL import Image as PILImage

    column = PILImage.new("RGB", (1, 256))
    px = column.load()
    assert px is not None
    cols = [rgb(c) for c in stops]
    for y in range(256):
        t = y / 255 * (len(cols) - 1)
        i = min(int(t), len(cols) - 2)
        f = t - i
        px[0, y] = tuple(round(a + (b - a) * f) for a, b in zip(cols[i], cols[i + 1], strict=True))
    return column.resize((w, h), PILImage.Resampling.BILINEAR)


def _cover(path: Path, w: int, h: int) -> Image.Image:
    from PIL import Image as PILImage
    from PIL import ImageOps

    try:
        with PILImage.open(path) as src:
            im = ImageOps.exif_transpose(src).convert("RGB")
            return ImageOps.fit(im, (w, h), PILImage.Resampling.LANCZOS, centering=(0.5, 0.4))
    except FileNotFoundError:
        raise CardError(f"background image not found: {path}") from None
    except OSError as e:
        raise CardError(f"cannot read background image {path}: {e}") from None


def _scrim(img: Image.Image, strength: float) -> Image.Image:
    """Darken: a uniform veil plus a gradient that is darkest at the bottom."""
    from PIL import Image as PILImage

    w, h = img.size
    ramp = PILImage.linear_gradient("L").resize((w, h), PILImage.Resampling.BILINEAR)
    veil = round(255 * strength * 0.5)
    mask = ramp.point(lambda v: veil + round((255 * strength - veil) * (v / 255) ** 1.4))
    black = PILImage.new("RGB", (w, h), (6, 10, 18))
    return PILImage.composite(black, img, mask)


def _landscape(w: int, h: int) -> Image.Image:
    """A generated photograph stand-in: mountain ridges at dusk (deterministic)."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFilter

    img = _gradient(("#1b2a4a", "#4a4e7a", "#c9826b", "#f0b27a"), w, h)
    glow = PILImage.radial_gradient("L").resize((w, w), PILImage.Resampling.BILINEAR)
    glow = glow.point(lambda v: max(0, 150 - v))
    sun_layer = PILImage.new("RGB", (w, w), (255, 214, 160))
    img.paste(sun_layer, (0, round(h * 0.62 - w / 2)), glow)
    rnd = random.Random(1979)
    layers = [("#5a5578", 0.50, 0.16), ("#3f3d5c", 0.60, 0.12), ("#2a2a42", 0.70, 0.10),
              ("#171a2b", 0.80, 0.08)]
    for colour, base, amp in layers:
        pts = [(0.0, float(h))]
        x = 0.0
        y = h * base
        while x <= w:
            pts.append((x, y))
            x += w * rnd.uniform(0.04, 0.11)
            y = min(h * 0.97, max(h * (base - amp), y + h * rnd.uniform(-amp, amp) * 0.6))
        pts.append((float(w), y))
        pts.append((float(w), float(h)))
        ImageDraw.Draw(img).polygon(pts, fill=rgb(colour))
    return img.filter(ImageFilter.GaussianBlur(max(1, w // 600)))
