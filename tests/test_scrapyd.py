"""Scrapy's deployment convention, end to end on loopback: scrapyd-deploy builds the project egg once and uploads it to
two real scrapyd nodes, schedule.json starts the `policy` spider, and the records and WARCs appear.

- one node, embedded SQLite frontier: one job, its records appear in POLICYCRAWL_OUT;
- two nodes against one real redis-server (README "Many workers"): one job on each, both finish, and the union of
  their records holds every article of a several-host site exactly once, each node's files named with its worker id.

The egg build, the two scrapyd processes and the deployment are shared by both tests (module fixture): they are
most of the time, not the crawls.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.hostile_servers import free_port
from tests.redis_cluster import RedisServer, Sites
from tests.servers import RouteServer
from tests.test_usercli import N_ARTICLES, _records, _routes

BIN = Path(sys.executable).parent
NODES = ("node-a", "node-b")
LOOPBACK = ("POLICYCRAWL_ALLOW_LOOPBACK=1", "POLICYCRAWL_LOOPBACK_ONLY=1", "DOWNLOAD_DELAY=0",
            "AUTOTHROTTLE_ENABLED=0", "POLICYCRAWL_EXTRACT_WORKERS=1")


def _project_copy(tmp: Path, ports: dict[str, int]) -> Path:
    """The repository as a user deploys it (a copy: scrapyd-deploy writes setup.py and build/ beside scrapy.cfg),
    with one deploy target per scrapyd node."""
    proj = tmp / "proj"
    proj.mkdir()
    for name in ("crawler", "archive", "extractors"):
        shutil.copytree(REPO / name, proj / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, proj / name)
    cfg = (REPO / "scrapy.cfg").read_text()
    targets = "".join(f"\n[deploy:{node}]\nurl = http://127.0.0.1:{port}/\nproject = policycrawl\n"
                      for node, port in ports.items())
    (proj / "scrapy.cfg").write_text(cfg + targets)
    return proj


class Node:
    """One scrapyd process with its own home (eggs, logs, dbs), as on its own machine."""

    def __init__(self, name: str, home: Path):
        self.name = name
        self.home = home
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.home.mkdir(parents=True)
        (self.home / "scrapyd.conf").write_text(
            f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {self.port}\neggs_dir = {self.home}/eggs\n"
            f"logs_dir = {self.home}/logs\ndbs_dir = {self.home}/dbs\nitems_dir =\nmax_proc = 1\npoll_interval = 0.5\n")
        self.proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=self.home, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    def wait_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/daemonstatus.json", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"scrapyd {self.name} did not answer on {self.base}")

    def schedule(self, settings: list[str], **args: str) -> str:
        form = [("project", "policycrawl"), ("spider", "policy"), *args.items()] + [("setting", s) for s in settings]
        answer = json.loads(urllib.request.urlopen(self.base + "/schedule.json",
                                                   data=urllib.parse.urlencode(form).encode(), timeout=60).read())
        assert answer["status"] == "ok", answer
        return answer["jobid"]

    def finished(self, job: str) -> bool:
        try:
            jobs = json.loads(urllib.request.urlopen(self.base + "/listjobs.json?project=policycrawl",
                                                     timeout=30).read())
        except OSError:  # scrapyd is busy starting the job on a loaded machine: ask again
            return False
        return any(j["id"] == job for j in jobs.get("finished", []))

    def logs(self) -> str:
        return "\n".join(p.read_text("utf-8", "replace")[-3000:] for p in (self.home / "logs").rglob("*.log"))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def _wait_finished(jobs: list[tuple[Node, str]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    left = list(jobs)
    while left and time.monotonic() < deadline:
        left = [(node, job) for node, job in left if not node.finished(job)]
        if left:
            time.sleep(0.5)
    assert not left, "jobs did not finish: " + "\n".join(f"{n.name} {j}:\n{n.logs()}" for n, j in left)


@pytest.fixture(scope="module")
def nodes(tmp_path_factory) -> dict[str, Node]:
    tmp = tmp_path_factory.mktemp("scrapyd")
    cluster = {name: Node(name, tmp / name) for name in NODES}
    for node in cluster.values():  # they start while the egg builds
        node.start()
    try:
        proj = _project_copy(tmp, {name: node.port for name, node in cluster.items()})
        egg = tmp / "p.egg"
        build = subprocess.run([str(BIN / "scrapyd-deploy"), f"--build-egg={egg}"], cwd=proj, capture_output=True,
                               text=True, timeout=180)
        assert build.returncode == 0, build.stderr[-2000:]
        with zipfile.ZipFile(egg) as zf:
            assert "[scrapy]\nsettings = crawler.settings" in zf.read("EGG-INFO/entry_points.txt").decode()
            names = zf.namelist()
            assert "extractors/data/regions.tsv" in names
            # Built-in sources name their CMS family; the family files must travel in the egg too.
            assert any(n.startswith("crawler/sources/families/") and n.endswith(".toml") for n in names)
        for node in cluster.values():
            node.wait_up()
        # One egg to every node (`-a`: all deploy targets of scrapy.cfg), as a cluster is deployed.
        deploy = subprocess.run([str(BIN / "scrapyd-deploy"), "-a", "-p", "policycrawl", f"--egg={egg}"], cwd=proj,
                                capture_output=True, text=True, timeout=180)
        assert deploy.returncode == 0 and deploy.stdout.count('"status": "ok"') == len(NODES), \
            deploy.stdout + deploy.stderr[-2000:]
        yield cluster
    finally:
        for node in cluster.values():
            node.stop()


def test_scrapyd_deploy_schedule_and_records_appear(nodes: dict[str, Node], tmp_path: Path):
    node = nodes["node-a"]
    out = tmp_path / "out"
    with RouteServer(_routes()) as site:
        job = node.schedule([f"POLICYCRAWL_OUT={out}", *LOOPBACK], start=f"{site.base}/list/",
                            follow=r"/art/\d+\.html$")
        _wait_finished([(node, job)], 180)
    records = _records(out)
    assert len(records) == N_ARTICLES and {r["status"] for r in records} == {"ok"}, node.logs()
    assert all(r["region"] is not None for r in records)  # the extractor's data files were read from the egg
    assert list((out / "warc").glob("*.warc.gz"))


def test_two_scrapyd_nodes_share_one_redis(nodes: dict[str, Node], tmp_path: Path):
    """One job per node, each with its own output directory (as on two machines), one frontier in Redis. The
    sources are named (`source=`), so every built-in profile loads from the egg as well."""
    hosts, per_host = 4, 30
    with RedisServer(tmp_path / "redis") as redis, Sites(hosts, per_host, latency=0.05) as sites:
        args = sites.write_profiles(tmp_path)
        ids = [a for a in args if a.startswith("site")]
        files = [a for a in args if a.endswith(".toml")]
        jobs = []
        for name, node in nodes.items():
            settings = [f"POLICYCRAWL_OUT={tmp_path / name}", f"POLICYCRAWL_REDIS_URL={redis.url}",
                        f"POLICYCRAWL_WORKER_ID={name}", f"POLICYCRAWL_SOURCES_FILES={','.join(files)}",
                        "POLICYCRAWL_REDIS_LEASE_TTL=6", "POLICYCRAWL_REDIS_RUN_IDLE=30",
                        "POLICYCRAWL_RECHECK_AFTER=0", *LOOPBACK]
            jobs.append((node, node.schedule(settings, source=",".join(ids))))
        _wait_finished(jobs, 240)
        hits = sites.article_hits()

    logs = "\n".join(node.logs() for node in nodes.values())
    wanted = sites.wanted()
    rows = [r for name in NODES for r in _records(tmp_path / name)]
    urls = Counter(r["url"] for r in rows)
    assert set(urls) == wanted, logs
    assert [u for u, n in urls.items() if n != 1] == []  # every article exactly once over both nodes
    assert [u for u in wanted if hits.get(u) != 1] == []  # and fetched once
    for name in NODES:  # each node's files carry its worker id, and each did part of the crawl
        records = list((tmp_path / name / "records").glob("*.jsonl"))
        warcs = list((tmp_path / name / "warc").glob("*.warc.gz"))
        assert records and warcs, (name, logs)
        assert all(f"-{name}-" in p.name for p in records + warcs), [p.name for p in records + warcs]
        assert any(p.stat().st_size for p in records), (name, logs)
