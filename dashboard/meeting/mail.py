"""The briefing by mail: the file as an attachment, a short summary in the body, over SMTP.

Credentials come from the environment (THIDUA_SMTP_USER, THIDUA_SMTP_PASSWORD), never from
the command line, where any user of the machine could read them in the process list.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from zoneinfo import ZoneInfo

from dashboard import numbers_dates as nd
from dashboard.engine.model import SinceComparison, Snapshot
from dashboard.meeting.strings import meeting_strings
from dashboard.usage_errors import UsageError

USER_VARIABLE, PASSWORD_VARIABLE = "THIDUA_SMTP_USER", "THIDUA_SMTP_PASSWORD"
TYPES = {"pdf": ("application", "pdf"), "md": ("text", "markdown"),
         "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def parse_server(text: str) -> tuple[str, int]:
    """HOST:PORT (IPv6 as [::1]:25)."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError.of("smtp_address", value=repr(text))
    return host.strip("[]"), int(port)


def summary(s: Snapshot, cmp: SinceComparison | None, lang: str) -> tuple[str, str]:
    """The subject and the body: the as-of instant, the count per status, the late units,
    what changed since."""
    tr = meeting_strings(lang)
    tz = ZoneInfo(s.campaign.timezone)
    moment = nd.moment(s.as_of, lang, tz)
    counts = {k: sum(getattr(a.summary, k) for a in s.areas)
              for k in ("done", "on_track", "behind", "no_data")}
    late = sorted({u.unit for u in (*s.reporters, *s.owners) if u.overdue})
    lines = [tr("mail.greeting"), "", tr("mail.intro", title=s.campaign.title(lang),
                                          moment=moment), "",
             tr("mail.counts", **counts),
             tr("mail.late", n=len(late), units=", ".join(late) or tr("since.none"))]
    if cmp is not None:
        lines += [tr("mail.since", baseline=nd.moment(cmp.baseline, lang, tz),
                     done=", ".join(t.target_id for t in cmp.done_since) or tr("since.none"),
                     slipped=", ".join(t.target_id for t in cmp.slipped) or tr("since.none"))]
    lines += ["", tr("mail.attached"), "", "-- ", "thidua"]
    return tr("mail.subject", moment=moment), "\n".join(lines) + "\n"


def message(*, sender: str, to: Sequence[str], subject: str, body: str, data: bytes,
            filename: str, fmt: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(body)
    maintype, subtype = TYPES[fmt]
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def send(msg: EmailMessage, host: str, port: int, *, starttls: bool,
         env: Mapping[str, str] = os.environ, timeout: float = 30.0) -> None:
    """Raises ValueError with one line when the server cannot be reached or refuses."""
    user, password = env.get(USER_VARIABLE), env.get(PASSWORD_VARIABLE)
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            if starttls:
                smtp.starttls(context=ssl.create_default_context())
            elif user:
                smtp.ehlo_or_helo_if_needed()
            if user and not starttls and smtp.has_extn("starttls"):
                raise UsageError.of("smtp_starttls_needed", server=f"{host}:{port}",
                                    variable=USER_VARIABLE)
            if user:
                if password is None:
                    raise UsageError.of("smtp_password_missing", variable=USER_VARIABLE,
                                        password_variable=PASSWORD_VARIABLE)
                smtp.login(user, password)
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:
        raise UsageError.of("mail_failed", server=f"{host}:{port}", detail=_reason(e)
                            ) from None
    if refused:
        raise UsageError.of("mail_refused", addresses=", ".join(sorted(refused)))


def _reason(e: BaseException) -> str:
    if isinstance(e, smtplib.SMTPResponseException):
        text = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) \
            else str(e.smtp_error)
        return f"{e.smtp_code} {text}"
    return str(e) or type(e).__name__
