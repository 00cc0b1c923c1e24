"""Scrapy's deployment convention, end to end on loopback: scrapyd-deploy builds and uploads the project egg to a
real scrapyd, schedule.json starts the `policy` spider, and the records and WARCs appear in POLICYCRAWL_OUT."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from tests.conftest import REPO
from tests.test_usercli import N_ARTICLES, _records, _routes
from tests.servers import RouteServer

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _project_copy(tmp_path: Path, port: int) -> Path:
    """The repository as a user deploys it (a copy: scrapyd-deploy writes setup.py and build/ beside scrapy.cfg)."""
    proj = tmp_path / "proj"
    proj.mkdir()
    for name in ("crawler", "archive", "extractors"):
        shutil.copytree(REPO / name, proj / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, proj / name)
    cfg = (REPO / "scrapy.cfg").read_text()
    (proj / "scrapy.cfg").write_text(cfg + f"\n[deploy:local]\nurl = http://127.0.0.1:{port}/\nproject = policycrawl\n")
    return proj


def test_scrapyd_deploy_schedule_and_records_appear(tmp_path: Path):
    port = _free_port()
    proj = _project_copy(tmp_path, port)
    egg = tmp_path / "p.egg"
    build = subprocess.run([str(BIN / "scrapyd-deploy"), f"--build-egg={egg}"], cwd=proj, capture_output=True,
                           text=True, timeout=180)
    assert build.returncode == 0, build.stderr[-2000:]
    with zipfile.ZipFile(egg) as zf:
        assert "[scrapy]\nsettings = crawler.settings" in zf.read("EGG-INFO/entry_points.txt").decode()
        assert "extractors/data/regions.tsv" in zf.namelist()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home}/eggs\nlogs_dir = {home}/logs\n"
        f"dbs_dir = {home}/dbs\nitems_dir =\nmax_proc = 1\npoll_interval = 0.5\n")
    server = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    out = tmp_path / "out"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/daemonstatus.json", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        deploy = subprocess.run([str(BIN / "scrapyd-deploy"), "local", "-p", "policycrawl"], cwd=proj,
                                capture_output=True, text=True, timeout=180)
        assert deploy.returncode == 0 and '"status": "ok"' in deploy.stdout, deploy.stdout + deploy.stderr[-2000:]
        with RouteServer(_routes()) as site:
            form = [("project", "policycrawl"), ("spider", "policy"), ("start", f"{site.base}/list/"),
                    ("follow", r"/art/\d+\.html$")] + [("setting", s) for s in (
                        f"POLICYCRAWL_OUT={out}", "POLICYCRAWL_ALLOW_LOOPBACK=1", "POLICYCRAWL_LOOPBACK_ONLY=1",
                        "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0", "POLICYCRAWL_EXTRACT_WORKERS=1")]
            answer = json.loads(urllib.request.urlopen(base + "/schedule.json",
                                                       data=urllib.parse.urlencode(form).encode(), timeout=60).read())
            assert answer["status"] == "ok", answer
            deadline = time.monotonic() + 180
            jobs: dict = {}
            while time.monotonic() < deadline:
                try:
                    jobs = json.loads(urllib.request.urlopen(base + "/listjobs.json?project=policycrawl",
                                                             timeout=30).read())
                except OSError:  # scrapyd is busy starting the job on a loaded machine: ask again
                    continue
                if any(j["id"] == answer["jobid"] for j in jobs.get("finished", [])):
                    break
                time.sleep(0.5)
            else:
                raise AssertionError(f"job did not finish: {jobs}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    records = _records(out)
    logs = "\n".join(p.read_text("utf-8", "replace")[-3000:] for p in (home / "logs").rglob("*.log"))
    assert len(records) == N_ARTICLES and {r["status"] for r in records} == {"ok"}, logs
    assert all(r["region"] is not None for r in records)  # the extractor's data files were read from the egg
    assert list((out / "warc").glob("*.warc.gz"))
