"""A copy of a team's workbook, part by part: what commands that write into a copy change, and nothing else.

An ``.xlsx``/``.xlsm`` file is a zip of XML parts (Open Packaging
Conventions). :class:`PackageCopy` loads every part's bytes, lets a command
(``check --annotate``, ``actuals``) replace or add a few, and writes a new
zip in which every other part holds exactly the bytes it had, in the same
order, with the same member settings. Parts are edited as text, never parsed
and serialised again (which would rename namespace prefixes and drop what a
library does not know): the helpers here find an element's prefix, insert an
element at its place in the schema's order, add a relationship or a content
type. Relationships are resolved as the packaging spec says: the main part
from ``_rels/.rels``, targets relative to their source, part names
case-insensitive.

Example:
    >>> copy = PackageCopy.open("plan.xlsx")                            # doctest: +SKIP
    >>> member, _state = copy.worksheets()["Budget"]                    # doctest: +SKIP
    >>> copy.parts[member] = set_numbers(copy.parts[member], {"K5": 1200})  # doctest: +SKIP
    >>> copy.write("plan-actuals.xlsx")                                 # doctest: +SKIP
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from defusedxml import ElementTree

from ..core.atomic import atomic_output
from ..core.errors import PackageError

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT_RELS = (REL_NS + "/officeDocument", "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument")
WORKSHEET_REL = REL_NS + "/worksheet"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CUSTOM_PROPERTIES_REL = REL_NS + "/custom-properties"
CUSTOM_PROPERTIES_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

_EMPTY_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<Relationships xmlns="' + PKG_REL_NS.encode() + b'"></Relationships>')


def rels_path(part: str) -> str:
    """The relationships part of *part* (``""`` is the package itself).

    >>> rels_path("xl/workbook.xml"), rels_path("")
    ('xl/_rels/workbook.xml.rels', '_rels/.rels')
    """
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def resolve(source: str, target: str) -> str:
    """The part name a relationship of *source* points at.

    >>> resolve("xl/workbook.xml", "worksheets/sheet1.xml"), resolve("xl/workbook.xml", "/xl/styles.xml")
    ('xl/worksheets/sheet1.xml', 'xl/styles.xml')
    """
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    folder = source.rpartition("/")[0]
    return posixpath.normpath(posixpath.join(folder, target)) if folder else posixpath.normpath(target)


def relative(source: str, target: str) -> str:
    """The relationship target, relative to *source*'s folder, of part *target*.

    >>> relative("xl/worksheets/sheet1.xml", "xl/comments1.xml")
    '../comments1.xml'
    """
    return posixpath.relpath(target, source.rpartition("/")[0] or ".")


def element_prefix(xml: bytes, local: str) -> bytes:
    """The namespace prefix, with its colon, under which *xml* writes element *local* (b"" for the default).

    >>> element_prefix(b'<x:worksheet xmlns:x="..."><x:sheetData/></x:worksheet>', "sheetData")
    b'x:'
    """
    match = re.search(rb"<([A-Za-z_][\w.-]*:)?" + local.encode() + rb"[\s>/]", xml)
    if match is None:
        raise PackageError(f"no <{local}> element")
    return match[1] or b""


def insert_before(xml: bytes, prefix: bytes, followers: Sequence[str], element: bytes, start: int, root: str) -> bytes:
    """Insert *element* before the first of *followers* found after *start* (and before any ``extLst``),
    else before the end tag of *root*: the place the schema's element order gives it."""
    end = xml.rfind(b"</" + prefix + root.encode())
    if end < 0:
        raise PackageError(f"no </{root}>")
    ext = re.compile(rb"<" + re.escape(prefix) + rb"extLst[\s>/]").search(xml, start, end)
    limit = ext.start() if ext else end
    pattern = re.compile(rb"<" + re.escape(prefix) + rb"(" + b"|".join(f.encode() for f in followers) + rb")[\s>/]")
    match = pattern.search(xml, start, limit)
    at = match.start() if match else limit
    return xml[:at] + element + xml[at:]


