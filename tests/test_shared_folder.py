"""A shared folder is a normal folder: every command that scans one, on a real folder holding what they hold.

The folder is built the way a team's shared folder fills up: the plans, their
OneDrive / SharePoint conflict copies, the lock files Excel and LibreOffice
leave while a plan is open, the operating system's files, and every output
mplan-xl itself writes there (check reports in every format, the portfolio and
its database, a differences workbook, annotated copies, the temporary file of
an output being written), and a named pipe. Every command runs in a real
process (no traceback, exit codes as documented, each file with its status and
reason); inputs, outputs and paths hold to one rule for every command.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

import mplan_xl
from mplan_xl.read import inputs, outputs
from mplan_xl.portfolio.consolidate import read_table
from mplan_xl.read.reader import UnreadableWorkbook, read_workbook

SRC = Path(__file__).resolve().parents[1] / "src"
YEAR = 2027


def cli(*args, cwd=None, timeout=180) -> subprocess.CompletedProcess:
    """The command line in its own process, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "MPLAN_LANG": "fr", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "mplan_xl.cli", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=timeout)


def clean(result: subprocess.CompletedProcess) -> None:
    """Nothing a user should never see: no traceback, no internal error."""
    for text in (result.stdout, result.stderr):
        assert "Traceback" not in text and "erreur interne" not in text and "internal error" not in text, text


