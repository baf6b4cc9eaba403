"""A ZIP package read within limits: its central directory checked, each member inflated with a cap
(a member that inflates beyond what it declares, or beyond the limits, is refused)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from ..core.errors import UnreadableWorkbook
from ..core.vocabulary import Label
from .reader_limits import MIB, Limits, _corrupt, _oversized, _sizeLabel
from .sniff import ZIP_MAGIC
from .xml_safety import _safe_xml

_LYING_SIZE = Label("La partie {part} se décompresse au-delà de la taille qu'elle annonce ({declared}) : "
                    "archive piégée (bombe de décompression)",
                    "Part {part} inflates beyond the size it declares ({declared}): "
                    "a booby-trapped archive (zip bomb)")


class _Package:
    """The ZIP container, read from memory, with capped and verified inflation of members."""

    def __init__(self, data: bytes, limits: Limits):
        self.data = data
        self.view = memoryview(data)
        self.limits = limits
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise _corrupt("l'archive est tronquée ou n'est pas une archive ZIP valide",
                           "the archive is truncated or not a valid ZIP archive") from exc
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise _oversized("members", len(infos), limits.max_members)
        self.members: dict[str, zipfile.ZipInfo] = {}
        self.lower: dict[str, str] = {}
        self.xml_parts: dict[str, bytes] = {}
        # Parts python-calamine must be given changed: UTF-16 ones as UTF-8, sheets with an unreadable <dimension>.
        self.for_calamine: dict[str, bytes] = {}
        declared = 0
        for info in infos:
            low = info.filename.lower()
            if low in self.lower:  # OPC part names are case-insensitive: XL/A.XML and xl/a.xml are one part
                raise _corrupt("la partie {p} figure deux fois dans l'archive",
                               "part {p} appears twice in the archive", p=info.filename)
            self.members[info.filename] = info
            self.lower[low] = info.filename
            declared += info.file_size
            if info.file_size > MIB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise _oversized("ratio", info.file_size / max(info.compress_size, 1), limits.max_ratio,
                                 part=info.filename)
        if declared > limits.max_uncompressed_bytes:
            raise _oversized("uncompressed_bytes", declared, limits.max_uncompressed_bytes)

    def find(self, name: str) -> str | None:
        """The member name matching *name* (OPC part names are case-insensitive), or None."""
        name = name.lstrip("/")
        return name if name in self.members else self.lower.get(name.lower())

    def xml(self, name: str) -> bytes | None:
        """The XML part *name* (found case-insensitively) as safe UTF-8 bytes, or None when absent.

        Inflated once and cached. Only the parts a reader needs are ever
        inflated and checked: a part nobody reads (a UTF-16 ``customXml``
        item, a thumbnail) is none of our business.
        """
        member = self.find(name)
        if member is None:
            return None
        cached = self.xml_parts.get(member)
        if cached is None:
            raw = self.read(member)
            cached = self.xml_parts[member] = _safe_xml(member, raw)
            if cached is not raw:
                self.for_calamine[member] = cached
        return cached

    def part_xml(self, name: str) -> bytes:
        """The XML part *name*, which the caller has already found in the archive."""
        xml = self.xml(name)
        if xml is None:
            raise KeyError(name)
        return xml

    def read(self, name: str) -> bytes:
        """Inflate member *name*: never more bytes than it declares, checked against its CRC."""
        info = self.members[name]
        if info.flag_bits & 0x1:
            raise UnreadableWorkbook("encrypted-workbook")
        offset = info.header_offset
        header = self.view[offset:offset + 30]
        if len(header) < 30 or bytes(header[:4]) != ZIP_MAGIC:
            raise _corrupt("en-tête local manquant pour {p}", "missing local header for {p}", p=name)
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = offset + 30 + name_len + extra_len
        compressed = self.view[start:start + info.compress_size]
        if len(compressed) < info.compress_size:
            raise _corrupt("la partie {p} est tronquée", "part {p} is truncated", p=name)
        # The declared sizes passed the limits (total, ratio) in __init__, so
        # the declared size is the hard cap: never produce more than it plus
        # one byte, which is enough to catch a member lying about its size.
        cap = info.file_size
        if info.compress_type == zipfile.ZIP_STORED:
            out = bytes(compressed[:cap + 1])
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-15)
            try:
                out = inflater.decompress(compressed, cap + 1)
            except zlib.error as exc:
                raise _corrupt("données compressées invalides dans {p}", "invalid compressed data in {p}",
                               p=name) from exc
            if len(out) <= cap and not inflater.eof:
                raise _corrupt("la partie {p} est tronquée", "part {p} is truncated", p=name)
        else:
            raise _corrupt("méthode de compression {m} non prise en charge ({p})",
                           "unsupported compression method {m} ({p})", m=info.compress_type, p=name)
        if len(out) > cap:
            raise UnreadableWorkbook("oversized-workbook", _LYING_SIZE, part=name, declared=_sizeLabel(cap, exact=True))
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            raise _corrupt("la partie {p} ne correspond pas à sa taille ou à sa somme de contrôle",
                           "part {p} does not match its declared size or checksum", p=name)
        return out
