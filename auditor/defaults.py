"""Default values of every AUDITOR_* setting, documented in one place.

The profile (TOML) overrides the judging thresholds; Scrapy settings override the crawl ones.
Like ``scrapy/settings/default_settings.py``: read it to know what a knob does and what it starts at.
"""

#: Redirects a legacy URL may take before it is a redirect_chain (the migration promised one hop).
AUDITOR_MAX_HOPS = 1

#: Hops after which a trace gives up (redirect_broken, with the hop cap as evidence).
AUDITOR_HOP_CAP = 10

#: A regional page whose newest freshness evidence is older than this at as-of is a stale_page.
AUDITOR_STALE_AFTER_DAYS = 180

#: Status codes that make a hop a temporary redirect (redirect_temporary).
AUDITOR_TEMPORARY_STATUSES = (302, 303, 307)

#: Status codes that are redirects at all (meta refresh is a redirect hop too, recorded as status 200).
AUDITOR_REDIRECT_STATUSES = (301, 302, 303, 307, 308)

#: Statuses that say "try later", not "here is my answer": a legacy URL still answering one after its
#: retries is unavailable (redirect_broken), not a page answered instead of a redirect (not_redirected).
AUDITOR_TRY_LATER_STATUSES = (408, 425, 429)

#: Largest body the sandbox or the crawler keeps for a page, in bytes.
AUDITOR_MAX_BODY_BYTES = 10 * 1024 * 1024

#: Keep a body past DOWNLOAD_MAXSIZE as its first DOWNLOAD_MAXSIZE bytes, with its status, instead of
#: Scrapy's cancelled download (spiders/sizecap.py). False: Scrapy's own behaviour.
AUDITOR_SIZE_CAP = True
