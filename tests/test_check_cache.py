"""The result cache of ``check`` (issue 22): a controller re-running ``check`` on the shared folder gets the same
report, at once, and a file changed since is read again.

The cache of every test is a folder of the test session (``conftest._own_result_cache``), never the user's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import mplan_xl
from mplan_xl.check import cache as cache_module
from mplan_xl.check.cache import CACHE_ENV, ResultCache, code_fingerprint
from mplan_xl.check.validator import check

SRC = Path(mplan_xl.__file__).resolve().parent.parent


def cli(*args: str, cache: Path | None, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""), **(extra_env or {}))
    if cache is not None:
        env[CACHE_ENV] = str(cache)
    return subprocess.run([sys.executable, "-m", "mplan_xl.cli", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("v*/*/*.json"))


@pytest.fixture(scope="module")
def team_folder(tmp_path_factory) -> Path:
    """One shared folder holding every golden input: real-world, version, built, hostile, crafted and edited plans."""
    from golden_reports import build_inputs

    work = tmp_path_factory.mktemp("inputs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        files = build_inputs(work)
    folder = tmp_path_factory.mktemp("team")
    for name, path in files.items():
        target = folder / (name.replace("/", "__") + path.suffix)
        if path.is_symlink():
            target.symlink_to(path.resolve())     # a broken link stays broken
        elif path.is_file():
            shutil.copyfile(path, target)
    return folder


def test_cold_and_warm_reports_are_the_same_on_every_corpus(team_folder, tmp_path):
    cache = tmp_path / "cache"
    reports = {}
    for run, options in (("plain", ["--no-cache"]), ("cold", []), ("warm", [])):
        out = tmp_path / f"{run}.json"
        done = cli("check", str(team_folder), "--jobs", "2", "-o", str(out), *options, cache=cache)
        assert done.returncode == 1, done.stderr          # the corpora hold invalid and unreadable files
        assert "Traceback" not in done.stderr
        reports[run] = json.loads(out.read_text(encoding="utf-8"))
        if run == "plain":
            assert not cache.exists()                      # --no-cache writes nothing
    assert reports["cold"] == reports["plain"]
    assert reports["warm"] == reports["plain"]
    statuses = {f["status"] for f in reports["warm"]["files"]}
    assert {"valid", "invalid", "unreadable"} <= statuses
    assert len(entries(cache)) > 100                       # the readable, checked files are stored
    assert not list(team_folder.rglob("*.json"))           # nothing written in the team's folder
    text = [cli("check", str(team_folder), "--jobs", "2", *flag, "--lang", "en", cache=cache).stdout
            for flag in ([], ["--no-cache"])]
    assert text[0] == text[1]


def _tamper(cache: Path, marker: str) -> None:
    """Every stored report's findings replaced by one whose message is *marker*: a report served from the cache
    shows it."""
    for entry in entries(cache):
        data = json.loads(entry.read_text(encoding="utf-8"))
        data["findings"] = [["stale", "warning", None, None, None, marker, None, {}, False]]
        entry.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture()
def three_plans(built, tmp_path) -> Path:
    folder = tmp_path / "returned"
    folder.mkdir()
    for i in range(3):
        shutil.copyfile(built["demo-fr"], folder / f"plan-{i}.xlsx")
    return folder


def test_a_file_changed_by_one_byte_is_checked_again(three_plans, tmp_path):
    cache = tmp_path / "cache"
    first = cli("check", str(three_plans), "--format", "json", cache=cache)
    _tamper(cache, "FROM THE CACHE")
    served = json.loads(cli("check", str(three_plans), "--format", "json", cache=cache).stdout)
    assert all("FROM THE CACHE" in json.dumps(f) for f in served["files"])   # unchanged files: not read again
    changed = three_plans / "plan-1.xlsx"
    data = bytearray(changed.read_bytes())
    data[-1] ^= 1                                   # one byte: the zip comment's length
    changed.write_bytes(bytes(data))
    again = json.loads(cli("check", str(three_plans), "--format", "json", cache=cache).stdout)
    fresh = json.loads(cli("check", str(three_plans), "--format", "json", "--no-cache", cache=cache).stdout)
    assert again["files"][1] == fresh["files"][1]
    assert "FROM THE CACHE" not in json.dumps(again["files"][1])
    assert "FROM THE CACHE" in json.dumps(again["files"][0])
    assert json.loads(first.stdout)["files"][0]["findings"] != again["files"][0]["findings"]


def test_other_code_or_options_never_get_a_stored_report(three_plans, tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    cache, warning, _ = ResultCache.open({"lang": "fr"})
    assert warning is None and cache is not None
    plain = check([three_plans], jobs=1, cache=cache).to_json()
    _tamper(tmp_path / "cache", "STALE")
    assert "STALE" in check([three_plans], jobs=1, cache=cache).to_json()
    assert "STALE" not in check([three_plans], jobs=1, lang="en", cache=ResultCache.open({"lang": "en"})[0]).to_json()
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another mplan-xl")
    other, _, _ = ResultCache.open({"lang": "fr"})
    assert check([three_plans], jobs=1, cache=other).to_json() == plain


def test_the_code_fingerprint_follows_every_source_file(tmp_path):
    package = tmp_path / "mplan_xl"
    shutil.copytree(SRC / "mplan_xl" / "check", package / "check")
    before = code_fingerprint(package)
    source = package / "check" / "checks.py"
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 1_000_000))
    assert code_fingerprint(package) != before       # an edited source (editable install): other results
    assert code_fingerprint(package) == code_fingerprint(package)


def test_an_unwritable_cache_is_a_warning_and_the_same_report(three_plans, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = cli("check", str(three_plans), "--format", "json", cache=blocker / "cache")
    plain = cli("check", str(three_plans), "--format", "json", "--no-cache", cache=None)
    assert done.returncode == plain.returncode == 0
    assert json.loads(done.stdout) == json.loads(plain.stdout)
    assert "cache" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_cache_inside_the_checked_folder_is_not_used(three_plans):
    inside = three_plans / "cache"
    done = cli("check", str(three_plans), "--format", "json", "--lang", "en", cache=inside)
    assert done.returncode == 0, done.stderr
    assert not inside.exists()
    assert [Path(f["path"]).name for f in json.loads(done.stdout)["files"]] == [f"plan-{i}.xlsx" for i in range(3)]
    assert "result cache not used" in done.stderr


def test_the_cache_keeps_at_most_its_bound(three_plans, tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    cache, _, _ = ResultCache.open({"lang": "fr"})
    assert cache is not None
    check([three_plans], jobs=1, cache=cache)
    assert len(entries(tmp_path / "cache")) == 3
    assert cache.prune(keep=2) == 2                   # down to 80 % of the bound, least recently used first
    assert len(entries(tmp_path / "cache")) == 1


_WARM = """
import sys
from mplan_xl.cli import main
try:
    main(["check", sys.argv[1], "--format", "json"])
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""


