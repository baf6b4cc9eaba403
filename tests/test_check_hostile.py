"""`check` on hostile and broken files: each ends as one clear `unreadable` finding, fast, files untouched."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

import mplan_xl
from mplan_xl.read.reader import Limits
from mplan_xl.check.validator import check

from hostile import build_corpus, plan_workbook


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    cases = build_corpus(tmp_path_factory.mktemp("hostile"))
    # A folder named *.xlsx is searched as a folder by check (the reader's own tests cover it).
    return {name: case for name, case in cases.items()
            if not case.limits and name not in ("good-baseline.xlsx", "a-folder.xlsx")}


def test_every_hostile_file_is_one_unreadable_finding_within_seconds(corpus, tmp_path):
    good = mplan_xl.demo_workbook(tmp_path / "good.xlsx", year=2027)
    paths = [case.path for case in corpus.values()] + [good]
    before = {p: digest(p) for p in paths}
    start = time.perf_counter()
    report = check(paths, lang="en", jobs=2)
    elapsed = time.perf_counter() - start
    assert elapsed < 30, elapsed
    by_path = {Path(f.path): f for f in report.files}
    for name, case in corpus.items():
        result = by_path[case.path]
        assert result.status == "unreadable", name
        assert [f.code for f in result.findings] == [case.code], name
        assert result.findings[0].message and result.findings[0].hint, name
        assert "Traceback" not in result.findings[0].message
    assert by_path[good].status == "valid"
    assert report.exit_code == 1
    assert {p: digest(p) for p in paths} == before


def test_a_file_over_the_time_limit_is_stopped_and_the_batch_goes_on(tmp_path):
    slow = plan_workbook(tmp_path / "slow.xlsx", actions=3000, budget_lines=15000)  # about a second to check
    quick = mplan_xl.demo_workbook(tmp_path / "quick.xlsx", year=2027)
    start = time.perf_counter()
    report = check([slow, quick], jobs=2, limits=Limits(timeout_s=0.3))
    assert time.perf_counter() - start < 5
    slow_report, quick_report = report.files
    assert slow_report.status == "unreadable" and [f.code for f in slow_report.findings] == ["check-timeout"]
    assert quick_report.status == "valid"
