from __future__ import annotations

from collections.abc import Iterator

import pytest

from auditor.sandbox import Sandbox
from auditor.store import CrawlStore
from tests.crawling import Run, crawl


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The default scenario's estate on free loopback ports, for the whole session."""
    with Sandbox("default") as sb:
        yield sb


@pytest.fixture(scope="session")
def truth(sandbox: Sandbox) -> dict:
    return sandbox.truth().document()


@pytest.fixture(scope="session")
def default_run(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One full `auditor run` of the default scenario, shared by the tests that read its store."""
    sandbox.reset()
    run = crawl(sandbox, tmp_path_factory.mktemp("default") / "run")
    assert run.returncode == 0, run.stderr[-3000:]
    return run


@pytest.fixture(scope="session")
def store(default_run: Run) -> Iterator[CrawlStore]:
    with CrawlStore(default_run.store_path, readonly=True) as s:
        yield s
