"""The baseline of the crawl-throughput benchmark: a bare Scrapy spider that fetches the same URLs
as ``auditor run --only site`` and only follows links. It starts from the same start URLs, follows
every <a href> whose URL is in ALLOWED (the URLs the auditor's crawl fetched, one per line), and does
nothing else. Same concurrency, same robots.txt rule, same --resolve download handler (the only
auditor code it loads: without it, it could not reach the sandbox).

    python bench/bare_spider.py ALLOWED START_URLS CONCURRENCY RESOLVE...
    (bench/crawl_throughput.py runs it)
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor


class Bare(scrapy.Spider):
    name = "bare"

    def __init__(self, allowed: set[str], starts: list[str], **kw: object) -> None:
        super().__init__(**kw)
        self.allowed = allowed
        self.starts = starts
        self.extractor = LinkExtractor(tags=("a",), attrs=("href",), unique=True)

    async def start(self):  # type: ignore[no-untyped-def]
        for url in self.starts:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):  # type: ignore[no-untyped-def]
        if not isinstance(response, scrapy.http.TextResponse):
            return
        for link in self.extractor.extract_links(response):
            if link.url in self.allowed:
                yield scrapy.Request(link.url, callback=self.parse)


def main() -> None:
    allowed = set(Path(sys.argv[1]).read_text().split())
    starts = Path(sys.argv[2]).read_text().split()
    concurrency = int(sys.argv[3])
    resolve = sys.argv[4:]
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "DOWNLOAD_HANDLERS": {
                "http": "auditor.spiders.resolve.ResolveDownloadHandler",
                "https": "auditor.spiders.resolve.ResolveDownloadHandler",
            },
            "AUDITOR_RESOLVE": resolve,
            "TELNETCONSOLE_ENABLED": False,
        }
    )
    crawler = process.create_crawler(Bare)
    started = time.monotonic()
    process.crawl(crawler, allowed=allowed, starts=starts)
    process.start()
    elapsed = time.monotonic() - started
    stats = crawler.stats.get_stats() if crawler.stats else {}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "responses": stats.get("response_received_count", 0),
                "elapsed": round(elapsed, 2),
                "cpu": round(usage.ru_utime + usage.ru_stime, 2),
                "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
