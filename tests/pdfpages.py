"""Count the pages of a PDF without a PDF library: WeasyPrint compresses its objects
into Flate streams, so look in the decompressed streams too."""

from __future__ import annotations

import re
import zlib

PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def page_count(pdf: bytes) -> int:
    found = len(PAGE.findall(pdf))
    for raw in STREAM.findall(pdf):
        try:
            found += len(PAGE.findall(zlib.decompress(raw)))
        except zlib.error:
            continue
    return found
