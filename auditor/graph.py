"""The product/URL graph, built from the crawl store alone (no Scrapy, no network).

A networkx ``MultiDiGraph`` whose nodes are

- URLs (``https://www.mi.com/uk/product/poco-f6/``): what the profile says the URL is (site, role,
  kind, region, slug) and, when a trace ended on it, the page's facts (status, soft-404 verdict,
  names, freshness); a traced URL also carries its traces (``{purpose: {"end", "hops"}}``);
- products (``product:poco-x6-pro``): key, display name, the slugs that stand for it (``slugs``) and
  those other than the key (``aliases``: a renamed legacy slug, a profile alias);
- regions (``region:target/uk``) and sites (``site:target``);

and whose edges, keyed by their type, are ``redirects_to`` (status, hop index, via), ``describes``
(page -> product, with how the identity was established), ``in_region`` (URL -> region) and
``part_of`` (region -> site). The pages' links (``links_to``, ``canonical``, ``hreflang``) are not
networkx edges: there are fifty per page, so they stay in SQLite (:class:`auditor.links.LinkTable`,
the crawl store's own table) and the rules join on them there; the exports stream them as edges.

The rules (``auditor/rules``) read it through :class:`AuditGraph`'s accessors; tests build tiny graphs
with the same ``add_*`` calls :func:`build` makes from a store.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import networkx as nx

from auditor.identity import PRODUCT_KINDS, Named, ProductIndex
from auditor.links import LinkTable
from auditor.profile import Profile
from auditor.store import CrawlStore
from auditor.urls import canonical

LINK_RELS = {"a": "links_to", "canonical": "canonical", "hreflang": "hreflang"}

#: Page facts copied from the store onto URL nodes.
PAGE_FACTS = (
    "status",
    "content_type",
    "title",
    "h1",
    "ld_name",
    "og_title",
    "canonical",
    "meta_robots",
    "freshness",
    "newest",
    "newest_source",
    "soft404",
    "soft404_reason",
    "crawled",
    "depth",
)


#: Page facts with few distinct values across a crawl: one string object each, shared by every page.
_FEW_VALUES = frozenset({"content_type", "newest", "newest_source", "soft404_reason", "meta_robots"})


#: A trace that is one answer from its own URL (most page and link checks) is kept on its node as a
#: shared (purpose, status) pair instead of three dicts and a list: ~600 B a page at a million pages.
_PLAIN_HOP = frozenset({"url", "status", "location"})
_PLAIN: dict[tuple[str, int | None], tuple[str, int | None]] = {}


class AuditGraph:
    """The graph and what the rules need beside it: the profile, the as-of date, the redirect map."""

    def __init__(self, profile: Profile, as_of: dt.date) -> None:
        self.g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        self.profile = profile
        self.as_of = as_of
        self.products = ProductIndex(aliases=profile.product_aliases)
        self.redirect_map: dict[str, str] = {}  # canonical old URL -> new URL as listed
        self.inventory: list[str] = []  # legacy URLs as listed
        self.memo: dict[str, Any] = {}  # what readers derive once from the finished graph
        self.links = LinkTable()  # a page's links, in SQLite (build() points it at the crawl store)

    # -- building ------------------------------------------------------------------------------
    def url(self, url: str) -> dict[str, Any]:
        """The node of a URL (added, classified by the profile, if new)."""
        if url not in self.g:
            info = self.profile.classify(url)
            url = sys.intern(url)  # one copy of each URL, however many hops and traces name it
            self.g.add_node(
                url, type="url", site=info.site, role=info.role, kind=info.kind, region=info.region,
                slug=info.slug,
            )  # fmt: skip
        attrs: dict[str, Any] = self.g.nodes[url]
        return attrs

    def add_inventory(self, url: str, source: str = "") -> None:
        node = self.url(url)
        if not node.get("inventory"):
            node["inventory"] = source or True
            self.inventory.append(url)

    def add_map_row(self, old: str, new: str | None) -> None:
        if new:
            self.redirect_map[canonical(old)] = new

    def add_page(self, url: str, **facts: Any) -> None:
        node = self.url(url)
        for key in PAGE_FACTS:  # only the facts a page has: a million pages, two dozen keys each
            value = facts.get(key)
            if value is None or value == []:
                continue
            node[key] = sys.intern(value) if key in _FEW_VALUES and isinstance(value, str) else value
        node["page"] = True
        node.setdefault("soft404", None)
        node.setdefault("crawled", 0)

    def add_probe(self, url: str) -> None:
        """A URL the crawler made up to fingerprint a section's not-found page: never a product."""
        self.url(url)["probe"] = True

    def add_trace(self, start: str, purpose: str, end: str, hops: list[dict[str, Any]]) -> None:
        """One traced path: its hops (url, status, location, and retries/error/via when they apply)."""
        hops = [{k: _interned(k, v) for k, v in h.items() if k != "elapsed"} for h in hops]
        node = self.url(start)
        hop = hops[0] if len(hops) == 1 else {}
        if end == "page" and hop.get("url") == start and hop.keys() == _PLAIN_HOP and hop["location"] is None:
            pair = _PLAIN.setdefault((purpose, hop["status"]), (purpose, hop["status"]))
            node["plain"] = (*node.get("plain", ()), pair)  # one plain answer: a shared pair
            return
        node.setdefault("traces", {})[purpose] = {"end": end, "hops": hops}
        for i, hop in enumerate(hops):
            self.url(hop["url"])
            if hop.get("location"):
                self.url(hop["location"])
                self.g.add_edge(
                    hop["url"], hop["location"], key="redirects_to", status=hop.get("status"), hop=i,
                    via=hop.get("via", "http"),
                )  # fmt: skip

    def add_link(self, src: str, rel: str, dst: str, text: str | None = None) -> None:
        """A link from a page (kept in the link table, not as a networkx edge)."""
        self.url(src)
        self.links.add(src, rel, dst, text)

    def finish(self) -> AuditGraph:
        """Join product identities (needs every page first) and add product, region and site nodes."""
        self.memo.clear()
        named = []
        for url, a in self.url_nodes():
            if a.get("page") and a.get("slug") and a.get("role") and not a.get("probe"):
                names = (a.get("ld_name") or "", a.get("og_title") or "", a.get("h1") or "")
                named.append(Named(a["role"], a["slug"], a["kind"], self.live(url), names))
        self.products = ProductIndex.build(named, self.profile.product_aliases)
        for _url, a in list(self.url_nodes()):  # adds product and region nodes as it goes
            if a.get("slug") and a.get("kind") in PRODUCT_KINDS and not a.get("probe"):
                key = self.products.key(a["slug"])
                a["product"] = key
                pnode = f"product:{key}"
                if pnode not in self.g:
                    self.g.add_node(
                        pnode, type="product", key=key, name=self.products.name(key), slugs=[], aliases=[]
                    )
                node = self.g.nodes[pnode]
                if a["slug"] not in node["slugs"]:
                    node["slugs"] = sorted([*node["slugs"], a["slug"]])
                    node["aliases"] = [s for s in node["slugs"] if s != key]
            if a.get("region") and a.get("site"):
                rnode = f"region:{a['site']}/{a['region']}"
                if rnode not in self.g:
                    self.g.add_node(rnode, type="region", site=a["site"], region=a["region"])
                    snode = f"site:{a['site']}"
                    self.g.add_node(snode, type="site", role=a["role"])
                    self.g.add_edge(rnode, snode, key="part_of")
        return self

    def exported(self, n: str) -> dict[str, Any]:
        """A node's attributes as the exports write them: a URL's traces all written out."""
        a: dict[str, Any] = self.g.nodes[n]
        if a.get("type") != "url":
            return a
        out = {k: v for k, v in a.items() if k != "plain"}
        out["traces"] = self.traces(n)
        return out

    def edges(self, links: bool = False) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """(source, target, key, attributes) of every edge: those networkx holds (redirects_to,
        part_of); ``describes`` and ``in_region``, derived from the URL nodes' own attributes (two per
        page: a million pages would spend ~1 GB holding them as edges); and, with ``links``, every link
        from the table."""
        for u, v, k, a in self.g.edges(keys=True, data=True):
            yield u, v, k, a
        for url, a in self.url_nodes():
            if a.get("page") and a.get("product") and not a.get("probe"):
                yield url, f"product:{a['product']}", "describes", {"by": self.products.how(a["slug"])}
            if a.get("region") and a.get("site"):
                yield url, f"region:{a['site']}/{a['region']}", "in_region", {}
        if links:
            for src, rel, dst, text in self.links.all():
                yield src, dst, LINK_RELS.get(rel, "links_to"), {"text": text}

    # -- reading (what the rules use) ----------------------------------------------------------
    def url_nodes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for n, a in self.g.nodes(data=True):
            if a.get("type") == "url":
                yield n, a

    def node(self, url: str) -> dict[str, Any]:
        attrs: dict[str, Any] = self.g.nodes[url] if url in self.g else {}
        return attrs

    def live(self, url: str) -> bool:
        """A page that answered 200 and is not a soft-404."""
        a = self.node(url)
        return bool(a.get("page")) and a.get("status") == 200 and not a.get("soft404")

    def trace(self, url: str, purposes: tuple[str, ...]) -> dict[str, Any] | None:
        """The first of ``purposes`` a trace from ``url`` was made for."""
        a = self.node(url)
        traces = a.get("traces") or {}
        for purpose in purposes:
            if purpose in traces:
                t: dict[str, Any] = traces[purpose]
                return t
            for p, status in a.get("plain", ()):
                if p == purpose:
                    return _plain_trace(url, status)
        return None

    def traces(self, url: str) -> dict[str, dict[str, Any]]:
        """Every trace made from ``url``, by purpose (the plain ones written out in full)."""
        a = self.node(url)
        out = dict(a.get("traces") or {})
        for purpose, status in a.get("plain", ()):
            out[purpose] = _plain_trace(url, status)
        return out

    def followed_pages(self, roles: tuple[str, ...] = ("target", "regional")) -> Iterator[tuple[str, dict]]:
        """Pages of these roles the site crawl reached and followed (their links are recorded)."""
        for url, a in self.url_nodes():
            if a.get("crawled") and a.get("role") in roles and a.get("status") == 200:
                yield url, a

    def links_from(self, url: str) -> Iterator[tuple[str, str, str | None]]:
        """(rel, target, anchor text) of a page's a / canonical / hreflang links."""
        yield from self.links.from_(url)

    def product_name(self, key: str | None) -> str | None:
        return None if key is None else self.products.name(key)


