"""The fonts a 公文 names, and what stands in for them where they are not installed.

The document names the faces offices have (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体), as the
standard asks, so it prints right on the office's own machines and Word shows the names a 文秘 expects.
A server seldom has them: before LibreOffice prints the PDF, ``render_copy`` writes a copy of the document
in which each face that is not installed is replaced by the first installed one of its fallbacks (a
Song-style serif for 仿宋 and 小标宋, a Kai face for 楷体, a sans for 黑体), so the PDF shows the intended
style instead of whatever LibreOffice picks for an unknown name. The ``.docx`` itself is never changed.
The Makefile's ``system`` target installs fonts-arphic-ukai (Kai) and fonts-wqy-microhei (Hei; it also
stands in for the Song faces there). fonts-arphic-uming would give 仿宋 and 小标宋 a Song face, but it
also changes how the ranking workbook's PDF paginates (exports/bulletin_pdf.py falls back to it), so it is
left to the exports owner to add.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FONT_ATTRIBUTES = tuple(f"{{{W}}}{a}" for a in ("ascii", "hAnsi", "eastAsia", "cs"))


@dataclass(frozen=True)
class Face:
    """A face as the document names it, with what Word's font table says of it and what may stand in."""

    name: str  # as offices have it installed
    alt_name: str  # the face's English name (Word's font table w:altName)
    family: str  # Word's font table w:family: roman | modern | swiss
    fallbacks: tuple[str, ...]  # installed stand-ins for the PDF, best first
    embolden: bool = False  # a stand-in is light: print it bold (小标宋 is a heavy Song)


_SONG = ("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN", "AR PL SungtiL GB")
_SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")

FANGSONG = Face(
    "仿宋_GB2312", "FangSong_GB2312", "modern", ("仿宋", "FangSong", "STFangsong", *_SONG, *_SANS)
)
XIAOBIAOSONG = Face(
    "方正小标宋简体", "FZXiaoBiaoSong-B05S", "script", ("方正小标宋_GBK", *_SONG, *_SANS), embolden=True
)
HEITI = Face("黑体", "SimHei", "modern", ("SimHei", "STHeiti", *_SANS, *_SONG))
KAITI = Face(
    "楷体_GB2312",
    "KaiTi_GB2312",
    "modern",
    ("楷体", "KaiTi", "STKaiti", "AR PL UKai CN", "LXGW WenKai", *_SONG),
)
SONGTI = Face("宋体", "SimSun", "auto", ("SimSun", "Songti SC", *_SONG, *_SANS))
FACES = (FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI)


@cache
def installed_families() -> frozenset[str] | None:
    """Font family names fontconfig knows on this machine; None when fontconfig is not installed."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    listed = subprocess.run(
        [fc_list, "--format", "%{family}\n"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    return frozenset(name.strip() for line in listed.splitlines() for name in line.split(",") if name.strip())


def stand_ins(installed: frozenset[str] | None = None) -> dict[str, tuple[str, bool]]:
    """For each face not installed: (the first installed fallback, embolden). Empty when every face is
    installed, or when fontconfig cannot say (then LibreOffice's own choice stands)."""
    installed = installed_families() if installed is None else installed
    if installed is None:
        return {}
    chosen = {}
    for face in FACES:
        if face.name in installed:
            continue
        for fallback in face.fallbacks:
            if fallback in installed:
                chosen[face.name] = (fallback, face.embolden)
                break
    return chosen


def _substitute(xml: bytes, chosen: dict[str, tuple[str, bool]]) -> bytes:
    root = etree.fromstring(xml)
    for element in root.iter(f"{{{W}}}rFonts"):
        embolden = False
        for attribute in _FONT_ATTRIBUTES:
            name = element.get(attribute)
            if name in chosen:
                element.set(attribute, chosen[name][0])
                embolden |= chosen[name][1]
        if embolden and element.getparent() is not None:
            properties = element.getparent()
            for tag in ("bCs", "b"):  # each goes right after rFonts: b, then bCs
                if properties.find(f"{{{W}}}{tag}") is None:
                    element.addnext(etree.Element(f"{{{W}}}{tag}"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def render_copy(document: Path, copy: Path, installed: frozenset[str] | None = None) -> dict[str, str]:
    """Write ``copy``: ``document`` with the faces that are not installed replaced by their stand-ins.
    Returns {face: stand-in} (empty: the copy is byte-for-byte the document)."""
    chosen = stand_ins(installed)
    if not chosen:
        shutil.copyfile(document, copy)
        return {}
    with zipfile.ZipFile(document) as source, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("word/") and item.filename.endswith(".xml"):
                data = _substitute(data, chosen)
            target.writestr(item, data)
    return {face: fallback for face, (fallback, _) in chosen.items()}
