"""crawler → archive → extractors, one way; extractors and archive never import Scrapy or Twisted."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LAYERS = ["crawler", "archive", "extractors"]
FORBIDDEN_BELOW_CRAWLER = ("scrapy", "twisted")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_imports_only_go_down_the_layers():
    problems = []
    for i, layer in enumerate(LAYERS):
        higher = LAYERS[:i]
        for path in (REPO / layer).rglob("*.py"):
            for name in _imports(path):
                top = name.split(".")[0]
                if top in higher:
                    problems.append(f"{path.relative_to(REPO)} imports {name} (a higher layer)")
                if layer != "crawler" and top in FORBIDDEN_BELOW_CRAWLER:
                    problems.append(f"{path.relative_to(REPO)} imports {name}")
    assert problems == []


def test_the_check_catches_a_violation(tmp_path: Path):
    """Negative control: the same scan flags an extractor module that imports scrapy."""
    bad = tmp_path / "bad.py"
    bad.write_text("from scrapy import Request\nimport crawler.cli\n")
    assert {"scrapy", "crawler.cli"} <= _imports(bad)


def test_import_linter_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a test dependency"
    result = subprocess.run([lint, "--config", str(REPO / "pyproject.toml")], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_extractors_import_without_scrapy_loaded():
    code = "import sys, extractors, archive.reextract, archive.state; assert 'scrapy' not in sys.modules and 'twisted' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
