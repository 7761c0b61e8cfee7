"""`thidua brief --mail-to`: a real SMTP server on 127.0.0.1 (aiosmtpd) receives the briefing;
and the weekly timer's units in deploy/."""

from __future__ import annotations

import email
import email.policy
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from dashboard.cli import build_parser, main
from tests.app_support import SAMPLE

NOW, SINCE = "2020-07-22T12:00", "2020-07-15"
DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"vanphong", b"mat-khau")
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box = Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=box.authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def _brief(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["brief", "--data", str(SAMPLE), "--now", NOW, "--since", SINCE, *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_the_pdf_arrives_with_a_vietnamese_summary(inbox, capsys, monkeypatch):
    box, port = inbox
    monkeypatch.delenv("THIDUA_SMTP_USER", raising=False)
    code, out, _ = _brief(capsys, "--mail-to", "a@ubnd.example.vn", "b@ubnd.example.vn",
                          "--smtp", f"127.0.0.1:{port}", "--from", "thidua@ubnd.example.vn")
    assert code == 0 and "Đã gửi báo cáo tới a@ubnd.example.vn, b@ubnd.example.vn" in out
    (sender, rcpts, msg), = box.messages
    assert sender == "thidua@ubnd.example.vn"
    assert rcpts == ["a@ubnd.example.vn", "b@ubnd.example.vn"]
    assert msg["Subject"] == "Báo cáo tiến độ thi đua – số liệu đến 12:00 22/7/2020"
    body = msg.get_body(("plain",)).get_content()
    assert "Chỉ tiêu: 3 hoàn thành, 22 đúng tiến độ, 5 chậm tiến độ, 1 chưa có số liệu." in body
    assert ("Đơn vị chậm báo cáo (2): Ban Chỉ huy Quân sự thành phố, UBND phường Vĩnh Trại."
            in body)
    assert "chuyển sang chậm tiến độ KT07" in body
    (part,) = list(msg.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "thidua-20200722-1200.pdf"
    assert part.get_content().startswith(b"%PDF-")
    assert box.logins == []


def test_credentials_come_from_the_environment(inbox, capsys, monkeypatch, tmp_path):
    box, port = inbox
    monkeypatch.setenv("THIDUA_SMTP_USER", "vanphong")
    monkeypatch.setenv("THIDUA_SMTP_PASSWORD", "mat-khau")
    out = tmp_path / "brief.pdf"
    code, said, _ = _brief(capsys, "--out", str(out), "--mail-to", "a@ubnd.example.vn",
                           "--smtp", f"127.0.0.1:{port}")
    assert code == 0 and out.is_file() and box.logins == ["vanphong"]
    assert said.startswith(f"Đã ghi {out}") and "Đã gửi báo cáo tới a@ubnd.example.vn" in said
    (_, _, msg), = box.messages
    (part,) = list(msg.iter_attachments())
    assert part.get_filename() == "brief.pdf" and part.get_content() == out.read_bytes()
    assert "--password" not in build_parser().format_help()  # never on the command line


def test_an_unreachable_server_is_one_line(capsys):
    port = _free_port()  # nobody listens there
    code, out, err = _brief(capsys, "--mail-to", "a@ubnd.example.vn", "--smtp",
                            f"127.0.0.1:{port}")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"could not send the briefing through 127.0.0.1:{port}" in err
    code, _, err = _brief(capsys, "--mail-to", "a@ubnd.example.vn")
    assert code == 2 and "--mail-to needs --smtp HOST:PORT" in err
    code, _, err = _brief(capsys, "--mail-to", "a@x.vn", "--smtp", "mail.example.vn")
    assert code == 2 and "expected HOST:PORT" in err
    code, _, err = _brief(capsys)
    assert code == 2 and "--out FILE, --mail-to ADDR" in err


def test_the_weekly_timer_runs_a_brief_thidua_accepts():
    service = (DEPLOY / "thidua-brief.service").read_text("utf-8")
    (exec_start,) = [ln.split("=", 1)[1] for ln in service.splitlines()
                     if ln.startswith("ExecStart=")]
    argv = shlex.split(exec_start)
    args = build_parser().parse_args(argv[1:])
    assert args.command == "brief" and args.mail_to and args.smtp and args.since == ""
    assert "PASSWORD" not in exec_start and "EnvironmentFile=/etc/thidua/smtp.env" in service
    timer = (DEPLOY / "thidua-brief.timer").read_text("utf-8")
    assert "OnCalendar=Wed *-*-* 07:00:00 Asia/Ho_Chi_Minh" in timer


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_brief_units_pass_systemd_analyze_verify(tmp_path):
    thidua = tmp_path / "thidua"
    thidua.write_text(f"#!/bin/sh\nexec {sys.executable} -m dashboard \"$@\"\n")
    thidua.chmod(0o755)
    for name in ("thidua-brief.service", "thidua-brief.timer"):
        text = (DEPLOY / name).read_text("utf-8").replace("/opt/thidua/bin/thidua", str(thidua))
        (tmp_path / name).write_text(text, "utf-8")
    run = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "thidua-brief.timer"),
                          str(tmp_path / "thidua-brief.service")], capture_output=True,
                         text=True, check=False, timeout=60)
    problems = [ln for ln in (run.stdout + run.stderr).splitlines() if "thidua-brief" in ln
                and "smtp.env" not in ln]
    assert run.returncode in (0, 1) and not problems, run.stdout + run.stderr
