"""Security: only http(s), every hop checked against resolved addresses, no remote shells, no pickle, confined
file names, session ids that cannot make a trap."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.addon import PolicycrawlAddon
from crawler.safety import SafetyMiddleware, address_verdict
from crawler.session import frontier_key
from tests.conftest import LOOPBACK_SETTINGS, REPO, run_policycrawl
from tests.hostile_servers import HTML, ListingSite, Server, profile_toml


class _Crawler:
    class settings:  # noqa: N801 - the minimum SafetyMiddleware reads
        pass


@pytest.mark.parametrize("url,reason", [
    ("ftp://127.0.0.1/a", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("data:text/html,x", "scheme"),
    ("http://10.1.2.3/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fd00::1]/", "private"),
    ("http://[fe80::1]/", "link-local"),
    ("http://127.0.0.1/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://0.0.0.0/", "private"),
])
def test_unsafe_targets_are_refused(url: str, reason: str):
    mw = SafetyMiddleware(None, allow_loopback=False, loopback_only=False)  # type: ignore[arg-type]
    assert mw.verdict_for_url(url) == reason


def test_loopback_allowance_does_not_open_private_ranges():
    assert address_verdict(ipaddress.ip_address("127.0.0.2"), allow_loopback=True, loopback_only=False) is None
    assert address_verdict(ipaddress.ip_address("10.0.0.1"), allow_loopback=True, loopback_only=False) == "private"
    assert address_verdict(ipaddress.ip_address("8.8.8.8"), allow_loopback=True, loopback_only=True) == "not-loopback"


def test_no_remote_shells_and_no_pickled_queues():
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    PolicycrawlAddon().update_settings(settings)
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False  # Scrapy 2.19 runs posted Python code otherwise
    assert settings["EXTENSIONS"]["scrapy.extensions.telnet.TelnetConsole"] is None
    assert settings["EXTENSIONS"]["scrapy.extensions.remote_control.RemoteControl"] is None
    # JOBDIR makes Scrapy pickle requests to disk (and read them back): never set.
    assert not settings.get("JOBDIR")
    own = [*REPO.glob("crawler/**/*.py"), *REPO.glob("archive/**/*.py")]
    assert own and not [p for p in own if re.search(r"^\s*(import|from)\s+(pickle|marshal|shelve|dill)\b", p.read_text(), re.M)]


def test_a_real_crawl_opens_no_console_and_leaks_nothing(tmp_path: Path):
    with Server(lambda h: (200, [], b"canary"), host="127.0.0.2") as canary:
        site = ListingSite(2, 10)

        def respond(handler):
            if handler.path == "/list/1.html":
                links = ('<a href="/a/1.html">1</a><a href="/a/2.html">2</a>'
                         f'<a href="{canary.base}/a/3.html">offsite</a><a href="ftp://127.0.0.1/a/4.html">ftp</a>'
                         '<a href="/a/5.html">redirect</a><a href="/a/6.html">refresh</a>')
                return 200, [("Content-Type", HTML)], f"<html><body>{links}</body></html>".encode()
            if handler.path == "/a/5.html":
                return 302, [("Location", canary.base + "/a/5.html")], b""
            if handler.path == "/a/6.html":
                return 200, [("Content-Type", HTML)], (f'<html><head><meta http-equiv="refresh" content="0;url='
                                                       f'{canary.base}/a/6.html"></head></html>').encode()
            return site(handler)

        with Server(respond) as server:
            profile = tmp_path / "s.toml"
            profile.write_text(profile_toml("sec", server.base), encoding="utf-8")
            result = run_policycrawl("crawl", "sec", "--sources", str(profile), "--out", str(tmp_path / "out"),
                                     "--allow-loopback", *LOOPBACK_SETTINGS, "-s", "RETRY_TIMES=0")
        assert result.returncode == 0, result.stderr[-3000:]
        assert sum(canary.hits.values()) == 0
    assert "Remote control HTTP server" not in result.stderr and "Telnet console listening" not in result.stderr
    assert "refused" in result.stderr
    names = [p.name for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", n) for n in names), names


def test_session_ids_do_not_make_new_frontier_entries():
    base = "http://www.example.gov.cn/art/2024/5/1/art_1_2.html"
    assert frontier_key(base + "?jsessionid=AB12") == frontier_key(base)
    assert frontier_key(base.replace(".html", ".html;jsessionid=XYZ")) == frontier_key(base)
    assert frontier_key(base + "?PHPSESSID=1&id=7") == frontier_key(base + "?id=7")
    assert frontier_key(base + "?id=7") != frontier_key(base + "?id=8")
