"""mnist-report: an offline, interactive report site for MNIST-format image datasets.

In a notebook::

    from mnist_report import load, analyze, charts
    analysis = analyze(load("data/mnist"))   # a folder, a CSV or IDX file, or None for the embedded sample
    charts.centroids(analysis)               # any figure of the report, as an Altair chart
"""

__version__ = "0.1.0"

# Imported on first use, so `mnist-report --help` answers without loading numpy, polars and Altair.
_LAZY = {
    "load": ("loading.inputs", "load"),
    "analyze": ("analysis", "analyze"),
    "charts": ("charts", None),
    "build": ("build", "build"),
    "Options": ("build", "Options"),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'mnist_report' has no attribute {name!r}")
    from importlib import import_module

    module, attribute = _LAZY[name]
    loaded = import_module(f".{module}", __name__)
    return loaded if attribute is None else getattr(loaded, attribute)


__all__ = ["Options", "__version__", "analyze", "build", "charts", "load"]
