"""Writing the JSON files beside a published document (a bulletin's manifest and tables).

One top-level key per line, each value on its line in compact JSON: ``json.dumps`` with ``indent`` falls
back to its pure-Python encoder, which took 0.14–0.17 s for each of a province's bulletin files; this
layout is written by its C encoder in 0.02–0.06 s. The file is replaced in one step, so a reader never
sees half of it.
"""

from __future__ import annotations

import json
from pathlib import Path

from base.files import write_text_replacing


def json_text(value: dict, *, sort_keys: bool = False) -> str:
    """``value`` as JSON text: one top-level key per line, the rest compact."""
    keys = sorted(value) if sort_keys else list(value)
    lines = [
        f"  {json.dumps(key, ensure_ascii=False)}: "
        f"{json.dumps(value[key], ensure_ascii=False, sort_keys=sort_keys, separators=(', ', ': '))}"
        for key in keys
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n" if lines else "{}\n"


def write_json_file(path: Path, value: dict, *, sort_keys: bool = False) -> Path:
    """Write ``value`` to ``path`` (``json_text``), replacing the file in one step."""
    return write_text_replacing(path, json_text(value, sort_keys=sort_keys))
