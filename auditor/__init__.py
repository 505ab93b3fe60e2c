"""auditor: a Scrapy-based site-migration auditor (POCO -> mi.com)."""

__version__ = "0.4.0"
