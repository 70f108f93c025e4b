"""Publishing leaves the draft 公文 beside the bulletin, and ``pingan issue`` issues it under the next
发文字号: on a home built by a real Dagster run (conftest ``built_home``), through the command line."""

import json

from docx import Document

from orchestration.cli import main
from tests.orchestration.conftest import copy_home

DRAFT = "社会治安综合治理考评排名通报_2022年12月.docx"


def test_the_published_bulletin_has_its_draft_and_issue_numbers_it(built_home, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PINGAN_BULLETIN_PDF", "0")  # the PDF is measured in tests/exports/test_notice_pdf.py
    home = copy_home(built_home.home, tmp_path / "home")
    reports = home.reports / "2022-12"
    # The Dagster run that published the December bulletin wrote the draft beside the workbook.
    draft = Document(str(reports / DRAFT))
    assert [p.text for p in draft.paragraphs[:2]] == ["草稿", "毕节市社会治安综合治理委员会办公室文件"]
    assert draft.paragraphs[2].text.endswith("〕  号") and draft.core_properties.category == "草稿"
    assert (reports / "社会治安综合治理考评排名通报_2022年12月.xlsx").is_file()

    capsys.readouterr()
    code = main(["issue", "--home", str(home.root), "--period", "2022-12", "--date", "2023-01-06", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["number"] == "毕综治办〔2023〕1号" and not result["already_issued"]
    issued = Document(result["docx"])
    texts = [p.text for p in issued.paragraphs]
    assert texts[2] == "毕综治办〔2023〕1号" and "2023年1月6日" in texts
    manifest = json.loads(
        (reports / "社会治安综合治理考评排名通报_2022年12月.manifest.json").read_text("utf-8")
    )
    assert manifest["notice"]["number"] == "毕综治办〔2023〕1号"
    assert json.loads((home.notices / "发文登记.json").read_text("utf-8"))["issued"][0]["period"] == "2022-12"

    # Again: already issued, the same number, nothing new taken.
    assert main(["issue", "--home", str(home.root), "--period", "2022-12", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["number"], again["already_issued"]) == ("毕综治办〔2023〕1号", True)
    assert len(json.loads((home.notices / "发文登记.json").read_text("utf-8"))["issued"]) == 1


def test_issue_says_plainly_what_is_wrong(built_home, tmp_path, capsys):
    home = copy_home(built_home.home, tmp_path / "home")
    assert main(["issue", "--home", str(home.root)]) == 2
    assert "--period" in capsys.readouterr().err
    assert main(["issue", "--home", str(home.root), "--period", "2022-12", "--date", "2023年1月6日"]) == 2
    assert "2023-01-05" in capsys.readouterr().err
    assert main(["issue", "--home", str(home.root), "--period", "2022-06"]) == 1  # no bulletin published
    assert "pingan report" in capsys.readouterr().err
    assert not (home.notices / "发文登记.json").exists()
