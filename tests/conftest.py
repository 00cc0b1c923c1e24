from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_policycrawl(*args: str, timeout: float = 240, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess, as a user would."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# Test crawls may reach loopback only: anything else is refused and counted, and tests assert the count is 0.
# The log (normally only in OUT/logs/<run>.log) is also copied to stderr from INFO up, for assertions on it.
LOOPBACK_SETTINGS = ("-s", "POLICYCRAWL_LOOPBACK_ONLY=1", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
                     "-s", "POLICYCRAWL_EXTRACT_WORKERS=2", "-s", "LOG_LEVEL=INFO", "-s", "POLICYCRAWL_TERMINAL_LEVEL=INFO")


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"