def _plain_trace(url: str, status: int | None) -> dict[str, Any]:
    """A plain (purpose, status) pair written out as the trace it stands for."""
    return {"end": "page", "hops": [{"url": url, "status": status, "location": None}]}


def _interned(key: str, value: Any) -> Any:
    return sys.intern(value) if key in ("url", "location") and isinstance(value, str) else value


def build(store: CrawlStore, profile: Profile) -> AuditGraph:
    """The graph of one run's crawl store."""
    as_of = dt.date.fromisoformat(store.meta("as_of") or dt.date.today().isoformat())
    graph = AuditGraph(profile, as_of)
    for _canonical, url, source, _line in store.inventory():
        graph.add_inventory(url, source)
    for old, new, _line in store.redirect_map():
        graph.add_map_row(old, new)
    for url in store.probes().values():
        graph.add_probe(url)
    for page in store.pages(columns=PAGE_FACTS):
        graph.add_page(page.pop("url"), **page)
    for start, purpose, end, hops in store.trace_dicts():
        if purpose != "probe":
            graph.add_trace(start, purpose, end, hops)
    graph.links = LinkTable(store.path)
    return graph.finish()


# -- export ------------------------------------------------------------------------------------
def write_node_link(graph: AuditGraph, path: Path, links: bool = True) -> None:
    """``graph.json``: networkx node-link JSON (``nx.node_link_graph(json.load(f), edges="edges")``
    reads it back), written as it is read: links stream from the table, never all in memory."""
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8") as f:
        f.write('{"directed": true, "multigraph": true, "graph": {}, "nodes": [')
        for i, n in enumerate(graph.g.nodes):
            node = {**graph.exported(n), "id": n}
            f.write(("," if i else "") + json.dumps(node, ensure_ascii=False, default=str))
        f.write('], "edges": [')
        for i, (u, v, k, a) in enumerate(graph.edges(links)):
            edge = {**a, "source": u, "target": v, "key": k}
            f.write(("," if i else "") + json.dumps(edge, ensure_ascii=False, default=str))
        f.write("]}\n")
    tmp.replace(path)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def _xml(value: Any) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return escape(_XML_INVALID.sub("", text), {'"': "&quot;"})


