"""Deterministic PNG/JPEG encoding within a byte budget, tagged sRGB, with no metadata.

Identical pixels give identical bytes: no timestamps, no text chunks, no EXIF, no paths. A card
over its budget is re-encoded (PNG: adaptive row filters, stronger compression, then a 256-colour
palette; JPEG: optimized Huffman tables, lower quality steps, then 4:2:0 chroma) and never
resized. `CardError` if nothing fits.

PNG cards are first written here rather than by Pillow: every row unfiltered (filter type 0) and
the whole image deflated at level 3 in one call. Pillow's encoder picks one of five filters per
row by trying them all, which costs more than the deflate itself (~9 ms of a ~14 ms encode for
a 1080x1080 card) and, on flat or gradient backgrounds with anti-aliased text, gives *larger*
files than no filter at all (about 10% here). Photographs are the exception: they fall through
to Pillow's adaptive filters when the unfiltered file is over the budget.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import lru_cache
from typing import TYPE_CHECKING

from campaign.errors import CardError

if TYPE_CHECKING:
    from PIL import Image

PNG_LEVEL = 3  # zlib level 3: ~2x faster than the default 6, within a few % of its size here
JPEG_QUALITIES = (90, 84, 78, 72, 65, 58, 50, 42, 35)


def _srgb_chunk() -> bytes:
    return _chunk(b"sRGB", bytes([0]))  # rendering intent: perceptual


def _tag_png_srgb(data: bytes) -> bytes:
    """Insert an sRGB chunk right after IHDR (8-byte signature + 25-byte IHDR chunk)."""
    return data[:33] + _srgb_chunk() + data[33:]


@lru_cache(maxsize=1)
def srgb_icc() -> bytes:
    """A deterministic sRGB ICC profile for JPEG (LittleCMS's, with the date and ID zeroed)."""
    from PIL import ImageCms

    raw = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    raw[24:36] = bytes(12)  # creation date
    raw[84:100] = bytes(16)  # profile ID (MD5); all zero means "not computed"
    return bytes(raw)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_unfiltered(img: Image.Image, *, level: int = PNG_LEVEL) -> bytes:
    """An 8-bit RGB PNG: IHDR, sRGB, one IDAT of unfiltered rows, IEND (no other chunk).

    The rows are packed and deflated 32 at a time, never as one multi-megabyte buffer: the
    deflate stream is the same, and large short-lived allocations cost page faults (several
    ms for a 1080x1920 card on the development VM).
    """
    from PIL import Image as PILImage

    if img.mode != "RGB":
        raise ValueError(f"png_unfiltered takes RGB images, not {img.mode}")
    w, h = img.size
    stride = 3 * w
    z = zlib.compressobj(level)
    idat: list[bytes] = []
    packer = PILImage._getencoder("RGB", "raw", "RGB")  # what Image.tobytes uses
    try:
        packer.setimage(img.im, (0, 0, w, h))
        while True:  # the raw packer returns whole rows only
            _, err, rows = packer.encode(32 * stride)
            if rows:
                mv = memoryview(rows)
                # a filter-type byte (0: none) before every row
                idat.append(z.compress(b"\0" + b"\0".join(
                    [mv[i:i + stride] for i in range(0, len(rows), stride)])))
            if err:
                break
    finally:
        packer.cleanup()
    if err < 0:
        raise CardError(f"cannot read the card's pixels (error {err})")
    idat.append(z.flush())
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)),
        _srgb_chunk(),
        _chunk(b"IDAT", b"".join(idat)),
        _chunk(b"IEND", b""),
    ))


def png(img: Image.Image, *, level: int = PNG_LEVEL) -> bytes:
    """Pillow's PNG (adaptive row filters), tagged sRGB."""
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=level, optimize=False)
    return _tag_png_srgb(buf.getvalue())


def jpeg(img: Image.Image, *, quality: int = JPEG_QUALITIES[0], subsampling: int = 0,
         optimize: bool = True) -> bytes:
    buf = io.BytesIO()
    rgb = img.convert("RGB") if img.mode != "RGB" else img
    rgb.save(buf, "JPEG", quality=quality, subsampling=subsampling, optimize=optimize,
             progressive=False, icc_profile=srgb_icc())
    return buf.getvalue()


def encode(img: Image.Image, fmt: str = "png", budget: int = 1_000_000, *, what: str = "card"
           ) -> bytes:
    """Encode `img` as `fmt` in at most `budget` bytes without changing its size."""
    fmt = fmt.lower()
    if fmt in ("jpg", "jpeg"):
        attempts = [(q, 0) for q in JPEG_QUALITIES[:3]] + [(q, 2) for q in JPEG_QUALITIES]
        for q, sub in attempts:
            # the standard Huffman tables first: half the time of optimized ones, ~10% larger;
            # the same pixels either way, so optimizing is tried before lowering the quality
            data = jpeg(img, quality=q, subsampling=sub, optimize=False)
            if len(data) <= budget:
                return data
            if len(data) > budget * 1.25:  # optimizing saves ~10%: hopeless at this quality
                continue
            data = jpeg(img, quality=q, subsampling=sub)
            if len(data) <= budget:
                return data
        raise CardError(f"{what}: JPEG still {len(data):,} bytes at quality {q}, over the "
                        f"{budget:,}-byte budget")
    if fmt != "png":
        raise CardError(f"unknown image format '{fmt}'; use png or jpeg")
    rgb = img.convert("RGB") if img.mode != "RGB" else img
    data = png_unfiltered(rgb)
    if len(data) <= budget:
        return data
    data = png(rgb)  # adaptive filters: smaller for photographs
    if len(data) <= budget:
        return data
    if len(data) <= budget * 1.1:  # zlib 9 wins a few %, at ~15x the time: only when close
        data = png(rgb, level=9)
        if len(data) <= budget:
            return data
    from PIL import Image as PILImage

    for colours, dither in ((256, PILImage.Dither.FLOYDSTEINBERG), (256, PILImage.Dither.NONE),
                            (128, PILImage.Dither.NONE), (64, PILImage.Dither.NONE),
                            (32, PILImage.Dither.NONE)):
        pal = rgb.quantize(colors=colours, method=PILImage.Quantize.FASTOCTREE, dither=dither)
        data = png(pal, level=9)
        if len(data) <= budget:
            return data
    raise CardError(f"{what}: PNG still {len(data):,} bytes with a 32-colour palette, over the "
                    f"{budget:,}-byte budget; use format: jpeg")