def test_a_warm_run_starts_no_worker_and_loads_no_check(three_plans, tmp_path):
    """When every file is cached, nothing is read: no worker pool, no reader of plans, no rule is even loaded."""
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               **{CACHE_ENV: str(tmp_path / "cache")})
    runs = [subprocess.run([sys.executable, "-c", _WARM, str(three_plans)], env=env, capture_output=True, text=True,
                           check=True, timeout=300) for _ in range(2)]
    cold, warm = (set(run.stdout.splitlines()[-1].split()) for run in runs)
    heavy = {"mplan_xl.check.checks", "mplan_xl.read.plan_reader", "pebble", "multiprocessing"}
    assert heavy <= cold
    assert warm.isdisjoint(heavy), sorted(warm & heavy)
    assert runs[0].stdout.splitlines()[:-1] == runs[1].stdout.splitlines()[:-1]


def test_a_damaged_cache_entry_is_checked_again_and_replaced(three_plans, tmp_path):
    cache = tmp_path / "cache"
    plain = cli("check", str(three_plans), "--format", "json", cache=cache).stdout
    for i, entry in enumerate(entries(cache)):
        entry.write_bytes([b"", b"{not json", b'{"findings": 3}'][i % 3])
    again = cli("check", str(three_plans), "--format", "json", cache=cache)
    assert again.returncode == 0 and again.stdout == plain and "Traceback" not in again.stderr
    assert all(json.loads(entry.read_bytes())["status"] == "valid" for entry in entries(cache))
