"""Texts from a team's file, made safe for where they go: XML, and a terminal.

A company name, a label, a file name come from files we do not control. Two
places cannot take every character:

- **XML 1.0** forbids the C0 control characters but tab, line feed and
  carriage return (NUL, ESC, BEL...), lone surrogates and U+FFFE/U+FFFF: one
  of them written raw makes the part ill-formed and Excel refuses the whole
  file. :func:`xml_text` drops them (and :func:`xml_forbidden` says whether a
  text holds any, so a writer can report the cleaning).
- **A terminal** obeys control characters: ``ESC ] 0 ; title BEL`` in a
  company name would set the window's title, ``ESC [ 2 J`` clear the screen.
  :func:`display_text` shows each one escaped (``\\x1b``), so what is printed
  is what the file holds, and nothing more happens.

Domain core: standard library only.

Example:
    >>> xml_text("Ormelune\\x1b]0;x\\x07\\x00"), display_text("Ormelune\\x1b]0;x\\x07")
    ('Ormelune]0;x', 'Ormelune\\\\x1b]0;x\\\\x07')
"""

from __future__ import annotations

import re

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Every control character but line feed and tab (C0, DEL, C1), and lone surrogates (a file name that was
# not UTF-8, decoded by Python with surrogateescape), which no terminal encoding can write.
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def xml_forbidden(text: str) -> bool:
    """Whether *text* holds a character XML 1.0 forbids.

    >>> xml_forbidden("a\\tb\\nc"), xml_forbidden("a\\x00b")
    (False, True)
    """
    return _XML_FORBIDDEN.search(text) is not None


def xml_text(text: str) -> str:
    """*text* without the characters XML 1.0 forbids (tab, line feed and carriage return are kept).

    >>> xml_text("L\\x00igne\\x0b 1\\n"), xml_text("plan\\udce9")
    ('Ligne 1\\n', 'plan')
    """
    return _XML_FORBIDDEN.sub("", text) if _XML_FORBIDDEN.search(text) else text


def utf8_text(text: str) -> str:
    """*text* as UTF-8 can carry it (a database, a JSON file): each lone surrogate, what Python makes of a file
    name that was not valid UTF-8, becomes U+FFFD, as in every report.

    >>> utf8_text("plan-\\udce9t\\udce9.xlsx") == "plan-\\ufffdt\\ufffd.xlsx", utf8_text("été")
    (True, 'été')
    """
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"   # DEL, C1: as JSON escapes them too


def display_text(text: str) -> str:
    """*text* as a terminal may receive it: every control character but line feed and tab escaped.

    C0 controls are shown as ``\\x1b``; DEL, C1 controls and lone surrogates as ``\\u009b``, which is
    also how a JSON string escapes them, so a JSON report printed stays valid JSON.

    >>> display_text("a\\x1b[2Jb\\x9b\\tc\\n"), display_text("plan\\udce9.xlsx")
    ('a\\\\x1b[2Jb\\\\u009b\\tc\\n', 'plan\\\\udce9.xlsx')
    """
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


__all__ = ["display_text", "utf8_text", "xml_forbidden", "xml_text"]
