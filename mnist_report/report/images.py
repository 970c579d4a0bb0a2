"""Small PNG images as data: URLs, for galleries drawn as one image mark per picture.

Thousands of rect marks are slow to draw; one 28x28 PNG per panel, scaled up by
the browser without smoothing, is fast and stays crisp. Colours are mapped here
with the same linear-RGB ramps the chart legends declare (`GREY`, `DIVERGING`),
so a legend and the pictures it explains always agree.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np

# Ink 0 is white, ink 255 black: digits drawn dark on white, as on paper.
GREY = ("#ffffff", "#000000")
# Negative (the column's class darker) blue, 0 white, positive (the row's class darker) red.
DIVERGING = ("#2166ac", "#ffffff", "#b2182b")


def png(pixels: np.ndarray, level: int = 9) -> bytes:
    """Encode uint8 [h, w] (grey) or [h, w, 3] (RGB) as a PNG file, at zlib's compression `level`."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width = pixels.shape[:2]
    colour_type = 2 if pixels.ndim == 3 else 0
    # Each scanline starts with filter byte 0 (none); zlib does the compressing.
    raw = np.concatenate([np.zeros((height, 1), np.uint8), pixels.reshape(height, -1)], axis=1).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, level)) + chunk(b"IEND", b"")
    )


def data_url(pixels: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png(pixels)).decode("ascii")


def ink_url(image: np.ndarray) -> str:
    """An image of ink values 0-255 (or their mean), dark on white."""
    return data_url(ink_rgb(image))


def ink_rgb(image: np.ndarray) -> np.ndarray:
    """Ink values 0-255 (or their mean) as RGB, dark on white."""
    return _ramp(np.asarray(image, dtype=np.float64) / 255.0, GREY)


def diverging_limit(differences) -> float:
    """The largest |value| among difference images: the end of their shared diverging scale (1 if none)."""
    return float(max((np.abs(d).max() for d in differences), default=1.0)) or 1.0


def diverging_rgb(difference: np.ndarray, limit: float) -> np.ndarray:
    """A difference image coloured on DIVERGING, from -limit (blue) to +limit (red)."""
    t = (np.clip(difference / limit, -1.0, 1.0) + 1.0) / 2.0
    return _ramp(t, DIVERGING)


def heat_rgb(values: np.ndarray, low: float, high: float, colours: tuple[str, ...]) -> np.ndarray:
    """Values from `low` to `high` on a ramp of colours (a heat map drawn as one picture); NaN white."""
    t = np.clip((values - low) / ((high - low) or 1.0), 0.0, 1.0)
    rgb = _ramp(np.nan_to_num(t), colours)
    rgb[np.isnan(values)] = 255
    return rgb


def sheet(panels: list[np.ndarray], cells: list[tuple[int, int]], rows: int, cols: int, gap: int) -> np.ndarray:
    """Many panels (grey [h, w] or RGB [h, w, 3]) on one white sheet, panel i at grid cell (row, col), `gap` pixels around each.

    One picture instead of dozens: the browser decodes and Vega draws a single image mark.
    """
    height, width = panels[0].shape[:2] if len(panels) else (1, 1)
    channels = panels[0].shape[2:] if len(panels) else (3,)
    out = np.full((rows * (height + gap), cols * (width + gap), *channels), 255, np.uint8)
    for panel, (r, c) in zip(panels, cells, strict=True):
        top, left = r * (height + gap) + gap // 2, c * (width + gap) + gap // 2
        out[top : top + height, left : left + width] = panel
    return out


def sprite_url(panels: list[np.ndarray], cells: list[tuple[int, int]], rows: int, cols: int, gap: int) -> str:
    """sheet() as a PNG data: URL."""
    return data_url(sheet(panels, cells, rows, cols, gap))


def _ramp(t: np.ndarray, colours: tuple[str, ...]) -> np.ndarray:
    """Map t in [0, 1] linearly in RGB through evenly spaced colours (Vega's interpolate "rgb")."""
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours], dtype=np.float64)
    positions = np.linspace(0.0, 1.0, len(colours))
    rgb = np.stack([np.interp(t, positions, stops[:, channel]) for channel in range(3)], axis=-1)
    return np.rint(rgb).astype(np.uint8)
