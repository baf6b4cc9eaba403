"""Corrections delivered inside the team's workbook: ``mplan-xl check PATH... --annotate DIR``.

For every checked file with findings, ``DIR/<same name>`` is a copy of the
team's file in which each finding is a cell note (a legacy comment, what
Excel and LibreOffice call a note) at its cell, in the workbook's language
(rule code, severity, message, hint), and the cell is highlighted by a
conditional format (light red for errors, light yellow for warnings).
Findings without a cell (a missing sheet or table, a file-level problem)
become a note on the title cell of the Guide sheet (``A1``).

The copy is made by patching the package, not by re-saving it: every zip
member is copied byte for byte except the few that must change,

* the worksheets that get notes: a ``<conditionalFormatting>`` element and,
  when the sheet had no notes yet, a ``<legacyDrawing>`` element, inserted at
  their place in the schema's element order, and their page setup asks for the
  notes to print (a PDF of the copy shows what to fix); nothing else of the sheet moves;
* those sheets' relationships, the content types, and ``xl/styles.xml`` (two
  differential formats appended to ``<dxfs>``);
* the team's own notes part and VML drawing when the sheet had notes: ours
  are merged in (a cell that already holds a note gets ours appended to it);

and the new parts (``xl/commentsN.xml``, ``xl/drawings/vmlDrawingN.vml``) are
added at the end. Cell values, styles indexes, formulas, tables, VBA and
every other part are untouched, so ``check`` finds the same on the copy;
the one exception is a number no cell can hold (``<v>nan</v>``, ``<v>inf</v>``,
finding ``number-unusable``), which would keep the copy from opening: it
becomes the error ``#NUM!``, the note at the cell saying why.

Example:
    >>> result = annotate_file("returned/plan.xlsx", "corrections/plan.xlsx", findings, "fr")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from xml.sax.saxutils import escape

from ..core import schema
from ..core.errors import UsageError
from ..core.rules import ERROR, Finding
from ..core.text_safety import xml_text
from ..core.vocabulary import Label
from ..read.cell_patch import set_errors
from ..read.package import MAIN_NS, REL_NS, PackageCopy, PackageError, element_prefix, insert_before
from ..read.reader import Limits, column_index
from .report import UNREADABLE, FileReport, Report

COMMENTS_REL = REL_NS + "/comments"
VML_REL = REL_NS + "/vmlDrawing"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"

#: Highlight of a cell with an error, with only warnings (light red, light yellow, as Excel's presets).
FILLS = {ERROR: "FFFFC7CE", "warning": "FFFFEB9C"}
AUTHOR = "mplan-xl"

TEXT = {
    "error": Label("Erreur", "Error"),
    "warning": Label("Avertissement", "Warning"),
    "hint": Label("Conseil : ", "Hint: "),
    "where": Label("Feuille {sheet} : ", "Sheet {sheet}: "),
}

_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})$")
# Elements of CT_Worksheet that follow <conditionalFormatting>, and those that follow <legacyDrawing>.
_AFTER_CF = ("dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
             "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
             "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
             "tableParts", "extLst")
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                 "tableParts", "extLst")
# Elements of CT_Stylesheet that follow <dxfs>.
_AFTER_DXFS = ("tableStyles", "colors", "extLst")


@dataclass(frozen=True)
class Note:
    """What goes on one cell: its findings, in report order."""

    sheet: str
    cell: str
    findings: tuple[Finding, ...]

    @property
    def severity(self) -> str:
        return ERROR if any(f.severity == ERROR for f in self.findings) else "warning"


def _cell_index(cell: str) -> tuple[int, int]:
    """0-based (row, col) of an A1 reference."""
    m = _CELL.match(cell)
    if m is None:
        raise ValueError(f"not an A1 cell: {cell!r}")
    return int(m[2]) - 1, column_index(m[1])


def place(findings: Iterable[Finding], sheets: Mapping[str, str], lang: str) -> list[Note]:
    """Where each finding goes: its cell; a finding without a (visible) cell goes to the Guide's A1.

    *sheets* maps the worksheet names to their state (``visible``, ``hidden``).
    The cell of a range finding is its first cell.
    """
    guide = next((n for n in (schema.worksheet_name("guide", lang), *(schema.worksheet_name("guide", lg)
                  for lg in ("fr", "en"))) if sheets.get(n) == "visible"),
                 next((n for n, state in sheets.items() if state == "visible"), next(iter(sheets), None)))
    grouped: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        cell = (finding.cell or "").split(":")[0].replace("$", "").upper()
        if finding.sheet is not None and sheets.get(finding.sheet) == "visible" and _CELL.match(cell):
            grouped[(finding.sheet, cell)].append(finding)
        elif guide is not None:
            grouped[(guide, "A1")].append(finding)
    return [Note(sheet, cell, tuple(f)) for (sheet, cell), f in grouped.items()]


def note_lines(note: Note, lang: str) -> list[tuple[str, bool]]:
    """The note's text as (line, bold) pairs: per finding a bold title line, the message, the hint.

    A finding placed elsewhere than its own cell (on the Guide) says which sheet it is about.
    """
    lines: list[tuple[str, bool]] = []
    for finding in note.findings:
        moved = finding.sheet and finding.sheet != note.sheet
        where = TEXT["where"](lang).format(sheet=finding.sheet) if moved else ""
        lines.append((f"{AUTHOR} – {TEXT[finding.severity](lang)} [{finding.code}]", True))
        lines.append((where + finding.message, False))
        if finding.hint:
            lines.append((TEXT["hint"](lang) + finding.hint, False))
    return lines


# --- the parts of the package -----------------------------------------------------------------------------

def _after_sheet_data(xml: bytes, prefix: bytes) -> int:
    m = re.search(rb"</" + re.escape(prefix) + rb"sheetData>|<" + re.escape(prefix) + rb"sheetData\s*/>", xml)
    if not m:
        raise PackageError("no <sheetData>")
    return m.end()


def _rel_attr(xml: bytes) -> str:
    """The relationship-id attribute as the sheet's root element declares its namespace (declared here if not)."""
    m = re.search(rb'xmlns:([\w.-]+)="' + re.escape(REL_NS.encode()) + rb'"', xml[:xml.find(b">", xml.find(b"worksheet")) + 1])
    return f"{m[1].decode()}:id" if m else f'xmlns:r="{REL_NS}" r:id'


