# Scrapy settings for the auditor project. The auditor's own knobs, with their defaults and what
# they do, are in auditor/defaults.py (AUDITOR_*); the profile (TOML) overrides them per audit.

BOT_NAME = "auditor"

SPIDER_MODULES = ["auditor.spiders"]
NEWSPIDER_MODULE = "auditor.spiders"

# Identify the crawler to the sites it audits, and be polite.
USER_AGENT = "auditor (+https://github.com/; site-migration audit)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 8

ADDONS: dict[str, int] = {}
FEED_EXPORT_ENCODING = "utf-8"
