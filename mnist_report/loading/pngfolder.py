"""Folders of PNG images, one folder per class, as torchvision's ImageFolder reads them:
`root/<class>/*.png`, or `root/train/<class>/*.png` and `root/test/<class>/*.png`.

Decoded by Pillow: PNG has palette, 16-bit, interlaced and grey+alpha variants. Grey images, and
colour images whose three channels are equal, are read as grey; transparent pixels are background
(the colour is multiplied by the alpha, so fully transparent is 0). Class folders are sorted by
name, and the files in each; that order numbers the instances, so `--limit` and `--per-class`
keep their numbers. A split's credit is one line for its folder: the files' total size and the
SHA-256 of their listing as `sha256sum` prints it (hash, two spaces, the path from the folder
read), in that order.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np

from ..errors import ReportError
from . import shape
from .model import Raw, Source, check_limit
from .shape import Size
from .storage import PixelStore, reading

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SPLITS = ("train", "test")


def is_png(path: Path) -> bool:
    return path.suffix.lower() == ".png" and path.is_file() and not path.name.startswith(".")


def class_folders(folder: Path) -> list[Path]:
    """The folders in `folder`, sorted by name (hidden ones left out)."""
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def holds_classes(folder: Path) -> bool:
    """Whether `folder` looks like ImageFolder's root: a folder of class folders holding PNG files."""
    return folder.is_dir() and any(any(is_png(f) for f in c.iterdir()) for c in class_folders(folder))


def split_roots(root: Path) -> dict[str, Path]:
    """split name: its folder; `root` itself (split "") when it has no train/ or test/ of class folders."""
    roots = {split: root / split for split in SPLITS if holds_classes(root / split)}
    return roots or {"": root}


def load_png_folder(root: Path, limit: int | None, per_class: int | None, size: Size | None) -> list[Raw]:
    """Each split of `root`: its class folders' PNG files, decoded in sorted order. The classes are
    every split's class folders together, so a class missing from one split is absent there."""
    roots = split_roots(root)
    folders = {split: class_folders(folder) for split, folder in roots.items()}
    names = tuple(sorted({c.name for found in folders.values() for c in found}))
    return [_load_split(root, split, folders[split], names, limit, per_class, size) for split in roots]


def _load_split(
    root: Path,
    split: str,
    folders: list[Path],
    names: tuple[str, ...],
    limit: int | None,
    per_class: int | None,
    size: Size | None,
) -> Raw:
    """One split: every file is read and hashed, the chosen ones decoded into one pixel store."""
    pixels, kept = PixelStore(), []  # kept: (class index, instance, relative name)
    index = {name: i for i, name in enumerate(names)}
    listing, total, first, seen = hashlib.sha256(), 0, None, 0
    for folder in folders:
        paths = sorted(p for p in folder.iterdir() if is_png(p))
        if not paths:
            raise ReportError(f"{folder}: an empty class folder (no .png files)")
        for number, path in enumerate(paths):
            with reading(path):
                data = path.read_bytes()
            relative = path.relative_to(root).as_posix()
            listing.update(f"{hashlib.sha256(data).hexdigest()}  {relative}\n".encode())
            total, seen = total + len(data), seen + 1
            if (per_class is None or number < per_class) and (limit is None or len(kept) < limit):
                image = decode(path, data)
                first = first or (relative, shape.agree(path, image.shape, size))
                if image.shape != first[1]:
                    (h, w), (first_h, first_w) = image.shape, first[1]
                    raise ReportError(
                        f"{path}: {h}x{w} pixels, but {first[0]} is {first_h}x{first_w}; every image must be the same size"
                    )
                pixels.add(image)
                kept.append((index[folder.name], seen, relative))
    where = root / split if split else root
    if not kept:
        raise ReportError(f"{where}: no class folders of .png files")
    check_limit(limit, len(kept), where)
    label = f"{where.name}/"
    source = Source(label, f"PNG folder, {seen:,} files in {len(folders):,} class folders", listing.hexdigest(), total)
    values, instances, files = zip(*kept, strict=True)
    return Raw(
        split,
        pixels.array(first[1]),
        np.array(values, np.uint16),
        np.array(instances, np.int64),
        (source,),
        where,
        names,
        tuple(files),
    )


def decode(path: Path, data: bytes) -> np.ndarray:
    """uint8[height, width] grey levels of one PNG file; a colour image is an error."""
    from PIL import Image, UnidentifiedImageError  # only PNG folders need Pillow

    if not data.startswith(PNG_MAGIC):
        raise ReportError(f"{path}: not a PNG file (it starts 0x{data[:8].hex()})")
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
            return _grey(path, image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise ReportError(f"{path}: not a readable PNG image ({e})") from None


def _grey(path: Path, image) -> np.ndarray:
    """The grey levels of a decoded image, whatever its mode; transparency multiplies towards 0 (background)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grey, scaled to 8 bits with rounding
        wide = np.asarray(image).astype(np.int64)
        return ((wide * 255 + 32_767) // 65_535).clip(0, 255).astype(np.uint8)
    if image.mode in ("1", "L"):
        return np.asarray(image.convert("L"))
    rgba = np.asarray(image.convert("RGBA"))
    grey, alpha = rgba[..., 0], rgba[..., 3]
    if not ((rgba[..., 1] == grey) & (rgba[..., 2] == grey)).all():
        raise ReportError(f"{path}: a colour image (its red, green and blue differ); expected grey images")
    if (alpha == 255).all():
        return np.ascontiguousarray(grey)
    return ((grey.astype(np.uint16) * alpha + 127) // 255).astype(np.uint8)
