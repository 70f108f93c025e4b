"""base/files.py: a file takes its place whole or not at all."""

from __future__ import annotations

import os

import pytest

from base.files import partial_path, replacing, write_text_replacing


def test_the_new_file_takes_the_old_ones_place_and_nothing_is_left_beside_it(tmp_path):
    target = tmp_path / "发文登记.json"
    target.write_text("old", encoding="utf-8")
    with replacing(target) as partial:
        assert partial == partial_path(target) == tmp_path / ".发文登记.json.partial"
        partial.write_text("new", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old"  # readers see the old file until the end
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["发文登记.json"]


def test_an_error_while_writing_leaves_the_old_file_and_no_partial_one(tmp_path):
    target = tmp_path / "approvals.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(OSError, match="disk full"), replacing(target) as partial:
        partial.write_text("half", encoding="utf-8")
        raise OSError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["approvals.json"]


def test_a_durable_file_is_flushed_to_disk_before_it_takes_its_place(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    target = tmp_path / "record.json"
    assert write_text_replacing(target, "{}\n", durable=True) == target
    assert synced == [str(partial_path(target))]
    write_text_replacing(target, "[]\n")
    assert synced == [str(partial_path(target))]  # not durable: not flushed
    assert target.read_text(encoding="utf-8") == "[]\n"