def _add_dxfs(xml: bytes) -> tuple[bytes, dict[str, int]]:
    """Append our two highlight formats to ``<dxfs>``; their indexes by severity."""
    prefix = element_prefix(xml, "styleSheet")
    p = prefix.decode()
    ours = b"".join(f'<{p}dxf><{p}fill><{p}patternFill patternType="solid"><{p}bgColor rgb="{rgb}"/>'
                    f'</{p}patternFill></{p}fill></{p}dxf>'.encode() for rgb in FILLS.values())
    m = re.search(rb"<" + re.escape(prefix) + rb"dxfs\b([^>]*?)(/?)>", xml)
    if m:
        count = 0 if m[2] else len(re.findall(rb"<" + re.escape(prefix) + rb"dxf[\s>/]",
                                              xml[m.end():xml.find(b"</" + prefix + b"dxfs>", m.end())]))
        attrs = re.sub(rb'\s*count="\d*"', b"", m[1])
        opening = b"<" + prefix + b"dxfs" + attrs + f' count="{count + len(FILLS)}">'.encode()
        if m[2]:
            xml = xml[:m.start()] + opening + ours + b"</" + prefix + b"dxfs>" + xml[m.end():]
        else:
            close = xml.find(b"</" + prefix + b"dxfs>", m.end())
            xml = xml[:m.start()] + opening + xml[m.end():close] + ours + xml[close:]
    else:
        count = 0
        element = b"<" + prefix + b'dxfs count="2">' + ours + b"</" + prefix + b"dxfs>"
        xml = insert_before(xml, prefix, _AFTER_DXFS, element, 0, "styleSheet")
    return xml, {severity: count + i for i, severity in enumerate(FILLS)}