def write_graphml(graph: AuditGraph, path: Path, links: bool = True) -> None:
    """``graph.graphml`` for Gephi and friends, streamed like graph.json. GraphML takes scalars only, so
    lists and dicts are JSON strings and missing values are left out."""
    node_keys: dict[str, str] = {}
    for n in graph.g.nodes:
        for k, v in _scalars(graph.exported(n)).items():
            t = _GRAPHML_TYPES[type(v)]
            node_keys[k] = t if node_keys.get(k, t) == t else "string"
    edge_keys: dict[str, str] = {"type": "string", "text": "string", "by": "string"}
    for _u, _v, _k, a in graph.g.edges(keys=True, data=True):
        for k, v in _scalars(a).items():
            t = _GRAPHML_TYPES[type(v)]
            edge_keys[k] = t if edge_keys.get(k, t) == t else "string"
    ids = {("node", k): f"n{i}" for i, k in enumerate(node_keys)}
    ids |= {("edge", k): f"e{i}" for i, k in enumerate(edge_keys)}
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(
            '<?xml version="1.0" encoding="utf-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        )
        for (kind, name), key_id in ids.items():
            t = (node_keys if kind == "node" else edge_keys)[name]
            f.write(f'<key id="{key_id}" for="{kind}" attr.name="{_xml(name)}" attr.type="{t}"/>\n')
        f.write('<graph edgedefault="directed">\n')
        for n in graph.g.nodes:
            attrs = _scalars(graph.exported(n))
            data = "".join(f'<data key="{ids["node", k]}">{_xml(v)}</data>' for k, v in attrs.items())
            f.write(f'<node id="{_xml(n)}">{data}</node>\n')
        for u, v, k, a in graph.edges(links):
            attrs = {"type": k, **_scalars(a)}
            data = "".join(f'<data key="{ids["edge", name]}">{_xml(x)}</data>' for name, x in attrs.items())
            f.write(f'<edge source="{_xml(u)}" target="{_xml(v)}" id="{_xml(k)}">{data}</edge>\n')
        f.write("</graph>\n</graphml>\n")
    tmp.replace(path)


def _scalars(attrs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if v is None or v == {} or v == []:
            continue
        out[k] = json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict, tuple)) else v
    return out
