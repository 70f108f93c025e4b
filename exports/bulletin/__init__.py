"""The ranking bulletin (排名通报), its unit extracts, PDFs and manifests, written from the marts.

    from exports.bulletin import publish_bulletin, write_bulletin, write_unit_extract

The modules, in the order a bulletin is made: ``data`` (what it shows, read once from the marts:
``BULLETIN_MARTS`` names them) · ``format`` (how values read: rank changes, target texts, number formats)
· ``layout`` (cells on an A4 page: title block, widths, notes, conditional formats) · ``sheets``
(综合排名, 指标排名, 得分走势), ``attainment`` (目标完成情况), ``records`` (填报情况, 数据质量, 说明, 清单,
更正说明), ``extract`` (one unit's extract), ``charts`` · ``manifest`` (the inputs a bulletin was built
from, and what changed since) · ``pdf`` (LibreOffice prints the workbook) · ``publish`` (the API below).
Named styles, fonts, colours and the print set-up are shared with the other workbooks: ``exports.styles``.
"""

from exports.bulletin.pdf import PdfError
from exports.bulletin.publish import (
    BulletinResult,
    bulletin_stem,
    publish_bulletin,
    published_bulletins,
    write_bulletin,
    write_unit_extract,
)

__all__ = [
    "BulletinResult",
    "PdfError",
    "bulletin_stem",
    "publish_bulletin",
    "published_bulletins",
    "write_bulletin",
    "write_unit_extract",
]
