"""XML parts made safe before parsing: no DTD, no entity declaration, only UTF-8 (or UTF-16 re-encoded),
then parsed by the fast C ElementTree parser."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from ..core.errors import UnreadableWorkbook
from ..core.vocabulary import Label
from .reader_limits import _corrupt, _invalid_xml

_MAIN_NSS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
             "http://purl.oclc.org/ooxml/spreadsheetml/main")


_XML_DECLARED_ENCODING = re.compile(rb'^\s*<\?xml[^>]*?\sencoding\s*=\s*["\']([^"\']*)["\']')
#: A DTD or an entity declaration; one pass (two ``in`` tests cost twice as much on XML, so full of ``<``).
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_UTF16_DECLARATION = re.compile(r'^(\s*<\?xml[^>]*?\sencoding\s*=\s*["\'])utf-16(?:le|be)?(["\'])', re.I)


def _safe_xml(part: str, xml: bytes) -> bytes:
    """*xml* as UTF-8 bytes free of DTD and entity declarations, or :class:`UnreadableWorkbook`.

    The packaging spec allows UTF-8 and UTF-16; a UTF-16 part is transcoded
    (and its declaration said UTF-8). Other declared encodings are refused:
    a single-byte encoding could spell ``<!DOCTYPE`` with other bytes. With
    UTF-8 guaranteed, a byte search for ``<!DOCTYPE`` and ``<!ENTITY`` is
    conclusive, and without a DTD an XML parser expands no entity and
    fetches nothing. Excel writes every part in UTF-8, without a DTD.
    """
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in xml[:64]:
        # With a byte-order mark "utf-16" reads it; without, "<" is 00 3C (big-endian) or 3C 00.
        if xml[:2] in (b"\xff\xfe", b"\xfe\xff"):
            encoding = "utf-16"
        else:
            encoding = "utf-16-be" if xml[:1] == b"\x00" else "utf-16-le"
        try:
            text = xml.decode(encoding)
        except UnicodeDecodeError as exc:
            raise _corrupt("la partie {p} n'est ni en UTF-8 ni en UTF-16", "part {p} is neither UTF-8 nor UTF-16",
                           p=part) from exc
        xml = _UTF16_DECLARATION.sub(r"\1UTF-8\2", text.lstrip("\ufeff"), count=1).encode("utf-8")
    if _DECLARATION.search(xml):
        raise UnreadableWorkbook("unsafe-xml", part=part)
    declared = _XML_DECLARED_ENCODING.match(xml[:200].removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise UnreadableWorkbook("unsafe-xml", Label(
            "Le classeur déclare un encodage XML refusé par sécurité ({encoding}) dans la partie {part}",
            "The workbook declares an XML encoding refused for safety ({encoding}) in part {part}"),
            part=part, encoding=declared.group(1).decode("ascii", "replace"))
    return xml


def _parse_xml(part: str, xml: bytes) -> ElementTree.Element:
    """Parse a small XML part that :func:`_safe_xml` passed (no DTD, no entity, UTF-8).

    With those refused up front, the C ElementTree parser is as safe as
    defusedxml's and several times faster (defusedxml has to hook the
    pure-Python parser to watch for declarations).
    """
    try:
        return ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise _invalid_xml(part, line, column) from exc


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
