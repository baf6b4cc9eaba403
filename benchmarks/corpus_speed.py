"""Real-world files and crafted ones: our reader beside openpyxl, and the worst a hostile file costs.

    python benchmarks/corpus_speed.py [--repeat 5] [FOLDER ...]

1. Real-world corpus: the workbooks of ``tests/corpus`` (files that Excel,
   LibreOffice and other libraries saved, see its README) that openpyxl can
   read, or of the folders given: median time to read values and formulas of every sheet, ours
   (:func:`mplan_xl.read.reader.read_workbook`) against openpyxl (a normal load
   for formulas plus a ``data_only`` load for values), in this process.
2. Crafted files: the hostile corpus of ``tests/hostile.py`` (zip and entity
   bombs, huge sheets, lying sizes...) and issue 8's (cells in a foreign
   namespace, a shared-formula bomb), each checked by ``mplan-xl check`` in a
   fresh process: the worst wall time and peak resident memory (which counts
   python-calamine's native allocations), against the goal of at most 1 GiB
   and the ``--timeout`` (30 s).

No test asserts these figures; run it and read the table.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # hostile.py builds the crafted files

from baselines import read_openpyxl  # noqa: E402
from mplan_xl.read.reader import read_workbook  # noqa: E402


def read_ours(path: Path) -> None:
    wb = read_workbook(path)
    for name in wb.sheet_names:
        wb.values(name)
        wb.formulas(name)
    wb.close()


def best(func, path: Path, repeat: int) -> float | None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            func(path)
        except Exception:  # a file one reader refuses (UnreadableWorkbook...) is left out of the medians
            return None
        times.append(time.perf_counter() - start)
    return min(times)


def corpus_files(folder: Path) -> list[Path]:
    """The workbooks of *folder*; for ``tests/corpus``, those its manifest says openpyxl reads in reasonable time.

    (openpyxl materialises every cell up to a ``<dimension>`` of A1:XFD1048576: minutes and gigabytes.)
    """
    manifest = folder / "manifest.json"
    if manifest.is_file():
        return [folder / e["file"] for e in json.loads(manifest.read_text(encoding="utf-8")) if e["expect"] == "read"]
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm"))


def corpus(folders: list[Path], repeat: int) -> None:
    files = [p for folder in folders for p in corpus_files(folder)]
    pairs = [(best(read_ours, f, repeat), best(read_openpyxl, f, repeat)) for f in files]
    pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
    ours, theirs = statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs)
    print(f"== real-world corpus: {len(pairs)} of {len(files)} files read by both (best of {repeat}, median per file)")
    print(f"mplan-xl reader (values + formulas)   {ours * 1000:8.2f} ms")
    print(f"openpyxl (formulas + values loads)    {theirs * 1000:8.2f} ms")
    print(f"ratio                                 {theirs / ours:8.1f} x")


def crafted(timeout: float) -> None:
    import hostile

    with tempfile.TemporaryDirectory(prefix="mplan-crafted-") as tmp:
        cases = {name: case for name, case in hostile.build_corpus(Path(tmp) / "hostile").items()
                 if not case.limits and name not in ("good-baseline.xlsx", "a-folder.xlsx")}
        cases.update(hostile.issue8_hostile(Path(tmp) / "issue8"))
        rows = []
        for name, case in sorted(cases.items()):
            out = subprocess.run([sys.executable, __file__, "--measure", str(case.path), str(timeout)],
                                 capture_output=True, text=True, timeout=timeout * 3)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append((name, result["seconds"], result["mib"], result["code"], case.code))
        print(f"== crafted files: {len(rows)}, each checked in a fresh process (mplan-xl check, --timeout {timeout:g})")
        for name, seconds, mib, code, expected in sorted(rows, key=lambda r: -r[1])[:8]:
            surprise = "" if code == expected else f" (expected {expected})"
            print(f"  {name:40s} {seconds:6.2f} s {mib:7.0f} MiB  {code}{surprise}")
        worst_t, worst_m = max(rows, key=lambda r: r[1]), max(rows, key=lambda r: r[2])
        print(f"worst time   {worst_t[1]:6.2f} s  ({worst_t[0]})")
        print(f"worst memory {worst_m[2]:6.0f} MiB ({worst_m[0]})")
        print(f"all as expected: {all(r[3] == r[4] for r in rows)}")


def _measure(path: str, timeout: float) -> None:
    from mplan_xl.read.reader import Limits
    from mplan_xl.check.validator import check

    start = time.perf_counter()
    report = check([path], lang="en", limits=Limits(timeout_s=timeout))
    seconds = time.perf_counter() - start
    # The check ran in a child process: its peak is RUSAGE_CHILDREN's.
    mib = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_CHILDREN, resource.RUSAGE_SELF)) / 1024
    code = report.files[0].findings[0].code if report.files[0].findings else report.files[0].status
    print(json.dumps({"seconds": seconds, "mib": mib, "code": code}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[ROOT / "tests" / "corpus"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(args.measure[0], float(args.measure[1]))
        return
    corpus(args.folders, args.repeat)
    crafted(args.timeout)
    import openpyxl

    print(f"python {sys.version.split()[0]}, openpyxl {openpyxl.__version__}")


if __name__ == "__main__":
    main()
