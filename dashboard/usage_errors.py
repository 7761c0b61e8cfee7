"""Command lines that cannot run, and an object store that cannot be read: each message has a
code and parameters, its English template here (as the engine's errors have theirs in
dashboard/engine/errors.py). A UsageError is a ValueError with that English text; the CLI and
the stale banner show it in the chosen language through dashboard/reasons.py (`reason.<code>`
in the catalogues)."""

from __future__ import annotations

from typing import Self

USAGE_MESSAGES: dict[str, str] = {
    "size_form": "size {value} is not WIDTHxHEIGHT, e.g. 160x48",
    "size_range": "size {value} is out of range (40x10 to 1000x500)",
    "listen_address": "{option} {value}: expected HOST:PORT, e.g. 127.0.0.1:2222",
    "follow_address": "--follow {value}: expected HOST:PORT (serve-ssh's --meeting-feed), "
                      "e.g. 127.0.0.1:2223",
    "beyond_this_machine": "{option} {value}: beyond this machine; add --allow-remote if that "
                           "is what you want",
    "cannot_listen": "{option} {value}: cannot listen ({detail})",
    "not_whole_number": "{value} is not a whole number",
    "not_at_least_one": "{value} must be at least 1",
    "not_seconds": "{value} is not a number of seconds",
    "negative_seconds": "{value} must not be negative",
    "not_an_instant": "{option} {value} is not an ISO 8601 date or time (e.g. 2020-07-01 or "
                      "2020-07-01T14:00 or 2020-07-01T14:00+07:00)",
    "since_not_before": "--since {value}: must be before the as-of instant {now}",
    "out_in_data": "--out {out}: not inside the data folder (it belongs to the users)",
    "out_unwritable": "--out {out}: cannot write ({detail})",
    "brief_nowhere": "brief: say where it goes: --out FILE, --mail-to ADDR…, or both",
    "mail_needs_smtp": "--mail-to needs --smtp HOST:PORT",
    "brief_format": "--out {out}: say --format {formats} (or name it .pdf, .xlsx or .md)",
    "smtp_address": "--smtp {value}: expected HOST:PORT, e.g. mail.example.vn:587",
    "smtp_starttls_needed": "{server} offers STARTTLS: add --starttls, so that {variable}'s "
                            "password does not travel in clear",
    "smtp_password_missing": "{variable} is set but {password_variable} is not",
    "mail_failed": "could not send the briefing through {server}: {detail}",
    "mail_refused": "the server refused {addresses}",
    "setting_out_of_range": "{name} = {value} is out of range (allowed: a number of {unit} "
                            "from {low} to {high})",
    "setting_not_number": "{name} must be a number of {unit} from {low} to {high}, not {value}",
    "office_hours_form": "office hours {value} are not HH:MM-HH:MM (e.g. 07:00-18:00) or "
                         "\"always\"",
    "office_hours_clock": "office hours {value}: hours 00–24, minutes 00–59",
    "office_hours_empty": "office hours {value} open and close at the same time",
    "office_day": "office day {value} is not one of {days}",
    "kiosk_not_table": "campaign.toml: [kiosk] must be a table",
    "kiosk_unknown_keys": "campaign.toml: [kiosk] has unknown key(s) {keys} (known: {known})",
    "kiosk_office_hours_text": "[kiosk] office_hours must be text like \"07:00-18:00\"",
    "kiosk_office_days_list": "[kiosk] office_days must be a list like [\"mon\", \"fri\"]",
    "kiosk_unlock": "[kiosk] unlock {value} must be one of {actions}",
    "s3_credentials_in_address": "--data {value}: credentials and endpoints never go on the "
                                 "command line (use AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
                                 "AWS_ENDPOINT_URL or a profile)",
    "s3_bucket_name": "--data {value}: {bucket} is not a bucket name",
    "s3_prefix_dots": "--data {value}: the prefix may not hold . or ..",
    "s3_needs_folder": "--data {value}: this command needs a local folder",
    "bucket_unreachable": "bucket {bucket} cannot be reached ({detail})",
    "bucket_no_campaign": "{bucket}: no campaign.toml under this prefix (a campaign folder "
                          "needs one)",
    "object_denied": "the bucket does not let this object be read (access denied)",
}
"""Code → English template of every command-line message with a code. Each has words of its
own beside its parameters: a template of parameters alone would read any text as its own."""


def usage_message(code: str, **params: object) -> str:
    """The English text of message `code`."""
    return USAGE_MESSAGES[code].format(**params)


class UsageError(ValueError):
    """A command line (or a setting it reads) that cannot run. `UsageError.of(code, **params)`
    takes its English from USAGE_MESSAGES."""

    code = "other"

    @classmethod
    def of(cls, code: str, **params: object) -> Self:
        error = cls(usage_message(code, **params))
        error.code = code
        return error
