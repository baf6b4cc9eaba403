"""Conformance: files saved by Excel, LibreOffice and other libraries, read as openpyxl and python-calamine read them.

The files are a sample of other projects' public test corpora, committed in
``tests/corpus`` with their source, licence and what each exercises
(``manifest.json``, ``README.md``). :func:`conformance.compare` holds the
known representation differences between the three readers, written once.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from mplan_xl.read.reader import UnreadableWorkbook, read_workbook
from mplan_xl.check.validator import check

from conformance import compare

CORPUS = Path(__file__).parent / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
BY_NAME = {entry["file"]: entry for entry in MANIFEST}


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_each_file_reads_as_openpyxl_and_python_calamine_read_it(entry):
    path = CORPUS / entry["file"]
    if entry["expect"] in ("read", "read-calamine"):
        assert compare(path, with_openpyxl=entry["expect"] == "read") == []
    else:
        with pytest.raises(UnreadableWorkbook) as info:
            read_workbook(path)
        assert info.value.code == entry["expect"]


def test_the_corpus_is_what_the_manifest_says_and_stays_byte_identical():
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xlsm", ".xlsb")}
    assert files == set(BY_NAME)
    report = check([CORPUS], lang="en", jobs=2)
    assert {e["file"]: hashlib.sha256((CORPUS / e["file"]).read_bytes()).hexdigest() for e in MANIFEST} == \
        {e["file"]: e["sha256"] for e in MANIFEST}
    codes = {Path(f.path).name: [x.code for x in f.findings][:1] for f in report.files if f.path.endswith(tuple(files))}
    # Not one of our plans, but read: the only finding is that it is not an mplan workbook.
    for name, entry in BY_NAME.items():
        expected = ["not-mplan-workbook"] if entry["expect"].startswith("read") else [entry["expect"]]
        assert codes[name] == expected, name


def test_real_files_of_issue_8_read_right():
    wrapped = read_workbook(CORPUS / "closedxml--TableHeadersWithLineBreaks.xlsx")
    assert any("\n" in column for table in wrapped.tables.values() for column in table.columns)
    for name in ("phpoffice--issue.3255.xlsx", "phpoffice--issue.3982.xlsx", "jmcnamara--comment03.xlsx"):
        read_workbook(CORPUS / name)  # a dimension reaching row 1,048,576: not oversized
    assert read_workbook(CORPUS / "closedxml--inputfile.xlsx").sheet_names  # main part by Default only
    assert read_workbook(CORPUS / "tafia--pivots.xlsx").sheet_names  # a UTF-16 customXml part
    assert read_workbook(CORPUS / "apache--xlmmacro.xlsm").sheet_kinds["Macro1"] == "macrosheet"