def next_id(used: Iterable[str], prefix: str = "rId") -> str:
    """The first free id above those used.

    >>> next_id(["rId1", "rId7", "x"])
    'rId8'
    """
    numbers = [int(m[1]) for u in used if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", u))]
    return f"{prefix}{max(numbers, default=0) + 1}"


def _namespace_prefix(xml: bytes, namespace: str) -> str | None:
    match = re.search(rb'xmlns:([\w.-]+)="' + re.escape(namespace.encode()) + rb'"', xml)
    return match[1].decode() if match else None


@dataclass
class PackageCopy:
    """Every part of a package, by member name, with the zip members' settings to write them back as they were."""

    parts: dict[str, bytes]
    infos: list[zipfile.ZipInfo] = field(repr=False)

    @classmethod
    def open(cls, source: str | os.PathLike | bytes) -> "PackageCopy":
        """The parts of the package at *source*, a path or the file's bytes (as the reader read them)."""
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
            infos = archive.infolist()
            return cls({info.filename: archive.read(info) for info in infos}, infos)

    def find(self, name: str) -> str | None:
        """The member holding part *name* (part names are case-insensitive)."""
        if name in self.parts:
            return name
        lowered = name.lower()
        return next((member for member in self.parts if member.lower() == lowered), None)

    def free_name(self, pattern: str) -> str:
        """The first ``pattern.format(n)`` (n = 1, 2, …) that no member has."""
        taken = {member.lower() for member in self.parts}
        n = 1
        while pattern.format(n).lower() in taken:
            n += 1
        return pattern.format(n)

    def relationships(self, source: str) -> list[tuple[str, str, str]]:
        """(id, type, target member) of *source*'s internal relationships."""
        member = self.find(rels_path(source))
        if member is None:
            return []
        out = []
        for rel in ElementTree.fromstring(self.parts[member]):
            if rel.get("TargetMode") != "External":
                target = resolve(source, rel.get("Target", ""))
                out.append((rel.get("Id", ""), rel.get("Type", ""), self.find(target) or target))
        return out

    def workbook_part(self) -> str:
        main = next((target for _, kind, target in self.relationships("") if kind in OFFICE_DOCUMENT_RELS), None)
        if main is None or main not in self.parts:
            raise PackageError("the package has no workbook part")
        return main

    def related(self, source: str, kind_suffix: str) -> str | None:
        """The first part *source* relates to with a type ending in *kind_suffix* (``/styles``...)."""
        return next((t for _, kind, t in self.relationships(source) if kind.endswith(kind_suffix) and t in self.parts),
                    None)

    def worksheets(self) -> dict[str, tuple[str, str]]:
        """Worksheet name -> (its member, its state: ``visible``, ``hidden``, ``veryHidden``)."""
        workbook = self.workbook_part()
        targets = {rid: t for rid, kind, t in self.relationships(workbook) if kind.endswith("/worksheet")}
        sheets = {}
        for element in ElementTree.fromstring(self.parts[workbook]).iter(f"{{{MAIN_NS}}}sheet"):
            rid = element.get(f"{{{REL_NS}}}id")
            if rid in targets and targets[rid] in self.parts:
                sheets[element.get("name", "")] = (targets[rid], element.get("state", "visible"))
        return sheets

    def add_relationship(self, source: str, kind: str, target: str) -> str:
        """Relate *source* to part *target* with type *kind*; returns the new relationship's id."""
        from xml.sax.saxutils import quoteattr  # not at start-up: it loads urllib and http
        path = self.find(rels_path(source)) or rels_path(source)
        xml = self.parts.get(path, _EMPTY_RELS)
        rid = next_id(rel.get("Id", "") for rel in ElementTree.fromstring(xml))
        prefix = element_prefix(xml, "Relationships")
        element = (f'<{prefix.decode()}Relationship Id="{rid}" Type="{kind}" '
                   f'Target={quoteattr(relative(source, target))}/>').encode()
        end = xml.rfind(b"</" + prefix + b"Relationships>")
        if end < 0:  # <Relationships .../> written empty
            xml = re.sub(rb"<(" + re.escape(prefix) + rb"Relationships\b[^>]*?)\s*/>",
                         lambda m: m[1] + b">" + element + b"</" + prefix + b"Relationships>", xml, count=1)
        else:
            xml = xml[:end] + element + xml[end:]
        self.parts[path] = xml
        return rid

    def add_content_types(self, defaults: Mapping[str, str] = {}, overrides: Mapping[str, str] = {}) -> None:
        """Declare content types: *defaults* by extension (when not declared yet), *overrides* by part."""
        member = self.find("[Content_Types].xml")
        if member is None:
            raise PackageError("[Content_Types].xml missing")
        xml = self.parts[member]
        prefix = element_prefix(xml, "Types").decode()
        extra = "".join(f'<{prefix}Default Extension="{ext}" ContentType="{ct}"/>' for ext, ct in defaults.items()
                        if not re.search(rb'Extension="' + re.escape(ext.encode()) + rb'"', xml, re.IGNORECASE))
        extra += "".join(f'<{prefix}Override PartName="/{part}" ContentType="{ct}"/>' for part, ct in overrides.items())
        end = xml.rfind(f"</{prefix}Types>".encode())
        if end < 0:
            raise PackageError("no </Types>")
        self.parts[member] = xml[:end] + extra.encode() + xml[end:]

    def set_worksheet(self, name: str, xml: bytes) -> str:
        """Give worksheet *name* the content *xml*: its part is replaced when the sheet exists, else a sheet
        is added after the others (part, relationship, ``<sheet>`` entry, content type). Returns its member."""
        from xml.sax.saxutils import quoteattr  # not at start-up: it loads urllib and http
        existing = self.worksheets().get(name)
        if existing is not None:
            self.parts[existing[0]] = xml
            return existing[0]
        workbook = self.workbook_part()
        member = self.free_name(posixpath.join(workbook.rpartition("/")[0], "worksheets", "sheet{}.xml"))
        self.parts[member] = xml
        rid = self.add_relationship(workbook, WORKSHEET_REL, member)
        book = self.parts[workbook]
        sheet_id = max((int(m) for m in re.findall(rb'\bsheetId="(\d+)"', book)), default=0) + 1
        prefix = element_prefix(book, "sheets").decode()
        rel = _namespace_prefix(book, REL_NS)
        id_attr = f'{rel}:id' if rel else f'xmlns:r="{REL_NS}" r:id'
        element = f'<{prefix}sheet name={quoteattr(name)} sheetId="{sheet_id}" {id_attr}="{rid}"/>'.encode()
        end = book.find(f"</{prefix}sheets>".encode())
        if end < 0:
            raise PackageError("no </sheets>")
        self.parts[workbook] = book[:end] + element + book[end:]
        self.add_content_types(overrides={member: WORKSHEET_CT})
        return member

    def set_custom_property(self, name: str, value: str) -> None:
        """Give the package the custom document property *name* = *value* (text), replacing one of that name;
        the custom properties part is added when the package has none."""
        from xml.sax.saxutils import escape, quoteattr  # not at start-up: it loads urllib and http
        part = next((t for _, kind, t in self.relationships("") if kind == CUSTOM_PROPERTIES_REL and t in self.parts),
                    None)
        if part is None:
            part = self.find("docProps/custom.xml") or "docProps/custom.xml"
            if part not in self.parts:
                self.parts[part] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties '
                                    f'xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}"></Properties>').encode()
                self.add_content_types(overrides={part: CUSTOM_PROPERTIES_CT})
            self.add_relationship("", CUSTOM_PROPERTIES_REL, part)
        xml = self.parts[part]
        prefix = element_prefix(xml, "Properties").decode()
        vt = _namespace_prefix(xml, VT_NS)
        value_xml = f"<vt:lpwstr xmlns:vt=\"{VT_NS}\">" if not vt else f"<{vt}:lpwstr>"
        value_xml += escape(value) + (f"</{vt}:lpwstr>" if vt else "</vt:lpwstr>")
        existing = re.search(rb"<" + re.escape(prefix.encode()) + rb"property\b[^>]*\bname=\"" + re.escape(name.encode())
                             + rb"\".*?</" + re.escape(prefix.encode()) + rb"property>", xml, re.DOTALL)
        if existing:
            xml = xml[:existing.start()] + xml[existing.end():]
        pid = max((int(m) for m in re.findall(rb'\bpid="(\d+)"', xml)), default=1) + 1
        element = (f'<{prefix}property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
                   f"name={quoteattr(name)}>{value_xml}</{prefix}property>").encode()
        end = xml.rfind(f"</{prefix}Properties>".encode())
        if end < 0:   # <Properties/> written empty
            xml = re.sub(rb"<(" + re.escape(prefix.encode()) + rb"Properties\b[^>]*?)\s*/>",
                         lambda m: m[1] + b">" + element + f"</{prefix}Properties>".encode(), xml, count=1)
        else:
            xml = xml[:end] + element + xml[end:]
        self.parts[part] = xml

    def write(self, target: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the package atomically: the original members first, in their order and settings, then the added parts."""
        original = {info.filename for info in self.infos}
        date_time = self.infos[0].date_time if self.infos else (1980, 1, 1, 0, 0, 0)
        with atomic_output(target, force=force) as tmp:
            with zipfile.ZipFile(tmp, "w") as archive:
                for info in self.infos:
                    archive.writestr(info, self.parts[info.filename], compress_type=info.compress_type)
                for name, data in self.parts.items():
                    if name not in original:
                        archive.writestr(zipfile.ZipInfo(name, date_time=date_time), data,
                                         compress_type=zipfile.ZIP_DEFLATED)
        return Path(target)