#: What each entry of the shared folder is: status, and the rule code or the skip reason expected.
EXPECTED = {
    "plan.xlsx": ("valid", None),
    "plan-PC-Jean.xlsx": ("invalid", "likely-duplicate"),          # OneDrive conflict copy, edited since
    "plan (1).xlsx": ("valid", "likely-duplicate"),                 # a second download of the same plan
    ".~lock.plan.xlsx#": ("skipped", "libreoffice-lock"),
    "~$plan.xlsx": ("skipped", "excel-lock"),
    "Thumbs.db": ("skipped", "system"),
    "desktop.ini": ("skipped", "system"),
    ".DS_Store": ("skipped", "system"),
    "rapport.json": ("skipped", "report"),
    "rapport.xlsx": ("skipped", "report"),
    "rapport.xml": ("skipped", "report"),
    "portefeuille.xlsx": ("skipped", "portfolio"),
    "plans.duckdb": ("skipped", "database"),
    "ecarts.xlsx": ("skipped", "diff"),
    "ecarts.json": ("skipped", "diff"),
    "corrections/plan-PC-Jean.xlsx": ("skipped", "annotated"),
    ".plan.xlsx.k3j9x0qa.part": ("skipped", "temporary"),
    "tube": ("unreadable", "file-missing"),
}


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """A team's shared folder after a week of use (see EXPECTED)."""
    root = tmp_path_factory.mktemp("partage")
    share = root / "partage"
    share.mkdir()
    plan = mplan_xl.demo_workbook(share / "plan.xlsx", lang="fr", year=YEAR)
    mplan_xl.demo_workbook(share / "plan-PC-Jean.xlsx", lang="fr", year=YEAR, with_errors=True)
    shutil.copyfile(plan, share / "plan (1).xlsx")
    (share / ".~lock.plan.xlsx#").write_text("Jean Martin,PC-JEAN/jean,PC-JEAN,07.12.2026 10:02,"
                                             "file:///home/jean/.config/libreoffice/4;", encoding="utf-8")
    (share / "~$plan.xlsx").write_bytes(b"\x0bJean Martin" + b"\x20" * 43 + b"\x0b\x00J\x00e\x00a\x00n" + b"\x00" * 100)
    (share / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    (share / "desktop.ini").write_text("[.ShellClassInfo]\r\nIconResource=C:\\x.dll,0\r\n", encoding="utf-8")
    (share / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + b"\x00" * 100)
    (share / ".plan.xlsx.k3j9x0qa.part").write_bytes(b"PK\x03\x04")   # a report being written by another run
    work = root / "travail"
    work.mkdir()
    shutil.copyfile(plan, work / "plan.xlsx")
    for name in ("rapport.json", "rapport.xlsx", "rapport.xml"):
        clean(cli("check", work, "-o", share / name))
    clean(cli("consolidate", work, "--db", share / "plans.duckdb", "-o", share / "portefeuille.xlsx"))
    for name in ("ecarts.xlsx", "ecarts.json"):
        clean(cli("diff", plan, share / "plan-PC-Jean.xlsx", "-o", share / name))
    clean(cli("check", share / "plan-PC-Jean.xlsx", "--annotate", share / "corrections"))
    assert (share / "corrections" / "plan-PC-Jean.xlsx").is_file()
    os.mkfifo(share / "tube")
    return share


def statuses(report: dict, share: Path) -> dict[str, tuple[str, str | None]]:
    """Each file of a JSON report: its status and its reason (skip reason key, or the one expected rule)."""
    notes = {label("fr"): key for key, label in inputs.SKIP_NOTES.items()}
    out = {}
    for f in report["files"]:
        name = Path(f["path"]).relative_to(share).as_posix()
        codes = {x["code"] for x in f["findings"]}
        wanted = EXPECTED.get(name, (None, None))[1]
        out[name] = (f["status"], notes.get(f.get("note")) if f["status"] == "skipped"
                     else wanted if wanted in codes else sorted(codes)[0] if codes and f["status"] == "unreadable"
                     else None)
    return out


def test_check_gives_every_file_of_a_shared_folder_its_status_and_reason(shared, tmp_path):
    result = cli("check", shared, "--format", "json", "--jobs", "2", timeout=120)
    clean(result)
    assert result.returncode == 1      # a plan with errors, a pipe: as documented
    report = json.loads(result.stdout)
    assert statuses(report, shared) == EXPECTED
    pipe = next(f for f in report["files"] if f["path"].endswith("tube"))
    assert "tube nommé" in pipe["findings"][0]["message"]
    duplicate = next(x for f in report["files"] if f["path"].endswith("plan (1).xlsx") for x in f["findings"])
    assert "plan.xlsx" in duplicate["message"] and duplicate["severity"] == "warning"
    assert report["complete"] is True and report["not_checked"] == []
    for fmt, suffix in (("text", ".txt"), ("junit", ".xml"), ("xlsx", ".xlsx")):
        result = cli("check", shared, "--format", fmt, "-o", tmp_path / f"r{suffix}")
        clean(result)
        assert result.returncode == 1
    assert "fichier de verrouillage de LibreOffice" in (tmp_path / "r.txt").read_text(encoding="utf-8")


def test_consolidate_loads_the_plan_and_says_why_each_other_file_is_not_loaded(shared, tmp_path):
    """Before: KeyError: 'skipped' (exit 1) as soon as the folder held a lock file or a report."""
    result = cli("consolidate", shared, "--db", tmp_path / "p.duckdb", "-o", tmp_path / "p.xlsx", "--jobs", "2")
    clean(result)
    assert result.returncode == 1, result.stdout + result.stderr     # files skipped: the invalid copy, the pipe
    out = result.stdout
    assert f"chargé  {shared / 'plan.xlsx'}" in out                 # the plan, not its conflict copy
    assert f"copie identique de {shared / 'plan.xlsx'}  {shared / 'plan (1).xlsx'}" in out
    ignored = out[out.index("Ignorés (pas des plans) :"):]
    for name, (status, reason) in EXPECTED.items():
        if status == "skipped":
            assert f"{inputs.SKIP_NOTES[reason]('fr')}  {shared / name}" in ignored
    assert read_table(tmp_path / "p.duckdb", "plans")["file_name"].tolist() == ["plan.xlsx"]


def test_annotate_inside_the_folder_is_not_checked_again_and_replaces_copies_only_with_force(shared, tmp_path):
    folder = tmp_path / "partage"
    shutil.copytree(shared, folder, ignore=shutil.ignore_patterns("tube"))
    copy = folder / "corrections" / "plan-PC-Jean.xlsx"
    before, inode = copy.read_bytes(), copy.stat().st_ino
    result = cli("check", folder, "--annotate", folder / "corrections")
    clean(result)
    assert result.returncode == 2 and "--force" in result.stderr      # the copy exists: as every output
    assert copy.read_bytes() == before
    result = cli("check", folder, "--annotate", folder / "corrections", "--force", "--format", "json")
    clean(result)
    assert result.returncode == 1
    # the copy of the last run is skipped, not annotated again (no "(2)" copy), and replaced by the new one; the
    # conflict copies get the note that says so (the valid one too, for that note alone)
    assert sorted(p.name for p in (folder / "corrections").iterdir()) == ["plan (1).xlsx", "plan-PC-Jean.xlsx"]
    assert copy.stat().st_ino != inode
    for name in ("plan (1).xlsx", "plan-PC-Jean.xlsx"):
        guide = openpyxl.load_workbook(folder / "corrections" / name)["Accueil"]["A1"].comment.text
        assert "[likely-duplicate]" in guide and "plan.xlsx" in guide
        assert outputs.own_output_file(folder / "corrections" / name) == "annotated"
    assert statuses(json.loads(result.stdout), folder)["corrections/plan-PC-Jean.xlsx"] == ("skipped", "annotated")
    # once the team saved the copy, it is their plan: checked again
    wb = openpyxl.load_workbook(copy)
    wb.save(copy)
    result = cli("check", copy, "--format", "json")
    assert json.loads(result.stdout)["files"][0]["status"] == "invalid"


def test_an_annotated_copy_carries_the_mark_of_its_content(shared):
    copy = shared / "corrections" / "plan-PC-Jean.xlsx"
    raw = read_workbook(copy)
    assert raw.custom_properties[inputs.ANNOTATED_PROPERTY] == inputs.package_digest(copy.read_bytes())
    assert outputs.own_output_file(copy) == "annotated"
    assert outputs.own_output_file(shared / "plan.xlsx") is None


def test_diff_of_files_it_refuses_compares_nothing(shared):
    """Before: "same": true, exit 2."""
    result = cli("diff", shared / "~$plan.xlsx", shared / "Thumbs.db", "--format", "json")
    clean(result)
    report = json.loads(result.stdout)
    assert result.returncode == 2 and report["compared"] is False and report["same"] is None
    assert report["old"]["note"] == inputs.SKIP_NOTES["excel-lock"]("fr")
    result = cli("diff", shared / "rapport.json", shared / "tube")
    clean(result)
    assert result.returncode == 2 and "Rien n'a été comparé." in result.stderr and "tube nommé" in result.stderr
    assert cli("diff", shared / "plan.xlsx", shared / "plan (1).xlsx").returncode == 0


# --- outputs, paths and inputs ------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["consolidate", "{share}/plan.xlsx", "--db", "{tmp}/p.xlsx", "-o", "{tmp}/p.xlsx"],
    ["consolidate", "{share}", "--db", "{tmp}/p.duckdb", "-o", "{share}/plan.xlsx", "--force"],
    ["check", "{share}", "-o", "{share}/plan (1).xlsx", "--force"],
    ["demo", "{tmp}/d.xlsx", "--fec", "{tmp}/d.xlsx"],
    ["actuals", "{share}/plan.xlsx", "{tmp}/fec.txt", "-o", "{tmp}/a.xlsx", "--report", "{tmp}/a.xlsx"],
    ["actuals", "{share}/plan.xlsx", "{tmp}/fec.txt", "-o", "{tmp}/fec.txt", "--force"],
    ["diff", "{share}/plan.xlsx", "{share}/plan (1).xlsx", "-o", "{share}/plan (1).xlsx", "--force"],
    ["rollover", "{share}/plan.xlsx", "-o", "{share}/plan.xlsx", "--force"],
    ["approve", "{share}/plan.xlsx", "--db", "{share}/plan.xlsx"],
    ["consolidate", "{share}", "--db", "{share}/plan (1).xlsx"],
    ["check", "{share}/plan.xlsx", "-o", "{tmp}/lien.json", "--force"],          # a link to the plan read
])
def test_an_output_that_is_an_input_or_another_output_is_a_usage_error(shared, tmp_path, args):
    """Before: consolidate --db p.xlsx -o p.xlsx wrote the portfolio over the database just filled, exit 0."""
    (tmp_path / "fec.txt").write_text("JournalCode\tEcritureDate\n", encoding="utf-8")
    (tmp_path / "lien.json").symlink_to(shared / "plan.xlsx")
    before = {p: p.read_bytes() for p in shared.iterdir() if p.is_file() and not p.is_fifo()}
    result = cli(*[a.format(share=shared, tmp=tmp_path) for a in args])
    clean(result)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "fichier lu" in result.stderr or "autre sortie" in result.stderr
    assert not (tmp_path / "p.xlsx").exists() and not (tmp_path / "d.xlsx").exists()
    assert {p: p.read_bytes() for p in before} == before


