"""The sandbox commands, in-process and as a real child process."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from auditor.sandbox import SandboxProcess
from tests.utils import fetch, follow, run_cli


def test_truth_json_and_summary():
    code, out, _ = run_cli("sandbox", "truth", "default")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "auditor.findings/1"
    code, out, _ = run_cli("sandbox", "truth", "default", "--format", "summary")
    assert code == 0 and "missing_product" in out and "ru       -> global" in out


def test_inventory_and_redirect_map(tmp_path: Path):
    code, out, _ = run_cli("sandbox", "inventory", "default")
    urls = out.split()
    assert code == 0 and len(urls) == len(set(urls)) > 500
    assert "http://po.co/uk/product/poco-f5/" in urls
    target = tmp_path / "map.csv"
    assert run_cli("sandbox", "redirect-map", "default", "--out", str(target))[0] == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert {"old_url", "new_url"} == set(rows[0])
    mapped = {r["old_url"]: r["new_url"] for r in rows}
    assert mapped["https://www.po.co/de/service/warranty/"] == "https://www.mi.com/de/support/"


def test_unwritable_out_is_exit_2(tmp_path: Path):
    code, _, err = run_cli("sandbox", "truth", "--out", str(tmp_path / "missing-dir" / "t.json"))
    assert code == 2 and "field '--out'" in err


def test_bad_flag_is_exit_2():
    code, _, err = run_cli("sandbox", "serve", "--scale", "many")
    assert code == 2 and "--scale" in err


def test_list():
    code, out, _ = run_cli("sandbox", "list")
    assert code == 0 and "night-2-mid" in out


def test_serve_in_a_child_process():
    with SandboxProcess("night-1-before") as sb:
        assert fetch(sb, "https://www.po.co/uk/").status == 200  # before the migration po.co is live
        assert [h[1] for h in follow(sb, "http://po.co/uk/")] == [301, 301, 200]
        assert sb.resolve_map()["https://shop.po.co"].endswith(f":{sb.ports['refused']}")


def test_output_into_a_closed_pipe_is_quiet():
    import subprocess
    import sys

    # `list` writes line by line while it loads each scenario: the later lines meet a closed pipe
    command = f"{sys.executable} -m auditor sandbox list | head -1"
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, check=False)
    assert proc.stdout.startswith("default ")
    assert "Traceback" not in proc.stderr
