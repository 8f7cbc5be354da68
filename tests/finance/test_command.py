import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from finance.columns import HEADER
from tests.factories import make_order, make_product
from tests.finance.conftest import read_csv

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("export_orders", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_command_writes_the_period_to_stdout():
    product = make_product(price_cents=3300)
    inside = make_order([(product, 2)], paid_at=dt.datetime(2026, 1, 31, 23, 0, tzinfo=dt.UTC))
    make_order([(product, 1)], paid_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))

    rows = read_csv(run("--since", "2026-01-01", "--until", "2026-02-01"))

    assert [(row["order_reference"], row["line_amount"]) for row in rows] == [(inside.reference, "66.00")]


def test_command_filters_by_status_and_product():
    wanted, other = make_product(), make_product()
    refunded = make_order([(wanted, 1)], status="refunded", amount_refunded_cents=wanted.price_cents)
    make_order([(wanted, 1)], status="paid")
    make_order([(other, 1)], status="refunded", amount_refunded_cents=other.price_cents)

    rows = read_csv(run("--status", "refunded", "--product", wanted.slug))

    assert {row["order_reference"] for row in rows} == {refunded.reference}


def test_command_writes_the_same_csv_to_a_file(tmp_path):
    make_order([(make_product(), 1)], buyer_name="=cmd|' /C calc'!A0")
    target = tmp_path / "orders.csv"

    stdout = run()
    call_command("export_orders", "--output", str(target), stdout=io.StringIO(), stderr=io.StringIO())

    assert target.read_bytes().decode("utf-8") == stdout
    assert read_csv(stdout)[0]["buyer_name"].startswith("'=")
    assert list(tmp_path.iterdir()) == [target]


def test_command_bom_option():
    assert run("--bom").startswith("\ufeff" + ",".join(HEADER))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-13-01"], "--since: Enter a valid date."),
        (["--until", "01/02/2026"], "--until: Enter a valid date."),
        (["--since", "2026-02-01", "--until", "2026-01-01"], "--until must be a later day than --since."),
        (["--status", "paidd"], "--status: Select a valid choice."),
        (["--product", "no-such-product"], "--product: Select a valid choice."),
    ],
)
def test_bad_input_is_a_clear_message_and_exit_code_2(args, message):
    with pytest.raises(CommandError) as caught:
        run(*args)

    assert caught.value.returncode == 2
    assert message in str(caught.value)


def test_an_unwritable_output_is_a_clear_message_and_exit_code_2(tmp_path):
    with pytest.raises(CommandError) as caught:
        run("--output", str(tmp_path / "missing-folder" / "orders.csv"))

    assert caught.value.returncode == 2
    assert "does not exist" in str(caught.value)
    assert not (tmp_path / "missing-folder").exists()


def test_a_directory_as_output_is_a_clear_message_and_leaves_no_file(tmp_path):
    with pytest.raises(CommandError) as caught:
        run("--output", str(tmp_path))

    assert caught.value.returncode == 2
    assert "is a directory" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_cannot_be_replaced_leaves_no_partial_file(tmp_path):
    target = tmp_path / "orders.csv"
    target.mkdir()  # exists, but as a folder: the final rename fails
    (target / "keep").write_text("x")

    with pytest.raises(CommandError):
        run("--output", str(target))

    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv"]


def test_manage_py_exits_with_2_and_no_traceback_on_a_bad_date(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    result = subprocess.run(
        [sys.executable, "manage.py", "export_orders", "--since", "2026-01-01", "--until", "not-a-date"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "--until: Enter a valid date." in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