def test_a_name_at_the_file_systems_limit_gets_its_annotated_copy_and_its_report(tmp_path):
    """Before: the temporary name built beside the copy (".NAME.XXXXXXXX.part") was too long: no copy."""
    name = "plan-" + "é" * 120 + ".xlsx"         # 250 bytes in UTF-8
    assert len(os.fsencode(name)) == 250
    mplan_xl.demo_workbook(tmp_path / name, lang="fr", year=YEAR, with_errors=True)
    report = "r" * 250 + ".json"
    result = cli("check", tmp_path / name, "--annotate", tmp_path / "out", "-o", tmp_path / report)
    clean(result)
    assert result.returncode == 1 and (tmp_path / "out" / name).is_file() and (tmp_path / report).is_file()
    with zipfile.ZipFile(tmp_path / "out" / name) as z:
        assert z.testzip() is None
    assert [p.name for p in (tmp_path / "out").iterdir()] == [name]      # no temporary file left


@pytest.mark.parametrize("command", ["fec", "rules", "plan", "rollover", "approve", "diff", "database"])
def test_a_named_pipe_is_refused_at_once_never_waited_on(tmp_path, command):
    """Before: a pipe given as the FEC blocked actuals forever."""
    plan = mplan_xl.demo_workbook(tmp_path / "plan.xlsx", lang="fr", year=YEAR)
    fec = tmp_path / "fec.txt"
    from mplan_xl.workbook.demo import demo_plan
    from mplan_xl.workbook.demo_fec import write_demo_fec

    write_demo_fec(demo_plan(lang="fr", year=YEAR), fec)
    pipe = tmp_path / "tube"
    os.mkfifo(pipe)
    args = {"fec": ["actuals", plan, pipe, "-o", tmp_path / "a.xlsx"],
            "rules": ["actuals", plan, fec, "--rules", pipe, "-o", tmp_path / "a.xlsx"],
            "plan": ["actuals", pipe, fec, "-o", tmp_path / "a.xlsx"],
            "rollover": ["rollover", pipe, "-o", tmp_path / "n.xlsx"],
            "approve": ["approve", pipe, "--db", tmp_path / "p.duckdb"],
            "diff": ["diff", plan, pipe],
            "database": ["consolidate", plan, "--db", pipe]}[command]
    start = time.monotonic()
    result = cli(*args, timeout=60)
    clean(result)
    assert result.returncode in (1, 2) and "tube nommé" in result.stdout + result.stderr
    assert time.monotonic() - start < 30
    assert not (tmp_path / "a.xlsx").exists()


