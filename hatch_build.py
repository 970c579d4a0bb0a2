"""Build hook: the wheel carries the Vega bundle (report/bundle.py), made here once, so no user's
first build spends 1.2 s making it. An editable install runs from the source and uses the cache."""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class VegaBundle(BuildHookInterface):
    PLUGIN_NAME = "vega-bundle"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        # bundle.py alone, not the package: the build needs no numpy or polars.
        source = Path(self.root) / "mnist_report" / "report" / "bundle.py"
        loader = importlib.util.spec_from_file_location("mnist_report_bundle", source)
        bundle = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(bundle)
        self._folder = Path(tempfile.mkdtemp(prefix="mnist-report-bundle-"))
        vl_version = bundle.vl_version()
        made = self._folder / bundle.name(vl_version)
        made.write_bytes(bundle.make(vl_version))
        build_data["force_include"][str(made)] = f"mnist_report/bundled/{made.name}"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        if getattr(self, "_folder", None):
            shutil.rmtree(self._folder, ignore_errors=True)
