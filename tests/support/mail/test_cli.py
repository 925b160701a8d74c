"""`flask mail parse FILE...`: the JSON lines DESIGN.md promises, and nothing written anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from core.extensions import db
from support.models import Ticket

FIXTURES = Path(__file__).parent / "fixtures"
KEYS = [
    "file",
    "subject",
    "from_email",
    "from_name",
    "to",
    "cc",
    "message_id",
    "in_reply_to",
    "references",
    "body",
    "reply",
    "attachments",
    "auto_reply",
    "bounce",
    "charset_problems",
]


def run(app, *args):
    return app.test_cli_runner().invoke(args=["mail", "parse", *args])


def test_one_json_line_per_file_with_exactly_the_documented_keys(app):
    files = [str(FIXTURES / "qq-mail.eml"), str(FIXTURES / "encoded-names-and-filenames.eml")]
    result = run(app, *files)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [list(line) for line in lines] == [KEYS, KEYS]
    qq, names = lines
    assert qq["file"] == files[0]
    assert qq["subject"] == "回复：[#1042] 服务器无法启动"
    assert qq["reply"] == "好的，我明天重启服务器再试一下。"
    assert qq["in_reply_to"] == "ticket-1042.1@aftercare.example"
    assert (qq["auto_reply"], qq["bounce"], qq["charset_problems"]) == (False, False, [])
    assert names["cc"] == ["lisi@example.cn", "wangwu@example.cn"]
    assert names["attachments"][0] == {"filename": "报告.pdf", "content_type": "application/pdf", "size": 15}
    assert all(
        list(attachment) == ["filename", "content_type", "size"] for attachment in names["attachments"]
    )


def test_chinese_is_printed_as_text_not_escapes(app):
    result = run(app, str(FIXTURES / "gmail-zh.eml"))
    assert "每天凌晨两点左右会出现。" in result.output


def test_unreadable_file_gets_an_error_line_and_a_failing_exit_code(app, tmp_path):
    missing = tmp_path / "missing.eml"
    result = run(app, str(missing), str(FIXTURES / "gmail-en.eml"), str(tmp_path))
    assert result.exit_code != 0
    first, second, third = (json.loads(line) for line in result.output.splitlines())
    assert first["file"] == str(missing) and first["error"]
    assert second["subject"] == "Re: [#1045] Nightly crash"  # the others are still parsed
    assert third["file"] == str(tmp_path) and third["error"]


def test_stdin(app):
    raw = (FIXTURES / "outlook-ks-c-5601.eml").read_bytes()
    result = app.test_cli_runner().invoke(args=["mail", "parse", "-"], input=raw)
    assert json.loads(result.output)["subject"] == "똠방 서버 점검 요청"


def test_parse_writes_nothing(app, sql_counter, tmp_path):
    tickets_before = db.session.scalar(sa.select(sa.func.count()).select_from(Ticket))
    upload_dir = Path(app.config["UPLOAD_DIR"])
    files_before = sorted(upload_dir.rglob("*")) if upload_dir.exists() else []
    with sql_counter() as counter:
        result = run(app, *sorted(str(p) for p in FIXTURES.glob("*.eml")))
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == len(list(FIXTURES.glob("*.eml")))
    assert counter.count == 0  # not even a read
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == tickets_before
    assert (sorted(upload_dir.rglob("*")) if upload_dir.exists() else []) == files_before