def test_open_input_refuses_what_is_not_a_regular_file_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "p")
    for path, kind in ((tmp_path / "p", "named pipe"), (tmp_path, "folder"), (Path("/dev/null"), "device")):
        with pytest.raises(inputs.InputRefused) as err:
            inputs.open_input(path)
        assert kind in err.value.text("en")


def test_a_file_that_changes_while_it_is_read_is_said_to_have_changed(tmp_path, monkeypatch):
    path = mplan_xl.demo_workbook(tmp_path / "plan.xlsx", lang="fr", year=YEAR)
    real = inputs._read

    def saving_meanwhile(handle, size):   # another program saves the file while we read it
        data = real(handle, size)
        with open(path, "ab") as other:
            other.write(b"\0" * 10)
        return data

    monkeypatch.setattr(inputs, "_read", saving_meanwhile)
    with pytest.raises(UnreadableWorkbook) as err:
        read_workbook(path)
    assert err.value.code == "file-changed" and "enregistrement" in err.value.hint_text("fr")


# --- Ctrl-C ----------------------------------------------------------------------------------------------------

def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


@pytest.mark.parametrize("command", ["check", "consolidate"])
def test_ctrl_c_stops_the_workers_at_once_and_writes_the_report_of_what_was_done(tmp_path, command):
    folder = tmp_path / "many"
    folder.mkdir()
    plan = mplan_xl.demo_workbook(tmp_path / "plan.xlsx", lang="fr", year=YEAR)
    for i in range(300):
        shutil.copyfile(plan, folder / f"plan-{i:03}.xlsx")
    env = {**os.environ, "PYTHONPATH": str(SRC), "MPLAN_LANG": "fr"}
    out = tmp_path / "report.json"
    args = ["check", folder, "-o", out] if command == "check" else \
        ["consolidate", folder, "--db", tmp_path / "p.duckdb", "-o", tmp_path / "p.xlsx"]
    process = subprocess.Popen([sys.executable, "-m", "mplan_xl.cli", *map(str, args), "--jobs", "2"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline:   # the batch is running: its workers are up
        time.sleep(0.2)
        workers = _children(process.pid)
    time.sleep(1.0)
    assert process.poll() is None, "the batch ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)                      # Ctrl-C in a terminal: the whole process group
    stopped = time.monotonic()
    stdout, stderr = process.communicate(timeout=30)
    assert time.monotonic() - stopped < 10
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "erreur interne" not in stderr
    assert "INCOMPLET" in stderr
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    if command == "check":
        report = json.loads(out.read_text(encoding="utf-8"))
        assert report["complete"] is False and report["not_checked"]
        assert len(report["files"]) + len(report["not_checked"]) == 300
        assert all(f["status"] == "valid" for f in report["files"])
    else:
        assert not (tmp_path / "p.xlsx").exists()       # no portfolio from an incomplete run
        loaded = read_table(tmp_path / "p.duckdb", "plans")
        assert len(loaded) <= 1                          # what was examined is loaded (one plan: the same company)


def test_an_interrupted_report_says_so_in_every_format():
    from mplan_xl.check.report import FileReport, Report

    report = Report([FileReport("a.xlsx", "valid", "3.0.0")], lang="fr", pending=["b.xlsx"])
    assert report.exit_code == 130 and report.to_dict()["complete"] is False
    assert "RAPPORT INCOMPLET" in report.to_text() and "b.xlsx" in report.to_text()
    assert 'type="interrupted"' in report.to_junit() and 'failures="1"' in report.to_junit()


@pytest.mark.parametrize("args", [
    ["approve", "{share}/~$plan.xlsx", "--db", "{tmp}/p.duckdb"],
    ["rollover", "{share}/rapport.xlsx", "-o", "{tmp}/n.xlsx"],
    ["upgrade", "{share}/portefeuille.xlsx", "-o", "{tmp}/n.xlsx"],
    ["actuals", "{share}/corrections/plan-PC-Jean.xlsx", "{tmp}/fec.txt", "-o", "{tmp}/n.xlsx"],
])
def test_a_command_given_a_file_that_is_no_plan_says_what_it_is(shared, tmp_path, args):
    """Before: "plan not approved, it is not valid" or "0 blocking finding(s)", with no reason."""
    (tmp_path / "fec.txt").write_text("JournalCode\tEcritureDate\n", encoding="utf-8")
    result = cli(*[a.format(share=shared, tmp=tmp_path) for a in args])
    clean(result)
    assert result.returncode == 1 and "n'est pas un plan : " in result.stderr, result.stderr
    assert not (tmp_path / "n.xlsx").exists()


def test_a_file_that_vanishes_between_the_scan_and_its_reading_is_said_missing(tmp_path):
    """Someone moves a plan away while the batch runs: its line says so, the others are checked."""
    from mplan_xl.check.report import Report
    from mplan_xl.check.validator import check_file, run_files
    from mplan_xl.read.reader import Limits

    for name in ("a.xlsx", "b.xlsx"):
        mplan_xl.demo_workbook(tmp_path / name, lang="fr", year=YEAR)
    files = inputs.scan_paths([tmp_path])
    (tmp_path / "b.xlsx").unlink()
    reports = run_files(files, check_file, ("fr", Limits()), lang="fr", limits=Limits(), jobs=2)
    assert [(r.status, [f.code for f in r.findings]) for r in reports] == [("valid", []), ("unreadable", ["file-missing"])]
    assert "b.xlsx" in Report(reports).to_text()


def test_ctrl_c_during_the_check_of_one_large_file_ends_quietly(tmp_path):
    """One file is checked in a child process too: Ctrl-C stops it, without its traceback on the terminal."""
    from mplan_xl.workbook.builder import build_workbook
    from mplan_xl.workbook.demo import demo_plan

    plan = demo_plan(lang="en", year=YEAR)
    action, line = plan.rows("actions")[0], plan.rows("budget")[0]
    plan.tables["actions"] = [dict(action, id=f"A{i:05d}") for i in range(4000)]
    plan.tables["budget"] = [dict(line, id=f"L{i:06d}", action_id=f"A{i // 5:05d}") for i in range(20000)]
    plan.tables["budget_months"] = []
    plan.identity.envelope = None
    path = tmp_path / "big.xlsx"
    build_workbook(plan, path, lang="en", template=False, force=True)
    env = {**os.environ, "PYTHONPATH": str(SRC), "MPLAN_LANG": "fr"}
    process = subprocess.Popen([sys.executable, "-m", "mplan_xl.cli", "check", str(path), "-o", str(tmp_path / "r.json")],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not _children(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert process.poll() is None
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130 and "Traceback" not in stderr, stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["complete"] is False and report["files"] == [] and report["not_checked"] == [str(path)]


def test_a_copy_of_a_plan_without_custom_properties_is_marked_too(tmp_path):
    """A plan saved by a tool that drops the custom properties part: the copy gets one, and is recognised."""
    from mplan_xl.check.annotate import write_copy
    from mplan_xl.check.validator import check_file

    source = mplan_xl.demo_workbook(tmp_path / "full.xlsx", lang="fr", year=YEAR, with_errors=True)
    bare = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(bare, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/custom.xml":
                continue
            if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                data = data.replace(b'<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/'
                                    b'2006/relationships/custom-properties" Target="docProps/custom.xml"/>', b"")
                data = data.replace(b'<Override PartName="/docProps/custom.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.custom-properties+xml"/>', b"")
            dst.writestr(info, data)
    assert b"custom" not in zipfile.ZipFile(bare).read("_rels/.rels")
    findings = check_file(bare, "fr").findings
    assert findings
    (tmp_path / "out").mkdir()
    copy = write_copy(bare, tmp_path / "out" / "bare.xlsx", findings, "fr")
    assert outputs.own_output_file(copy) == "annotated"
    assert check_file(copy, "fr").status == "skipped"
    assert openpyxl.load_workbook(copy).sheetnames == openpyxl.load_workbook(bare).sheetnames
