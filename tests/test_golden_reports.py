"""``check`` finds the same as before its fast path, finding for finding, on every corpus (issue 22, point 2).

The golden reports were written by the reader and checks as they were before the speed work
(``tests/golden_reports.py --write``); each file's report now must equal them: status, template version,
language, figures and every finding (code, severity, sheet, cell, row, message, hint, parameters) in order.
"""

from __future__ import annotations

import json
import warnings

import pytest

from golden_reports import GOLDEN, build_inputs, reports


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def current(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("golden")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # openpyxl on the edited copies: extensions it does not keep
        return reports(build_inputs(folder), folder)


def test_the_corpora_are_all_there(golden, current):
    assert sorted(current) == sorted(golden)
    kinds = {name.split("/")[0] for name in golden}
    assert kinds == {"corpus", "versions", "built", "hostile-plans", "hostile", "issue8", "edited"}
    statuses = {report["fr"]["status"] for report in golden.values()}
    assert statuses == {"valid", "invalid", "unreadable"}


def test_every_report_is_unchanged_finding_for_finding(golden, current):
    differences = []
    for name in sorted(golden):
        for lang in ("fr", "en"):
            old, new = golden[name][lang], current[name][lang]
            if old == new:
                continue
            for key in sorted(set(old) | set(new)):
                if key != "findings" and old.get(key) != new.get(key):
                    differences.append(f"{name} [{lang}] {key}: {old.get(key)!r} -> {new.get(key)!r}")
            before, after = old.get("findings", []), new.get("findings", [])
            for i in range(max(len(before), len(after))):
                a = before[i] if i < len(before) else None
                b = after[i] if i < len(after) else None
                if a != b:
                    differences.append(f"{name} [{lang}] finding {i}: {a} -> {b}")
    assert not differences, "\n".join(differences[:40])
