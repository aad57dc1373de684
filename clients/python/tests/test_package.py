"""The package under test is the one `pip install ./clients/python` installed (the test command
installs it into the test venv): typed, and needing nothing outside the standard library."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import obf_client


def test_installed_typed_and_without_dependencies() -> None:
    module = Path(obf_client.__file__)
    assert "site-packages" in module.parts, f"obf_client imported from {module}, not from an installed copy"
    assert (module.parent / "py.typed").is_file()
    distribution = importlib.metadata.distribution("obf-client")
    assert not distribution.requires, distribution.requires
    assert distribution.metadata["Requires-Python"] == ">=3.10"
    installed = {Path(str(file)).name for file in distribution.files or []}
    assert {"client.py", "engine.py", "errors.py", "lookups.py", "models.py", "reading.py", "record.py", "view.py", "transport.py",
            "live.py", "stepping.py", "sync.py", "rollover.py", "counters.py", "outage.py", "staleness.py",
            "py.typed"} <= installed
