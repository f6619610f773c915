"""Refusing XML that declares entities, in whatever encoding its parser would read it.

Entity declarations are how billion-laughs and external-entity attacks start, and no
feed or page rivalscope reads needs them; ``intel.monitoring.parsing`` calls
:func:`refuse_xml_entities` on every document before an XML parser sees it.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import re

from intel.fetch import FetchError

_ENTITY_DECLARATION = "<!entity"

# How an XML parser tells a document's encoding before reading its declaration (XML
# 1.0, appendix F): a byte-order mark, or how "<?xm" looks in the first four bytes.
# Longer marks first: UTF-32's little-endian mark begins with UTF-16's.
_XML_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp500"),  # EBCDIC: the declaration names the code page
)
_XML_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")


def _xml_encodings(content: bytes) -> list[str]:
    """Every encoding an XML parser might read ``content`` in: the one its first bytes
    announce, and the one its declaration names."""
    found = next((encoding for signature, encoding in _XML_SIGNATURES if content.startswith(signature)), "utf-8")
    head = _decode_whole_units(content[:1024], found)
    declared = _XML_DECLARED_ENCODING.match(head)
    encodings = [found]
    if declared:
        # One Python does not know, no parser here reads either: they fall back to the
        # encodings already looked at.
        with contextlib.suppress(LookupError):
            encodings.append(codecs.lookup(declared.group(1)).name)
    return [encoding for encoding in dict.fromkeys(encodings) if not _ascii_compatible(encoding)]


@functools.cache
def _ascii_compatible(encoding: str) -> bool:
    """Whether every ASCII byte means its ASCII character and nothing more (UTF-8,
    Latin-1, Windows code pages): the search over the raw bytes already covered the
    document. Not UTF-7, whose "+" starts an escape, nor ISO-2022, whose escapes decode
    to nothing and so may stand inside the declaration's bytes."""
    if "2022" in encoding:
        return False
    ascii_bytes = bytes(range(128))
    try:
        return ascii_bytes.decode(encoding) == ascii_bytes.decode("ascii")
    except UnicodeError:
        return False


def _decode_whole_units(content: bytes, encoding: str) -> str:
    # A truncated last character or a bad sequence must not hide a declaration before it.
    name = codecs.lookup(encoding).name
    width = 4 if name.startswith("utf-32") else 2 if name.startswith("utf-16") else 1
    return content[: len(content) - len(content) % width].decode(encoding, errors="replace")


def refuse_xml_entities(content: bytes) -> None:
    """Raise FetchError if ``content`` declares XML entities (``<!ENTITY``).

    Entity declarations are how billion-laughs and external-entity attacks start, and
    no feed or page we read needs them. The declaration is looked for in the document
    as its parser would read it, in any encoding XML allows: UTF-16 and UTF-32 (where
    its bytes have zero bytes between them), EBCDIC, or whatever the XML declaration
    names (UTF-7 spells ``<`` as ``+ADw-``).
    """
    refused = FetchError("The document declares XML entities (<!ENTITY), which are refused.")
    if _ENTITY_DECLARATION.encode("ascii") in content.lower():
        raise refused
    for encoding in _xml_encodings(content):
        if _ENTITY_DECLARATION in _decode_whole_units(content, encoding).lower():
            raise refused
