"""Scrapy spiders of the auditor (installed as ``auditor.spiders``): they fetch and record, never judge."""
