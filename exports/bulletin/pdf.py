"""The PDF of a workbook, printed by LibreOffice (``soffice --headless --convert-to pdf``) when installed.

    to_pdf(Path("通报.xlsx"))  -> Path("通报.pdf"), or None when LibreOffice is not installed

LibreOffice runs as a child process with a time limit, its own throw-away profile (two conversions at once
would otherwise fight over the user's profile lock) and output folder; the PDF is moved beside the
workbook only when complete. The workbook names 宋体 and 仿宋; where those fonts are missing (Linux
servers) a fontconfig file for the child maps them to an installed Simplified-Chinese serif, so the PDF
prints in a Song-style face instead of the default sans-serif.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from base.children import work_folder_prefix
from base.files import replacing
from exports.styles import FANGSONG, SERIF

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60
SOFFICE_NAMES = ("soffice", "libreoffice")
# First installed wins; the named font itself first, so a machine that has it uses it.
FONT_FALLBACKS = {
    SERIF: ("SimSun", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    FANGSONG: ("FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
}


class PdfError(RuntimeError):
    """LibreOffice ran but gave no PDF (crash, time-out or unreadable workbook)."""


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    for name in SOFFICE_NAMES:
        if found := shutil.which(name):
            return found
    return None


def fontconfig_file(folder: Path) -> Path:
    """A fontconfig file that includes the system one and maps 宋体/仿宋 to installed serifs."""
    system = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    rules = []
    for family, fallbacks in FONT_FALLBACKS.items():
        names = "".join(f"<string>{escape(f)}</string>" for f in fallbacks)
        rules.append(
            f'<match target="pattern"><test name="family" qual="any"><string>{escape(family)}</string></test>'
            f'<edit name="family" mode="prepend" binding="strong">{names}</edit></match>'
        )
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f'<include ignore_missing="yes">{escape(system)}</include>\n'
        + "\n".join(rules)
        + "\n</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def _run(command: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    """Run in a new process group, and kill the whole group on time-out (soffice forks soffice.bin)."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise PdfError(
            f"LibreOffice 转换超时（{timeout:g} 秒） / soffice timed out after {timeout:g} s"
        ) from None
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def to_pdf(workbook: Path, *, timeout: float = TIMEOUT_SECONDS, soffice: str | None = None) -> Path | None:
    """Write ``<workbook stem>.pdf`` beside ``workbook``; None when LibreOffice is not installed.

    Raises PdfError when LibreOffice is installed but gives no PDF in time.
    """
    soffice = soffice or soffice_path()
    if soffice is None:
        return None
    workbook = Path(workbook).resolve()
    target = workbook.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix=work_folder_prefix("pdf")) as tmp:  # swept if we are killed
        folder = Path(tmp)
        out = folder / "out"
        env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file(folder)), "HOME": str(folder)}
        command = [
            soffice,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(workbook),
        ]
        done = _run(command, env, timeout)
        made = out / target.name
        if not made.is_file() or made.stat().st_size == 0:
            detail = (done.stderr or done.stdout or b"").decode(errors="replace").strip()[-500:]
            raise PdfError(
                f"LibreOffice 未生成 PDF（退出码 {done.returncode}） / no PDF from soffice: {detail}"
            )
        with replacing(target) as partial:
            shutil.move(str(made), partial)
    log.info("PDF written: %s", target)
    return target
