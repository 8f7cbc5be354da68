"""README: `EMAIL_URL=filemail:///sent-mail make run` writes each email as a file in the project's
`sent-mail/` folder; four slashes give an absolute path."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEND = (
    "import django; django.setup(); from django.core.mail import send_mail; "
    "send_mail('Your order', 'Thank you.', 'orders@cpma-academy.org', ['buyer@cpma-academy.org'])"
)


def send_one_email(email_url: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "true", "EMAIL_URL": email_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-c", SEND], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=True
    )


def test_three_slashes_write_into_a_folder_where_the_command_runs(tmp_path):
    send_one_email("filemail:///sent-mail", cwd=tmp_path)

    (written,) = (tmp_path / "sent-mail").iterdir()
    assert "Subject: Your order" in written.read_text()


def test_four_slashes_write_to_an_absolute_path(tmp_path):
    folder = tmp_path / "mail"

    send_one_email(f"filemail:///{folder}", cwd=ROOT)

    assert len(list(folder.iterdir())) == 1
