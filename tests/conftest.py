from __future__ import annotations

from collections.abc import Iterator

import pytest

from auditor.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The default scenario's estate on free loopback ports, for the whole session."""
    with Sandbox("default") as sb:
        yield sb


@pytest.fixture(scope="session")
def truth(sandbox: Sandbox) -> dict:
    return sandbox.truth().document()
