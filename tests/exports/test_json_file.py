"""The JSON beside a published document: the same value read back, one top-level key per line."""

import json

from exports.json_file import json_text, write_json_file

VALUE = {
    "file": "社会治安综合治理考评排名通报_2022年6月.xlsx",
    "units": [{"unit_name": "大方县", "score": 85.0, "veto": False, "z": None, "a": 1}],
    "empty": {},
    "text": 'a "quoted" \\ back\nslash',
}


def test_the_text_reads_back_as_the_value_with_one_top_level_key_per_line():
    for sort_keys in (False, True):
        text = json_text(VALUE, sort_keys=sort_keys)
        assert json.loads(text) == VALUE
        lines = text.splitlines()
        assert lines[0] == "{" and lines[-1] == "}" and len(lines) == len(VALUE) + 2
        assert "大方县" in text  # Chinese as it is, not \\u escapes
    assert json_text(VALUE).splitlines()[1].startswith('  "file"')  # the caller's order
    assert json_text(VALUE, sort_keys=True).splitlines()[1].startswith('  "empty"')
    assert '{"a": 1, "score"' in json_text(VALUE, sort_keys=True)  # sorted inside too
    assert json.loads(json_text({})) == {}


def test_the_file_is_replaced_whole(tmp_path):
    path = tmp_path / "x.manifest.json"
    path.write_text("old", encoding="utf-8")
    assert write_json_file(path, VALUE) == path
    assert json.loads(path.read_text(encoding="utf-8")) == VALUE
    assert [p.name for p in tmp_path.iterdir()] == ["x.manifest.json"]  # no partial file left
