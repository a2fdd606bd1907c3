"""Parse untrusted XML with the standard library, refusing any document type declaration.

Official publications and the service's answers have no DTD; refusing one rules out entity
expansion ("billion laughs") and external entities, so parsing never touches the network.
Stdlib only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET


class UnsafeXml(ValueError):
    """The XML declares a document type (and so possibly entities); it is not parsed."""


class _RefuseDoctype(ET.TreeBuilder):
    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise UnsafeXml(f"document type declaration <!DOCTYPE {name}> refused")


def parse_xml(data: bytes) -> ET.Element:
    """The root element of ``data``.

    Raises:
        UnsafeXml: the document declares a document type.
        ET.ParseError: the document is not well-formed XML.
    """
    parser = ET.XMLParser(target=_RefuseDoctype())
    parser.feed(data)
    return parser.close()


def local_name(element: ET.Element) -> str:
    """An element's tag without its namespace (prefixes vary between publishers' files)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1]
