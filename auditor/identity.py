"""Product identity: which product a URL stands for, joined across the legacy, target and regional sites.

A product's key is its target slug (``poco-x6-pro``). A slug seen anywhere resolves to a key, in this
order:

1. the profile's ``[products.aliases]`` (a person said so);
2. the slug of a live target product page (same slug, same product);
3. a live target product page whose *name* (JSON-LD, og:title, or an h1 that is a name) normalises to
   the slug: ``/product/poco-x6-pro/`` naming "POCO X6 Pro 5G" is the legacy ``poco-x6-pro-5g``;
4. the slug itself (a product the target does not have).

Normalisation folds case, accents, punctuation and hyphens ("POCO Pad Wi-Fi" is ``poco-pad-wifi``)
and nothing more, never fuzzy: "POCO M4 Pro" and "POCO M4 Pro 5G" stay two products.
Pure Python over page facts; no Scrapy, no networkx.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: Page kinds whose slug names the product they describe.
PRODUCT_KINDS = ("product", "specs", "buy")

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """ "POCO X6 Pro 5G" -> "poco-x6-pro-5g" (accents folded, anything else a hyphen)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return _NON_ALNUM.sub("-", folded).strip("-")


def compact(slug: str) -> str:
    """The form two spellings of one slug share: "poco-pad-wi-fi" and "poco-pad-wifi" -> "pocopadwifi"."""
    return slug.replace("-", "")


def pretty(slug: str) -> str:
    """A display name when no page names the product: "poco-x6-pro-5g" -> "POCO X6 Pro 5G"."""
    words = []
    for w in slug.split("-"):
        words.append(w.upper() if w == "poco" or len(w) <= 2 or any(c.isdigit() for c in w) else w.title())
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Named:
    """What one page says about its product: its site role, slug, kind, status and the names it prints."""

    role: str
    slug: str
    kind: str
    live: bool  # 200, not a soft-404
    names: tuple[str, ...]  # ld_name, og_title, then h1, as printed


@dataclass
class ProductIndex:
    aliases: Mapping[str, str] = field(default_factory=dict)
    target_slugs: set[str] = field(default_factory=set)
    by_compact: dict[str, str] = field(default_factory=dict)  # compact target slug -> target slug
    by_name: dict[str, str] = field(default_factory=dict)  # compact name -> target slug
    names: dict[str, str] = field(default_factory=dict)  # key -> display name

    @classmethod
    def build(cls, pages: Iterable[Named], aliases: Mapping[str, str] | None = None) -> ProductIndex:
        index = cls(aliases=dict(aliases or {}))
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        name_votes: dict[str, Counter[str]] = defaultdict(Counter)
        for p in pages:
            if p.kind not in PRODUCT_KINDS:
                continue
            if p.role == "target" and p.live and p.kind == "product":
                index.target_slugs.add(p.slug)
                for n in p.names:
                    if n and compact(slugify(n)) != compact(p.slug):
                        name_votes[compact(slugify(n))][p.slug] += 1
            for n in p.names[:2] if p.kind == "product" else ():
                if n:
                    votes[p.slug][n.strip()] += 1
            if (
                p.kind == "product"
                and len(p.names) > 2
                and p.names[2]
                and compact(slugify(p.names[2])) == compact(p.slug)
            ):
                votes[p.slug][p.names[2].strip()] += 1  # an h1 counts as a name when it is the slug's
        for slug in sorted(index.target_slugs):
            index.by_compact.setdefault(compact(slug), slug)
        for name, slugs in name_votes.items():
            index.by_name[name] = sorted(slugs.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for slug, counter in votes.items():
            key = index.key(slug)
            best = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            if key not in index.names or slug == key:
                index.names[key] = best
        return index

    def key(self, slug: str) -> str:
        """The product key a slug stands for."""
        if slug in self.aliases:
            return self.aliases[slug]
        if slug in self.target_slugs:
            return slug
        c = compact(slug)
        return self.by_compact.get(c) or self.by_name.get(c, slug)

    def how(self, slug: str) -> str:
        """How a slug was joined to its key: alias | slug | name | unknown (kept as its own key)."""
        if slug in self.aliases:
            return "alias"
        if slug in self.target_slugs or compact(slug) in self.by_compact:
            return "slug"
        return "name" if compact(slug) in self.by_name else "unknown"

    def name(self, key: str) -> str:
        return self.names.get(key) or pretty(key)
