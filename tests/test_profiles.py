"""Source profiles are data: user files load, mistakes are named, rebasing keeps real-site patterns working."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sources import ProfileError, adhoc_profile, builtin_profiles, load_file, load_profiles

USER_TOML = """
[[source]]
id = "hz_gov"
name = "杭州市人民政府"
allowed_hosts = ["www.hangzhou.gov.cn"]
start_urls = ["https://www.hangzhou.gov.cn/col/col1229063380/index.html"]
article_patterns = ['/art/\\d{4}/\\d{1,2}/\\d{1,2}/art_\\d+_\\d+\\.html$']
[source.region]
province = "浙江省"
city = "杭州市"
code = "330100"
[source.extraction]
drop_lines = ["扫一扫在手机打开当前页"]
"""

USER_YAML = """
id: nb_news
name: 宁波新闻
start_urls: ["https://news.example.cn/list/"]
article_patterns: ['/a/\\d+\\.html$']
"""


def test_user_profiles_in_toml_and_yaml(tmp_path: Path):
    (tmp_path / "mine.toml").write_text(USER_TOML, encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(USER_YAML, encoding="utf-8")
    profiles = load_profiles([tmp_path / "mine.toml", tmp_path / "mine.yaml"])
    hz = profiles["hz_gov"]
    assert hz.region.code == "330100" and hz.hints.drop_lines == ("扫一扫在手机打开当前页",)
    assert hz.is_article("https://www.hangzhou.gov.cn/art/2024/5/12/art_1229063380_59012345.html")
    assert not hz.is_article("https://www.hangzhou.gov.cn/col/col1229063380/index.html")
    assert profiles["nb_news"].allowed_hosts == ("news.example.cn",)  # derived from start URLs
    assert set(builtin_profiles()) <= set(profiles)


@pytest.mark.parametrize(
    "text, message",
    [
        ('id = "x"\nname = "x"\nstart_urls = ["ftp://a/"]', "only http and https"),
        ('id = "x"\nname = "x"\nstart_urls = ["http://a/"]\narticle_patterns = ["("]', "bad article pattern"),
        ('id = "x"\nname = "x"\nstart_urls = ["http://a/"]\nstart_url = "typo"', "unknown keys"),
        ('id = "X Y"\nname = "x"\nstart_urls = ["http://a/"]', "must be lower-case"),
        ('name = "x"', "'id' is required"),
        ("id = [", "mine.toml"),
    ],
)
def test_profile_mistakes_are_named(tmp_path: Path, text: str, message: str):
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        load_file(path)


def test_rebased_profile_matches_real_site_patterns_on_a_mirror():
    hz = load_profiles([])  # built-ins only
    profile = next(iter(hz.values()))
    mirror = profile.rebased("http://127.0.0.1:9999")
    assert mirror.allowed_hosts == ("127.0.0.1:9999",)
    assert all(u.startswith("http://127.0.0.1:9999/") for u in mirror.start_urls)
    real = profile.start_urls[0]
    local = "http://127.0.0.1:9999" + real.split("/", 3)[3].join(["/", ""])
    assert mirror.real_url(local) == real
    assert mirror.allows(local) and not mirror.allows(real)


def test_adhoc_profile_stays_on_its_hosts():
    p = adhoc_profile(["https://example.org/news/"], r"/news/\d+\.html$")
    assert p.allows("https://example.org/news/1.html")
    assert not p.allows("https://evil.example.net/news/1.html")
    assert not p.allows("file:///etc/passwd")
    assert p.is_article("https://example.org/news/123.html") and not p.is_article("https://example.org/about")