def _runs(lines: Sequence[tuple[str, bool]], p: str) -> str:
    out = []
    for i, (line, bold) in enumerate(lines):
        text = ("\n" if i else "") + line
        props = f"<{p}rPr>{f'<{p}b/>' if bold else ''}<{p}sz val=\"9\"/><{p}rFont val=\"Tahoma\"/></{p}rPr>"
        out.append(f'<{p}r>{props}<{p}t xml:space="preserve">{escape(xml_text(text))}</{p}t></{p}r>')
    return "".join(out)


def _comments_xml(notes: Sequence[tuple[Note, list[tuple[str, bool]]]]) -> bytes:
    body = "".join(f'<comment ref="{n.cell}" authorId="0"><text>{_runs(lines, "")}</text></comment>'
                   for n, lines in notes)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="{MAIN_NS}">'
            f"<authors><author>{AUTHOR}</author></authors><commentList>{body}</commentList></comments>").encode()


def _merge_comments(xml: bytes, notes: Sequence[tuple[Note, list[tuple[str, bool]]]]) -> tuple[bytes, set[str]]:
    """Our notes merged into the team's notes part; the cells that already had a note."""
    prefix = element_prefix(xml, "comments")
    p = prefix.decode()
    authors = re.search(rb"<" + re.escape(prefix) + rb"authors\s*(/?)>", xml)
    if authors is None:
        raise PackageError("notes part without <authors>")
    close = xml.find(b"</" + prefix + b"authors>")
    author_id = 0 if authors[1] else len(re.findall(rb"<" + re.escape(prefix) + rb"author[\s>/]",
                                                    xml[authors.end():close]))
    new_author = f"<{p}author>{AUTHOR}</{p}author>".encode()
    if authors[1]:
        xml = xml[:authors.start()] + f"<{p}authors>".encode() + new_author + f"</{p}authors>".encode() \
            + xml[authors.end():]
    else:
        xml = xml[:close] + new_author + xml[close:]
    existing: set[str] = set()
    added = []
    for note, lines in notes:
        m = re.search(rb"<" + re.escape(prefix) + rb'comment\b[^>]*\bref="' + note.cell.encode() + rb'"[^>]*>', xml)
        if m:
            existing.add(note.cell)
            end = xml.find(b"</" + prefix + b"text>", m.end())
            if end < 0:
                raise PackageError(f"note {note.cell} without <text>")
            xml = xml[:end] + _runs([("", False), *lines], p).encode() + xml[end:]
        else:
            added.append(f'<{p}comment ref="{note.cell}" authorId="{author_id}"><{p}text>{_runs(lines, p)}'
                         f"</{p}text></{p}comment>")
    if added:
        listed = re.search(rb"<" + re.escape(prefix) + rb"commentList\s*/>", xml)
        if listed:
            xml = xml[:listed.start()] + f"<{p}commentList>{''.join(added)}</{p}commentList>".encode() + xml[listed.end():]
        else:
            end = xml.rfind(b"</" + prefix + b"commentList>")
            if end < 0:
                raise PackageError("notes part without <commentList>")
            xml = xml[:end] + "".join(added).encode() + xml[end:]
    return xml, existing


_VML_HEAD = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
             'xmlns:x="urn:schemas-microsoft-com:office:excel">')
