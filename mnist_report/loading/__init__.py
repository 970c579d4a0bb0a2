"""Loading: every input, whatever its format, ends as one `Dataset` (model.py).

inputs.py says what a path is and hands it to its format's reader (idx.py, csvfile.py,
npyfile.py, pngfolder.py); shape.py says which image sizes are read; classes.py turns the
labels the files hold into class indexes and names; storage.py reads files hashed, streamed and
spilled; chunks.py hands images out a bounded chunk at a time; catalogue.py names the datasets
known by name, download.py fetches them.

Imported lazily, so the command line can read the catalogue without numpy and polars.
"""

from importlib import import_module

_LAZY = {"load": "inputs", "load_sample": "inputs", "Dataset": "model", "Split": "model", "Source": "model"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_LAZY[name]}", __name__), name)


__all__ = list(_LAZY)
