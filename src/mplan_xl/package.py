"""A copy of a team's workbook, part by part: what commands that write into a copy change, and nothing else.

An ``.xlsx``/``.xlsm`` file is a zip of XML parts (Open Packaging
Conventions). :class:`PackageCopy` loads every part's bytes, lets a command
replace or add a few, and writes a new zip in which every other part holds
exactly the bytes it had, in the same order, with the same member settings.
Relationships are resolved as the packaging spec says (the main part from
``_rels/.rels``, targets relative to their source, part names
case-insensitive).

Example:
    >>> copy = PackageCopy.open("plan.xlsx")                          # doctest: +SKIP
    >>> part = copy.worksheet_part("Budget")                          # doctest: +SKIP
    >>> copy.parts[part] = set_numbers(copy.parts[part], {"K5": 1200})  # doctest: +SKIP
    >>> copy.write("plan-actuals.xlsx")                               # doctest: +SKIP
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from .atomic import atomic_output

OFFICE_DOCUMENT_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
STRICT_OFFICE_DOCUMENT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _prefix(xml: bytes, local: bytes) -> bytes:
    """The namespace prefix (with its colon) under which *xml* writes element *local*."""
    match = re.search(rb"<([A-Za-z_][\w.-]*:)?" + local + rb"[\s>/]", xml)
    if match is None:
        raise PackageError(f"no <{local.decode()}> element")
    return match[1] or b""


def _namespace_prefix(xml: bytes, namespace: str) -> bytes | None:
    match = re.search(rb'xmlns:([\w.-]+)="' + re.escape(namespace.encode()) + rb'"', xml)
    return match[1] if match else None


def _attr(text: str) -> bytes:
    return escape(text, {'"': "&quot;"}).encode()


class PackageError(Exception):
    """The package lacks a part a command needs (the reader accepted it, so this is rare)."""


def rels_path(part: str) -> str:
    """The relationships part of *part*.

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


@dataclass
class PackageCopy:
    """Every part of a package, by name, with the zip members' settings to write them back as they were."""

    parts: dict[str, bytes]
    infos: list[zipfile.ZipInfo] = field(repr=False)

    @classmethod
    def open(cls, path: str | os.PathLike) -> "PackageCopy":
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            return cls({info.filename: archive.read(info) for info in infos}, infos)

    def find(self, name: str) -> str | None:
        """The member holding part *name* (part names are case-insensitive)."""
        if name in self.parts:
            return name
        lowered = name.lower()
        return next((member for member in self.parts if member.lower() == lowered), None)

    def relationships(self, source: str) -> list[tuple[str, str, str]]:
        """(id, type, target part) of *source*'s internal relationships."""
        member = self.find(rels_path(source))
        if member is None:
            return []
        out = []
        for rel in ElementTree.fromstring(self.parts[member]):
            if rel.get("TargetMode") != "External":
                out.append((rel.get("Id", ""), rel.get("Type", ""), resolve(source, rel.get("Target", ""))))
        return out

    def workbook_part(self) -> str:
        main = next((target for _, kind, target in self.relationships("")
                     if kind in (OFFICE_DOCUMENT_REL, STRICT_OFFICE_DOCUMENT_REL)), None)
        member = self.find(main) if main else None
        if member is None:
            raise PackageError("the package has no workbook part")
        return member

    def worksheet_parts(self) -> dict[str, str]:
        """Worksheet name -> the member holding it."""
        workbook = self.workbook_part()
        targets = {rid: target for rid, kind, target in self.relationships(workbook) if kind.endswith("/worksheet")}
        sheets = {}
        for element in ElementTree.fromstring(self.parts[workbook]).iter():
            if element.tag.rpartition("}")[2] != "sheet":
                continue
            rid = next((value for key, value in element.attrib.items() if key.rpartition("}")[2] == "id"
                        and key.startswith("{")), None)
            member = self.find(targets[rid]) if rid in targets else None
            if member is not None:
                sheets[element.get("name", "")] = member
        return sheets

    def worksheet_part(self, name: str) -> str:
        member = self.worksheet_parts().get(name)
        if member is None:
            raise PackageError(f"no worksheet {name!r}")
        return member

    def set_worksheet(self, name: str, xml: bytes) -> str:
        """Give worksheet *name* the content *xml*: its part is replaced when the sheet exists, else a sheet
        is added at the end of the workbook (part, relationship, content type). Returns its member."""
        existing = self.worksheet_parts().get(name)
        if existing is not None:
            self.parts[existing] = xml
            return existing
        workbook = self.workbook_part()
        folder = workbook.rpartition("/")[0]
        taken = {member.lower() for member in self.parts}
        n = 1
        while f"{folder}/worksheets/sheet{n}.xml".lower() in taken:
            n += 1
        member = f"{folder}/worksheets/sheet{n}.xml"
        self.parts[member] = xml
        rid = self._add_relationship(workbook, WORKSHEET_REL, f"worksheets/sheet{n}.xml")
        book = self.parts[workbook]
        ids = [int(m) for m in re.findall(rb'\bsheetId="(\d+)"', book)]
        prefix = _prefix(book, b"sheets")
        rel_prefix = _namespace_prefix(book, REL_NS)
        declare = b"" if rel_prefix else f' xmlns:r="{REL_NS}"'.encode()
        rel_prefix = rel_prefix or b"r"
        element = (b"<" + prefix + b'sheet name="' + _attr(name) + b'" sheetId="' + str(max(ids, default=0) + 1).encode()
                   + b'"' + declare + b" " + rel_prefix + b':id="' + rid.encode() + b'"/>')
        end = book.index(b"</" + prefix + b"sheets>")
        self.parts[workbook] = book[:end] + element + book[end:]
        types = self.find("[Content_Types].xml")
        if types is None:
            raise PackageError("the package has no [Content_Types].xml")
        xml_types = self.parts[types]
        override = f'<Override PartName="/{member}" ContentType="{WORKSHEET_TYPE}"/>'.encode()
        at = xml_types.rindex(b"</")
        self.parts[types] = xml_types[:at] + override + xml_types[at:]
        return member

    def _add_relationship(self, source: str, kind: str, target: str) -> str:
        path = rels_path(source)
        member = self.find(path) or path
        xml = self.parts.get(member, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                     b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                     b'</Relationships>')
        ids = {int(m) for m in re.findall(rb'\bId="rId(\d+)"', xml)}
        rid = f"rId{max(ids, default=0) + 1}"
        element = f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'.encode()
        at = xml.rindex(b"</")
        self.parts[member] = xml[:at] + element + xml[at:]
        return rid

    def write(self, target: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the package atomically: original members first, in their order and settings, then added parts."""
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
