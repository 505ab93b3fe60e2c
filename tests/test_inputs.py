"""Bad input from a person: exit 2, one message naming the file, line and field, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor import profile as profile_mod
from tests.utils import run_cli

GOOD_URL = "https://www.po.co/uk/product/poco-f5/"


def run_into(tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    out = tmp_path / "out"
    code, _stdout, err = run_cli("run", "--out", str(out), "--no-progress", *args)
    return code, err, out


def profile_with(tmp_path: Path, old: str, new: str) -> Path:
    text = profile_mod.builtin_path("poco").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "profile.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('role = "legacy"', 'role = "old"', "'sites.legacy.role': must be one of legacy, target, regional"),
        ("max_hops = 1 ", 'max_hops = "one" ', "field 'thresholds.max_hops': must be int"),
        ('origin = "https://www.po.co"', 'origin = "po.co"', "'sites.legacy.origin': must be an origin"),
        ('ru = "global"', 'ru = "moon"', "field 'region_map.ru': 'moon' is not a region of a target site"),
        ("path = '^/(?P<region>[a-z-]+)/(index", "path = '^/(?P<region>[a-z-+)/(index", "not a valid"),
        ("max_depth = 12", "max_depth = -1", "field 'crawl.max_depth': must be 0 or more"),
        ("robots_obey = true", "robots_obey = true\nrobots = false", "field 'crawl.robots': unknown setting"),
    ],
)
def test_bad_profile(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = profile_with(tmp_path, old, new)
    urls = tmp_path / "urls.txt"
    urls.write_text(GOOD_URL + "\n")
    code, err, out = run_into(tmp_path, "--profile", str(path), "--legacy-urls", str(urls))
    assert code == 2
    assert err.startswith(f"auditor: error: {path}:") and expected in err
    assert err.count("\n") == 1
    assert not out.exists()


def test_bad_profile_names_the_line(tmp_path: Path) -> None:
    path = profile_with(tmp_path, 'ru = "global"', 'ru = "moon"')
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("ru ="))
    code, err, _ = run_into(tmp_path, "--profile", str(path))
    assert code == 2 and f"{path}:{line}: field 'region_map.ru'" in err


def test_garbage_line_in_legacy_urls(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# exported\n{GOOD_URL}\n\nnot a url at all\n")
    code, err, out = run_into(tmp_path, "--legacy-urls", str(urls))
    assert code == 2
    assert f"{urls}:4: field 'url': not an http(s) URL: 'not a url at all'" in err
    assert not out.exists()


def test_non_http_scheme_in_legacy_urls(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("javascript:alert(1)\n")
    code, err, _ = run_into(tmp_path, "--legacy-urls", str(urls))
    assert code == 2 and f"{urls}:1: field 'url'" in err


def test_redirect_map_without_old_url_column(tmp_path: Path) -> None:
    rmap = tmp_path / "map.csv"
    rmap.write_text("from,to\nhttps://www.po.co/uk/,https://www.mi.com/uk/\n")
    code, err, out = run_into(tmp_path, "--redirect-map", str(rmap))
    assert code == 2 and f"{rmap}:1: field 'old_url': no old_url column (columns: from, to)" in err
    assert not out.exists()


def test_redirect_map_with_a_duplicated_old_url(tmp_path: Path) -> None:
    rmap = tmp_path / "map.csv"
    rmap.write_text(
        "old_url,new_url\n"
        "https://www.po.co/uk/,https://www.mi.com/uk/\n"
        "https://www.po.co/de/,https://www.mi.com/de/\n"
        "https://WWW.po.co/uk/#top,https://www.mi.com/uk/\n"
    )
    code, err, _ = run_into(tmp_path, "--redirect-map", str(rmap))
    assert code == 2 and f"{rmap}:4: field 'old_url':" in err and "first on line 2" in err


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("www.po.co=127.0.0.1:8443", "expected ORIGIN=HOST:PORT"),
        ("https://www.po.co", "expected ORIGIN=HOST:PORT"),
        ("https://www.po.co=127.0.0.1", "address must be HOST:PORT"),
        ("https://www.po.co=ftp://127.0.0.1:21", "address scheme must be http or https"),
        ("https://www.po.co=203.0.113.9:443", "not a loopback address; allow it explicitly"),
    ],
)
def test_bad_resolve(tmp_path: Path, value: str, expected: str) -> None:
    code, err, out = run_into(tmp_path, "--resolve", value)
    assert code == 2 and "field '--resolve'" in err and expected in err
    assert not out.exists()


def test_allowed_resolve_host_passes_the_check(tmp_path: Path) -> None:
    from auditor.run import RunOptions, prepare

    resolve = ["https://www.po.co=203.0.113.9:443"]
    opts = RunOptions(out=tmp_path, resolve=resolve, allow_resolve=["203.0.113.9"])
    prepare(opts)  # no InputError


def test_unwritable_out(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run_cli("run", "--out", str(blocker / "sub"), "--no-progress")
    assert code == 2 and "field '--out': cannot write here" in err


def test_missing_input_file(tmp_path: Path) -> None:
    code, err, _ = run_into(tmp_path, "--legacy-urls", str(tmp_path / "nope.txt"))
    assert code == 2 and "nope.txt: no such file" in err


def test_unknown_profile_name(tmp_path: Path) -> None:
    code, err, _ = run_into(tmp_path, "--profile", "xiaomi")
    assert code == 2 and "field '--profile': no such profile 'xiaomi'" in err
