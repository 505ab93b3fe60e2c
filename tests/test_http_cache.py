"""--http-cache: a second night over an unchanged estate revalidates what it cached (304s) instead of
downloading it again, and judges exactly the same — over real HTTP against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.sandbox import Sandbox
from auditor.store import CrawlStore
from tests.crawling import crawl


def test_a_second_night_revalidates_instead_of_downloading(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with Sandbox("default") as sb:
        before = sb.counters()
        first = crawl(sb, tmp_path / "n1", "--http-cache", str(cache), "--graph", "none")
        assert first.returncode == 0, first.stderr[-3000:]
        middle = sb.counters()
        sb.reset()
        second = crawl(sb, tmp_path / "n2", "--http-cache", str(cache), "--graph", "none")
        assert second.returncode == 0, second.stderr[-3000:]
        after = sb.counters()
    sent_first, sent_second = middle["bytes"] - before["bytes"], after["bytes"] - middle["bytes"]
    not_modified = after["by_status"].get(304, 0) - middle["by_status"].get(304, 0)
    assert any(cache.rglob("*")), "the cache directory holds last night's answers"
    assert not_modified > 1000  # every unchanged page came back as a 304
    assert sent_second < 0.2 * sent_first  # issue #8's target: <= 20% of the first night's bytes
    docs = [json.loads((tmp_path / n / "findings.json").read_text(encoding="utf-8")) for n in ("n1", "n2")]
    assert docs[0]["findings"] == docs[1]["findings"]  # cached bodies judge the same
    assert docs[0]["coverage"] == docs[1]["coverage"]
    with CrawlStore(tmp_path / "n2" / "crawl.sqlite", readonly=True) as store:
        page = store.page("https://www.mi.com/uk/product/poco-f6/")  # a 304 brings the whole body back
        assert page is not None and page["status"] == 200 and page["bytes"] > 1000 and page["title"]
