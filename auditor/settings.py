# Scrapy settings for the auditor project (`scrapy crawl legacy|site -a profile=...`). The audit's
# own knobs, their defaults and what they do are in auditor/defaults.py (AUDITOR_*); the profile
# (TOML) sets the crawl's politeness and caps on top of these at spider priority.

BOT_NAME = "auditor"

SPIDER_MODULES = ["auditor.spiders"]
NEWSPIDER_MODULE = "auditor.spiders"

# Identify the crawler to the sites it audits, and be polite.
USER_AGENT = "auditor/0.1 (site-migration audit)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 8
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # a URL that keeps failing is recorded (hop retries), not an error

# --resolve ORIGIN=HOST:PORT is honoured where Scrapy connects.
DOWNLOAD_HANDLERS = {
    "http": "auditor.spiders.resolve.ResolveDownloadHandler",
    "https": "auditor.spiders.resolve.ResolveDownloadHandler",
}
# Retries that wait for Retry-After; redirects are traced by the spiders themselves.
# Bodies past DOWNLOAD_MAXSIZE (plain or inflated) are kept as data, not dropped as errors.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "auditor.spiders.retry.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "auditor.spiders.decompression.BoundedDecompressionMiddleware": 590,
}
# Breadth first (the spiders set priorities by depth): a page's depth is its shortest link distance.
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
# One worker per item is plenty for a synchronous pipeline; the default 100 makes Scrapy create 100
# asyncio tasks per callback, which was a third of the crawl's CPU (BENCHMARKS.md).
CONCURRENT_ITEMS = 8
ITEM_PIPELINES = {"auditor.spiders.pipelines.StorePipeline": 300}
EXTENSIONS = {"auditor.spiders.progress.Progress": 500, "auditor.spiders.sizecap.SizeCap": 500}

ADDONS: dict[str, int] = {}
FEED_EXPORT_ENCODING = "utf-8"
