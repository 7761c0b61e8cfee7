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
    assert f"không gửi được tài liệu họp qua 127.0.0.1:{port}" in err
    code, _, err = _brief(capsys, "--mail-to", "a@ubnd.example.vn")
    assert code == 2 and "--mail-to cần --smtp MÁY:CỔNG" in err
    code, _, err = _brief(capsys, "--mail-to", "a@x.vn", "--smtp", "mail.example.vn")
    assert code == 2 and "cần dạng MÁY:CỔNG" in err
    code, _, err = _brief(capsys)
    assert code == 2 and "--out TỆP, --mail-to ĐỊA-CHỈ" in err


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


def _tls_pair(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A certificate authority and a server certificate for 127.0.0.1 signed by it."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("UBND CA")).issuer_name(name("UBND CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(start)
          .not_valid_after(start + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(2).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    paths = tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "server.key"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


def test_starttls_sends_over_tls_and_refuses_an_untrusted_server(capsys, monkeypatch, tmp_path):
    """--starttls upgrades the connection and checks the server's certificate: an office's
    own certificate authority is trusted through SSL_CERT_FILE, an unknown one is refused."""
    import ssl

    ca, cert, key = _tls_pair(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Inbox()
    tls_sessions: list[bool] = []

    class TlsInbox(Inbox):
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            tls_sessions.append(server._tls_protocol is not None)
            return await box.handle_DATA(server, session, envelope)

    port = _free_port()
    controller = Controller(TlsInbox(), hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=box.authenticate,
                            auth_require_tls=True)
    controller.start()
    try:
        monkeypatch.setenv("THIDUA_SMTP_USER", "vanphong")
        monkeypatch.setenv("THIDUA_SMTP_PASSWORD", "mat-khau")
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "empty.pem"))  # trusts nobody
        (tmp_path / "empty.pem").write_text("")
        code, out, err = _brief(capsys, "--mail-to", "a@ubnd.example.vn", "--smtp",
                                f"127.0.0.1:{port}", "--starttls")
        assert code == 2 and out == "" and err.count("\n") == 1
        assert "CERTIFICATE_VERIFY_FAILED" in err and box.messages == [] and box.logins == []
        # without --starttls a password would travel in clear: refused, with the fix
        code, _, err = _brief(capsys, "--mail-to", "a@ubnd.example.vn", "--smtp",
                              f"127.0.0.1:{port}")
        assert code == 2 and "có STARTTLS: thêm --starttls" in err and box.messages == []
        monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # the office's own authority
        code, out, _ = _brief(capsys, "--mail-to", "a@ubnd.example.vn", "--smtp",
                              f"127.0.0.1:{port}", "--starttls")
        assert code == 0 and "Đã gửi báo cáo tới a@ubnd.example.vn" in out
        assert tls_sessions == [True] and box.logins == ["vanphong"]
        (_, _, msg), = box.messages
        assert [p.get_content_type() for p in msg.iter_attachments()] == ["application/pdf"]
    finally:
        controller.stop()
