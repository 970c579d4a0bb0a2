"""mnist-report: an offline, interactive report site for MNIST-format image datasets."""

__version__ = "0.1.0"