_SHAPETYPE = ('<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
              '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def _vml_shapes(notes: Sequence[Note], first_id: int) -> str:
    shapes = []
    for i, note in enumerate(notes):
        row, col = _cell_index(note.cell)
        lines = sum(2 + bool(f.hint) for f in note.findings)
        shapes.append(
            f'<v:shape id="_x0000_s{first_id + i}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;'
            f'margin-top:2pt;width:260pt;height:{min(400, 14 * lines + 20)}pt;z-index:{i + 1};visibility:hidden" '
            f'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" '
            f'obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            f'<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/>'
            f"<x:SizeWithCells/><x:Anchor>{col + 1}, 15, {row}, 2, {col + 5}, 15, {row + 2 + lines}, 4</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>")
    return "".join(shapes)


def _idmaps(parts: Mapping[str, bytes]) -> set[int]:
    used: set[int] = set()
    for name, data in parts.items():
        if name.lower().endswith(".vml"):
            for m in re.finditer(rb'o:idmap\b[^>]*\bdata="([\d,\s]+)"', data):
                used.update(int(x) for x in re.split(rb"[,\s]+", m[1]) if x)
    return used


def _vml_new(notes: Sequence[Note], idmap: int) -> bytes:
    return (f'{_VML_HEAD}<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout>'
            f"{_SHAPETYPE}{_vml_shapes(notes, idmap * 1024 + 1)}</xml>").encode()


def _vml_merge(xml: bytes, notes: Sequence[Note]) -> bytes:
    ids = [int(m[1]) for m in re.finditer(rb"_x0000_s(\d+)", xml)]
    shapes = _vml_shapes(notes, max(ids, default=1024) + 1).encode()
    if b'id="_x0000_t202"' not in xml:
        shapes = _SHAPETYPE.encode() + shapes
    end = xml.rfind(b"</xml>")
    if end < 0:
        raise PackageError("VML drawing without </xml>")
    return xml[:end] + shapes + xml[end:]


def _conditional_format(xml: bytes, prefix: bytes, notes: Sequence[Note], dxf: Mapping[str, int]) -> bytes:
    priorities = [int(m[1]) for m in re.finditer(rb'<' + re.escape(prefix) + rb'cfRule\b[^>]*\bpriority="(\d+)"', xml)]
    priority = max(priorities, default=0)
    p = prefix.decode()
    blocks = []
    for severity in FILLS:
        cells = [n.cell for n in notes if n.severity == severity]
        if cells:
            priority += 1
            blocks.append(f'<{p}conditionalFormatting sqref="{" ".join(cells)}"><{p}cfRule type="expression" '
                          f'dxfId="{dxf[severity]}" priority="{priority}"><{p}formula>TRUE</{p}formula></{p}cfRule>'
                          f"</{p}conditionalFormatting>")
    return insert_before(xml, prefix, _AFTER_CF, "".join(blocks).encode(), _after_sheet_data(xml, prefix), "worksheet")


def patch_package(copy: PackageCopy, findings: Sequence[Finding], lang: str) -> None:
    """Add the notes and highlights of *findings* to *copy*: the parts that must change are changed
    in place, the new ones added after the existing ones."""
    parts = copy.parts
    sheets = copy.worksheets()
    notes = place(findings, {name: state for name, (_, state) in sheets.items()}, lang)
    if not notes:
        return
    by_sheet: dict[str, list[Note]] = defaultdict(list)
    for note in notes:
        by_sheet[note.sheet].append(note)
    styles = copy.related(copy.workbook_part(), "/styles")
    if styles is None:
        raise PackageError("styles part missing")
    parts[styles], dxf = _add_dxfs(parts[styles])
    overrides: dict[str, str] = {}
    idmaps = _idmaps(parts)
    for sheet_name, sheet_notes in by_sheet.items():
        part = sheets[sheet_name][0]
        # A number no cell can hold (<v>nan</v>) would keep the copy from opening: it becomes #NUM!, its note says why.
        xml = set_errors(parts[part], {n.cell for n in sheet_notes if any(f.code == "number-unusable" for f in n.findings)})
        prefix = element_prefix(xml, "worksheet")
        rels = copy.relationships(part)
        texts = [(n, note_lines(n, lang)) for n in sheet_notes]
        comments = next((t for _, typ, t in rels if typ == COMMENTS_REL and t in parts), None)
        already: set[str] = set()
        if comments:
            parts[comments], already = _merge_comments(parts[comments], texts)
        else:
            comments = copy.free_name("xl/comments{}.xml")
            parts[comments] = _comments_xml(texts)
            overrides[comments] = COMMENTS_CT
            copy.add_relationship(part, COMMENTS_REL, comments)
        shapes = [n for n in sheet_notes if n.cell not in already]
        legacy = re.search(rb"<" + re.escape(prefix) + rb"legacyDrawing\b[^>]*\bid=\"([^\"]+)\"", xml)
        vml = next((t for rid, typ, t in rels if legacy and rid == legacy[1].decode() and t in parts), None)
        if vml is not None:
            parts[vml] = _vml_merge(parts[vml], shapes)
        else:
            idmap = max(idmaps, default=0) + 1
            idmaps.add(idmap)
            vml = copy.free_name("xl/drawings/vmlDrawing{}.vml")
            parts[vml] = _vml_new(shapes, idmap)
            rid = copy.add_relationship(part, VML_REL, vml)
            if legacy:  # a <legacyDrawing> whose drawing is missing: point it at ours
                xml = xml[:legacy.start(1)] + rid.encode() + xml[legacy.end(1):]
            else:
                element = f'<{prefix.decode()}legacyDrawing {_rel_attr(xml)}="{rid}"/>'.encode()
                xml = insert_before(xml, prefix, _AFTER_LEGACY, element, _after_sheet_data(xml, prefix), "worksheet")
        parts[part] = _print_notes(_conditional_format(xml, prefix, sheet_notes, dxf), prefix)
    copy.add_content_types(defaults={"vml": VML_CT}, overrides=overrides)


def _print_notes(xml: bytes, prefix: bytes) -> bytes:
    """The sheet's page setup asks for its notes to print (``cellComments="asDisplayed"``: LibreOffice, which
    reads it as "print the notes", prints them on pages after the sheet's, so a PDF of the copy shows what to
    fix; Excel prints the notes shown); a sheet without a page setup prints as it did.

    >>> _print_notes(b'<x><pageSetup paperSize="9" orientation="landscape"/></x>', b"")
    b'<x><pageSetup paperSize="9" orientation="landscape" cellComments="asDisplayed"/></x>'
    >>> _print_notes(b'<pageSetup cellComments="none"/>', b"")
    b'<pageSetup cellComments="asDisplayed"/>'
    """
    match = re.search(rb"<" + re.escape(prefix) + rb"pageSetup\b([^>]*?)(/?)>", xml)
    if match is None:
        return xml
    attrs = re.sub(rb'\s+cellComments="[^"]*"', b"", match[1]) + b' cellComments="asDisplayed"'
    return xml[:match.start(1)] + attrs + xml[match.end(1):]


def mark_annotated(copy: PackageCopy) -> None:
    """Mark *copy* as our annotated copy: a custom document property holds the digest of its other parts, so
    a folder scan skips it while it is unchanged, and checks it as the team's plan once they saved it."""
    from zlib import crc32

    from ..read.inputs import ANNOTATED_PROPERTY, CUSTOM_PART, parts_digest

    copy.set_custom_property(ANNOTATED_PROPERTY, "")   # the part and its relationship first: they are digested
    copy.set_custom_property(ANNOTATED_PROPERTY, parts_digest(
        (name, crc32(data), len(data)) for name, data in copy.parts.items() if name.lower() != CUSTOM_PART.lower()))


def write_copy(source: str | Path, target: str | Path, findings: Sequence[Finding], lang: str,
               force: bool = True) -> Path:
    """Write *target*: *source* with the notes of *findings*; members not patched are copied unchanged."""
    copy = PackageCopy.open(source)
    patch_package(copy, findings, lang)
    mark_annotated(copy)
    return copy.write(target, force=force)


# --- a batch ------------------------------------------------------------------------------------------------

_MESSAGES = {
    "same_file": Label("{path} : la copie annotée remplacerait l'original ; choisissez un autre dossier",
                       "{path}: the annotated copy would replace the original; choose another folder"),
    "not_folder": Label("{path} : --annotate attend un dossier", "{path}: --annotate expects a folder"),
    "summary": Label("Copies annotées : {written} dans {folder}", "Annotated copies: {written} in {folder}"),
    "unreadable": Label("  illisible, non copié : {path}", "  unreadable, not copied: {path}"),
    "failed": Label("  copie impossible : {path} ({detail})", "  could not annotate: {path} ({detail})"),
}


@dataclass
class Annotated:
    """What an ``--annotate`` run did."""

    folder: Path
    written: list[tuple[str, Path]]      # (checked file, annotated copy)
    unreadable: list[str]                # files not copied: they cannot be read
    failed: list[tuple[str, str]]        # (file, why) readable files whose package could not be patched

    def lines(self, lang: str) -> list[str]:
        out = [_MESSAGES["summary"](lang).format(written=len(self.written), folder=self.folder)]
        out += [_MESSAGES["unreadable"](lang).format(path=p) for p in self.unreadable]
        out += [_MESSAGES["failed"](lang).format(path=p, detail=d) for p, d in self.failed]
        return out


def targets(paths: Sequence[str], folder: Path) -> list[Path]:
    """``folder/<same name>`` for each path; a name taken twice gets `` (2)``, `` (3)``... before its suffix
    (the stem shortened when the file system's limit on a name's length asks it)."""
    from ..core.atomic import fit_name, name_max

    limit = name_max(folder)
    taken: set[str] = set()
    out = []
    for path in paths:
        name = Path(path).name
        stem, suffix, n = Path(name).stem, Path(name).suffix, 2
        while name.lower() in taken:
            tail = f" ({n}){suffix}"
            name, n = fit_name(stem, limit - len(os.fsencode(tail))) + tail, n + 1
        taken.add(name.lower())
        out.append(folder / name)
    return out


def check_and_annotate(path: str | os.PathLike, target: str, lang: str,
                       limits: Limits) -> tuple[FileReport, bool, str | None]:
    """Check one file and, when it has findings, write its annotated copy from the same read of the file.

    Returns the file's report (in *lang*), whether the copy was written, and why it could not be. The notes
    are in the workbook's own language: a workbook in the other one is checked again in it, on the plan
    already located, so the team reads its notes in its language.
    """
    from .checks import run_checks
    from .validator import Inspected, inspect_file

    def annotate(inspected: Inspected) -> tuple[FileReport, bool, str | None]:
        report, located = inspected.report, inspected.located
        if located is None or report.status == UNREADABLE or not report.findings or not target:
            return report, False, None
        try:
            findings = report.findings if located.lang == lang else run_checks(located, located.lang)
            copy = PackageCopy.open(located.raw.content or path)
            patch_package(copy, findings, located.lang)
            mark_annotated(copy)
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            copy.write(target, force=True)
        except Exception as err:  # a package we cannot patch is reported, never half-written
            return report, False, f"{type(err).__name__}: {err}"
        return report, True, None

    return inspect_file(path, lang, limits, then=annotate)


def prepare(files: Sequence[Path], folder: str | os.PathLike, force: bool = False) -> dict[str, Path]:
    """Refuse, before any work, a folder that is a file, a copy over its original, or a copy that exists
    already (without *force*: as every output of every command).

    *files* are the files checked (:func:`mplan_xl.read.inputs.scan_paths`). Returns
    the copy of each file by resolved path (see :func:`targets`); a copy of
    ours found in *folder* itself (the folder inside the one checked) gets
    none: it is skipped, not annotated again.
    """
    from ..core.atomic import EXISTS
    from ..core.errors import OutputError
    from ..read.outputs import own_output_file

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(_MESSAGES["not_folder"], path=folder)
    home = folder.resolve()
    annotated = [str(f) for f in files if f.resolve().is_relative_to(home) and own_output_file(f) == "annotated"]
    sources = [str(f) for f in files if str(f) not in annotated]
    copies = {_key(f): t for f, t in zip(sources, targets(sources, folder))}
    for source, target in copies.items():
        if target.resolve() == Path(source):
            raise UsageError(_MESSAGES["same_file"], path=target)
    if not force:
        for target in copies.values():
            if target.exists():
                raise OutputError(EXISTS, path=target)
    return copies


def _key(path: str | os.PathLike) -> str:
    return str(Path(path).resolve())


def check_annotated(paths: Sequence[str | os.PathLike], copies: Mapping[str, Path], *, lang: str = "fr",
                    jobs: int | None = None, strict: bool = False, limits: Limits = Limits(),
                    on_done: Callable[[Any], None] | None = None) -> tuple[Report, Annotated]:
    """``check`` of *paths* that also writes the annotated copy (*copies*: from :func:`prepare`) of every
    readable file with findings, each file read once, in the one worker pool."""
    from .validator import Interrupted, check_files, flag_conflict_copies, run_files

    files = check_files(paths)
    folder = next(iter(copies.values())).parent if copies else Path(".")
    pending: list[Path] = []
    try:
        outcomes = run_files(files, check_and_annotate, (lang, limits), lang=lang, limits=limits, jobs=jobs,
                             per_file=[(str(copies[_key(f)]) if _key(f) in copies else "",) for f in files],
                             on_done=(lambda outcome: on_done(outcome[0])) if on_done else None,
                             failed=lambda path, report: (report, False, None))
    except Interrupted as stop:   # Ctrl-C: the copies written so far, and the report of what was done
        outcomes, pending = stop.results, stop.pending
    reports = [report for report, _, _ in outcomes]
    written = [(r.path, copies[_key(r.path)]) for r, wrote, _ in outcomes if wrote]
    failed = [(r.path, why) for r, _, why in outcomes if why is not None]
    flag_conflict_copies(reports, lang)
    _note_duplicates(reports, copies, written, failed)
    unreadable = [r.path for r in reports if r.status == UNREADABLE]
    return (Report(reports, strict=strict, lang=lang, pending=[str(p) for p in pending]),
            Annotated(folder, written, unreadable, failed))


def _note_duplicates(reports: Sequence[FileReport], copies: Mapping[str, Path], written: list[tuple[str, Path]],
                     failed: list[tuple[str, str]]) -> None:
    """Add the ``likely-duplicate`` warning, known once the batch is read, to the copy of each conflict copy (the
    copy already written, or a new one from the file), in the workbook's language."""
    from ..core.rules import make_finding

    done = {_key(path): target for path, target in written}
    for report in reports:
        key = _key(report.path)
        if report.duplicate_of is None or key not in copies:
            continue
        params = next(f.params for f in report.findings if f.code == "likely-duplicate")
        note_lang = report.lang or "fr"
        try:
            copies[key].parent.mkdir(parents=True, exist_ok=True)
            write_copy(done.get(key, report.path), copies[key], [make_finding("likely-duplicate", note_lang, **params)],
                       note_lang)
        except Exception as err:  # a package we cannot patch is reported, never half-written
            failed.append((report.path, f"{type(err).__name__}: {err}"))
            continue
        if key not in done:
            written.append((report.path, copies[key]))


__all__ = ["Annotated", "Note", "check_and_annotate", "check_annotated", "note_lines", "patch_package",
           "place", "prepare", "targets", "write_copy"]
