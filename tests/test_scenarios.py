"""Scenario files are data written by people: every mistake names the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.utils import run_cli

BASE = 'extends = "default"\n[scenario]\nname = "x"\nas_of = "2026-01-01"\n'


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        (BASE + '[legacy.sold]\nuk = { from = "2021-13" }\n', 6, "legacy.sold.uk.from", "YYYY-MM"),
        (
            BASE + '[legacy.sold]\nuk = { from = "2021-03", without = ["poco-z9"] }\n',
            6,
            "legacy.sold.uk.without",
            "unknown product 'poco-z9'",
        ),
        (BASE + '[region_map]\nuk = "atlantis"\n', 6, "region_map.uk", "not in target.regions"),
        (
            BASE + '\n[[legacy_url]]\nurl = "https://www.po.co/uk/"\nbehaviour = "teleport"\n',
            8,
            "legacy_url[0].behaviour",
            "must be one of",
        ),
        (
            BASE + '\n[[legacy_url]]\nurl = "https://www.po.co/uk/"\nbehaviour = "temporary"\nstatus = 301\n',
            9,
            "legacy_url[0].status",
            "302, 303 or 307",
        ),
        (BASE + 'colour = "blue"\n', 5, "scenario.colour", "unknown key"),
        (BASE.replace('"2026-01-01"', '"yesterday"'), 4, "scenario.as_of", "YYYY-MM-DD"),
        (BASE + '[catalog]\ndrop = ["poco-z9"]\n', 6, "catalog.drop", "unknown product 'poco-z9'"),
        (
            BASE + '[[catalog.product]]\nslug = "poco-f6"\nname = "Again"\nlaunched = "2024-05"\n',
            6,
            "catalog.product[0].slug",
            "not a new product slug",
        ),
        (
            BASE + "[[page]]\nurl = 'https://www.mi.com/uk/'\nstatus = 999\n",
            7,
            "page[0].status",
            "not an HTTP status",
        ),
    ],
)
def test_bad_scenario_is_exit_2_naming_file_line_and_field(tmp_path: Path, text, line, field, words):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    code, out, err = run_cli("sandbox", "truth", str(path), "--out", str(tmp_path / "t.json"))
    assert code == 2, err
    assert out == ""
    assert not (tmp_path / "t.json").exists()  # nothing half-written
    assert f"{path}:{line}: field '{field}'" in err, err
    assert words in err


def test_toml_syntax_error_names_the_line(tmp_path: Path):
    path = tmp_path / "broken.toml"
    path.write_text('[scenario]\nname = "x"\nas_of = 2026-01-01\nphase = "after\n')
    code, _, err = run_cli("sandbox", "truth", str(path))
    assert code == 2
    assert f"{path}:4: not valid TOML" in err


def test_unknown_scenario_name_lists_the_built_in_ones():
    code, _, err = run_cli("sandbox", "truth", "atlantis")
    assert code == 2
    assert "no scenario named 'atlantis'" in err and "default" in err


def test_a_scenario_that_extends_itself(tmp_path: Path):
    path = tmp_path / "self.toml"
    path.write_text('extends = "./self.toml"\n')
    code, _, err = run_cli("sandbox", "truth", str(path))
    assert code == 2 and "extends itself" in err
