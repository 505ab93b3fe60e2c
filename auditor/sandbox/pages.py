"""HTML of the estate's pages: po.co, mi.com and poco.in, each with its own chrome.

Bodies are made from a Page record once and cached by the server. Product identity is written in
the variant the page record names (JSON-LD, og:title, h1, or only the URL slug); poco.in carries its
freshness evidence in meta tags and its footer. Every crawled string is escaped.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlsplit

from auditor.sandbox.estate import REGION_NAMES, Estate, Page

TAGLINES = ("Power that lasts", "Built for speed", "Flagship, unleashed", "Everything you need", "Go beyond")


def render(page: Page, estate: Estate) -> str:
    if page.body is not None:
        return page.body
    if page.is_redirect or page.status in (204, 304):
        target = escape(page.target_of_location() or "")
        return (
            f"<html><head><title>{page.status} Moved</title></head><body><h1>Moved</h1>"
            f'<p>The document has moved <a href="{target}">here</a>.</p></body></html>\n'
        )
    if page.site == "legacy":
        return _legacy(page, estate)
    if page.site == "regional":
        return _regional(page, estate)
    return _target(page, estate)


def _links(page: Page, rel: str = "a") -> list[str]:
    return [u for r, u in page.links if r == rel]


def _anchor(url: str, text: str | None = None, relative: bool = False) -> str:
    """A link; ``relative`` writes it root-relative, as real sites write their own chrome."""
    parts = urlsplit(url)
    label = text or parts.path.strip("/").rsplit("/", 1)[-1] or parts.netloc
    href = parts.path + (f"?{parts.query}" if parts.query else "") if relative else url
    return f'<a href="{escape(href)}">{escape(label)}</a>'


# -- mi.com -----------------------------------------------------------------------------------
def _target(page: Page, estate: Estate) -> str:
    s = estate.s
    region = page.region or "global"
    site_name = f"Xiaomi {REGION_NAMES.get(region, region.upper())}"
    product = s.product(page.product) if page.product else None
    head = [
        f"<title>{escape(page.title or site_name)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ]
    body_title = escape(page.title.split(" | ")[0] if page.title else site_name)
    if page.status == 200 and not page.soft404:
        head.append(f'<link rel="canonical" href="{escape(page.url)}">')
    for rel, url in page.links:
        if rel == "canonical":
            head = [h for h in head if 'rel="canonical"' not in h]
            head.append(f'<link rel="canonical" href="{escape(url)}">')
        elif rel == "hreflang":
            lang = urlsplit(url).path.strip("/").split("/", 1)[0] or "x-default"
            head.append(f'<link rel="alternate" hreflang="en-{escape(lang)}" href="{escape(url)}">')
    main: list[str] = []
    if page.soft404 or page.kind == "error":
        main.append(
            '<div class="error-page"><h2>Sorry, the page you requested was not found.</h2>'
            f"<p>Go back to the {_anchor(estate.t(f'/{region}/'), 'home page')}.</p></div>"
        )
    elif product is not None and page.kind in ("product", "specs", "buy"):
        v = page.variant
        tagline = TAGLINES[len(product.slug) % len(TAGLINES)]
        if v in ("jsonld", "og"):
            head.append(f'<meta property="og:title" content="{escape(product.name)}">')
            head.append('<meta property="og:type" content="product">')
            head.append(f'<meta property="og:url" content="{escape(page.url)}">')
        if v == "jsonld":
            ld = {
                "@context": "https://schema.org",
                "@type": "Product",
                "name": product.name,
                "sku": f"{product.slug.upper()}-{region.upper()}",
                "brand": {"@type": "Brand", "name": "POCO"},
            }
            head.append(f'<script type="application/ld+json">{json.dumps(ld)}</script>')
        heading = {"jsonld": product.name, "h1": product.name}.get(v, tagline)
        if page.kind == "specs":
            heading += " Specs" if v in ("jsonld", "h1") else ""
        main.append(
            f'<section class="product-hero"><h1>{escape(heading)}</h1><p class="tagline">'
            f"{escape(tagline)}</p></section>"
        )
        if page.kind == "specs":
            main.append(
                '<table class="specs"><tr><th>Display</th><td>6.67" AMOLED, 120Hz</td></tr>'
                "<tr><th>Battery</th><td>5000mAh</td></tr></table>"
            )
        if page.kind == "buy":
            main.append('<div class="buy"><button>Add to cart</button></div>')
    else:
        main.append(f"<h1>{body_title}</h1>")
        if page.kind == "support":
            main.append("<p>Find answers about your device, warranty and Mi Points.</p>")
    chrome = {u for _, u in estate.chrome_links(region)}
    items = [_anchor(u) for u in _links(page) if u not in chrome]
    if items:
        main.append('<ul class="links">' + "".join(f"<li>{a}</li>" for a in items) + "</ul>")
    menu = [
        u
        for u in _links(page)
        if u in chrome and not u.endswith(f"/{region}/") and u.startswith(estate.t(""))
    ]
    labels = {"phone": "Phones", "poco": "POCO", "cart": "Cart", "login": "Sign in"}
    nav = (
        '<header class="site-header"><span class="logo">mi</span><nav>'
        + " ".join(
            _anchor(u, labels.get(u.rstrip("/").rsplit("/", 1)[-1]), relative=True)
            for u in menu
            if u.rstrip("/").rsplit("/", 1)[-1] in labels
        )
        + "</nav></header>"
    )
    crumbs = f'<nav class="breadcrumb">Home &gt; {body_title}</nav>'
    switcher = "".join(f"<li>{_anchor(u, r, relative=True)}</li>" for r, u in _switcher(page, estate))
    year = s.as_of.year
    footer = (
        f'<footer><ul class="regions">{switcher}</ul>'
        f"<p>Copyright © 2010 - {year} Xiaomi. All Rights Reserved</p></footer>"
    )
    return _doc("en", head, nav + crumbs + "<main>" + "".join(main) + "</main>" + footer)


def _switcher(page: Page, estate: Estate) -> list[tuple[str, str]]:
    homes = {estate.t(f"/{r}/"): r for r in estate.s.target_regions}
    return [(homes[u], u) for u in _links(page) if u in homes]


# -- po.co ------------------------------------------------------------------------------------
def _legacy(page: Page, estate: Estate) -> str:
    s = estate.s
    head = [f"<title>{escape(page.title)}</title>"]
    if page.refresh:
        head.append(f'<meta http-equiv="refresh" content="0; url={escape(page.refresh)}">')
    product = s.product(page.product) if page.product else None
    main = []
    if page.status >= 400:
        main.append("<h1>Page not found</h1><p>The page you are looking for does not exist.</p>")
    else:
        name = product.name if product else page.title.split(" - ")[0]
        main.append(f"<h1>{escape(name)}</h1>")
        if page.kind in ("service", "warranty"):
            main.append(f'<nav class="breadcrumb">Home &gt; Support &gt; {escape(name)}</nav>')
        if page.refresh:
            main.append(f"<p>POCO is now part of Xiaomi. Redirecting to {_anchor(page.refresh)}…</p>")
    items = [_anchor(u) for u in _links(page)]
    if items:
        main.append('<ul class="links">' + "".join(f"<li>{a}</li>" for a in items) + "</ul>")
    nav = '<header><span class="logo">POCO</span> <span class="login">Sign in with Mi Account</span></header>'

    footer = "<footer><p>Copyright © 2024 POCO. All Rights Reserved</p></footer>"
    return _doc("en", head, nav + "<main>" + "".join(main) + "</main>" + footer)


# -- poco.in ----------------------------------------------------------------------------------
def _regional(page: Page, estate: Estate) -> str:
    s = estate.s
    product = s.product(page.product) if page.product else None
    modified = page.modified or s.frozen
    head = [
        f"<title>{escape(page.title)}</title>",
        f'<meta property="article:modified_time" content="{modified.isoformat()}T10:00:00+05:30">',
    ]
    for rel, url in page.links:
        if rel == "canonical":
            head.append(f'<link rel="canonical" href="{escape(url)}">')
        elif rel == "hreflang":
            head.append(f'<link rel="alternate" hreflang="en" href="{escape(url)}">')
    main = []
    if page.status >= 400:
        main.append("<h1>Oops! Page not found</h1>")
    elif product is not None:
        if page.variant == "jsonld":
            ld = {
                "@context": "https://schema.org",
                "@type": "Product",
                "name": product.name,
                "sku": product.slug.upper(),
                "dateModified": modified.isoformat(),
            }
            head.append(f'<script type="application/ld+json">{json.dumps(ld)}</script>')
        if page.variant in ("jsonld", "og"):
            head.append(f'<meta property="og:title" content="{escape(product.name)}">')
        main.append(f"<h1>{escape(product.name)}</h1><p>Launched {escape(product.launched)}.</p>")
    else:
        main.append(f"<h1>{escape(page.title.split(' | ')[0])}</h1>")
    items = [_anchor(u) for rel, u in page.links if rel == "a"]
    if items:
        main.append('<ul class="links">' + "".join(f"<li>{a}</li>" for a in items) + "</ul>")
    footer = (
        f"<footer><p>Last updated {modified.strftime('%d %B %Y')}</p>"
        f"<p>© {modified.year} POCO India. All rights reserved.</p></footer>"
    )
    return _doc(
        "en-IN",
        head,
        '<header><span class="logo">POCO</span></header><main>' + "".join(main) + "</main>" + footer,
    )


def _doc(lang: str, head: list[str], body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        + "\n".join(head)
        + f"\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
