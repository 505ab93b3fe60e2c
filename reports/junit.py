"""``junit.xml``: audit failures as test failures, so Jenkins and GitLab show them like tests.

One ``<testsuite>`` per finding type; one ``<testcase>`` per subject its rule checked (a legacy URL,
a page, a link target, a legacy product page); a finding is that test case's ``<failure>`` (message,
type, and the hop chain and evidence as text). Written as a stream: the file can be large, memory
stays flat.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import XMLGenerator, quoteattr
from xml.sax.xmlreader import AttributesImpl

from auditor.vocabulary import FindingType

from .spreadsheet import hop_chain

#: Characters XML 1.0 cannot carry (crawled text may hold them): dropped.
_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _start(xml: XMLGenerator, name: str, attrs: dict[str, str]) -> None:
    xml.startElement(name, AttributesImpl(attrs))


def _x(text: str) -> str:
    return _INVALID_XML.sub("", text)


def write_junit(document: dict[str, Any], subjects: Mapping[str, Sequence[str]], path: Path) -> None:
    by_type: dict[str, dict[str, dict[str, Any]]] = {t.value: {} for t in FindingType}
    for f in document["findings"]:
        by_type[f["type"]][f["url"]] = f
    suites = []
    for kind, failures in by_type.items():
        cases = list(dict.fromkeys([*subjects.get(kind, ()), *failures]))  # every finding is a case
        suites.append((kind, cases, failures))
    total = sum(len(c) for _k, c, _f in suites)
    failed = sum(len(f) for _k, _c, f in suites)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8") as out:
        xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        xml.startDocument()
        run = document["run"]
        _start(
            xml,
            "testsuites",
            {
                "name": f"auditor {run['profile']} {run['as_of']}",
                "tests": str(total),
                "failures": str(failed),
            },
        )
        for kind, cases, failures in suites:
            _start(
                xml,
                "testsuite",
                {
                    "name": kind,
                    "tests": str(len(cases)),
                    "failures": str(len(failures)),
                    "errors": "0",
                    "skipped": "0",
                    "timestamp": run["finished"],
                },
            )
            xml.ignorableWhitespace("\n")  # the start tag is written out: passing cases go straight in
            for url in cases:
                finding = failures.get(url)
                if finding is None:  # most cases pass: one line each, without the SAX machinery
                    out.write(f'<testcase classname="auditor.{kind}" name={quoteattr(_x(url))} time="0"/>\n')
                    continue
                _start(xml, "testcase", {"classname": f"auditor.{kind}", "name": _x(url), "time": "0"})
                _start(
                    xml,
                    "failure",
                    {"message": _x(finding["message"]), "type": f"{kind}:{finding['severity']}"},
                )
                details = [f"id: {finding['id']}", f"region: {finding['region']}"]
                details += [f"product: {finding['product']}"]
                if finding["hops"]:
                    details.append(f"hops: {hop_chain(finding['hops'])}")
                details.append("evidence: " + json.dumps(finding["evidence"], ensure_ascii=False))
                xml.characters(_x("\n".join(details)))
                xml.endElement("failure")
                xml.endElement("testcase")
            xml.endElement("testsuite")
        xml.endElement("testsuites")
        xml.endDocument()
    tmp.replace(path)
