"""Benchmark kit downloads: throughput and whether the process's memory grows with the file's size.

    .venv/bin/python scripts/bench_downloads.py                    # 5 MB then 50 MB, 5 downloads each
    .venv/bin/python scripts/bench_downloads.py --sizes 5 50 200 --downloads 10
    .venv/bin/python scripts/bench_downloads.py --quick            # one 1 MB file, twice: for CI

Each size runs in a fresh child process with its own throwaway SQLite database and MEDIA_ROOT in a
temporary folder (nothing touches the configured database or media). The child migrates, creates a kit,
a paid order with an active grant and a kit file of that size (written in 1 MB chunks), then downloads it
N times through the real view (`/access/download/<signed token>/`, Django's test client) reading the
streamed response chunk by chunk and throwing it away, as a browser would write it to disk. It prints the
MB/s and the growth of the process's peak resident memory (VmHWM) over the downloads: streaming keeps that
growth flat whatever the file's size; a view that read the file into memory would grow by the file's size.
It is a measurement, not a test: nothing here asserts.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def peak_rss_kb() -> int:
    """The process's peak resident set (VmHWM), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource  # not Linux: ru_maxrss is kB there too on Linux, bytes on macOS

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def configure_django(workdir: Path) -> None:
    sys.path.insert(0, str(PROJECT))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["DEBUG"] = "false"  # DEBUG would keep every query in memory
    os.environ["SECRET_KEY"] = "benchmark-only-not-a-secret"  # noqa: S105 (throwaway database, never served)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["COURSE_ENROLMENT_WEBHOOK_URL"] = ""
    os.environ["COURSE_ENROLMENT_WEBHOOK_SECRET"] = ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


def make_grant_and_file(size_mb: int):
    from django.core.files import File

    from access.models import Grant, KitFile
    from catalog.models import Product
    from checkout.models import Order, OrderLine

    product = Product.objects.create(
        name="Bench kit", slug="bench-kit", kind=Product.Kind.KIT, price_cents=1, currency="USD"
    )
    order = Order.objects.create(
        email="bench@example.com", status=Order.Status.PAID, currency="USD", subtotal_cents=1, total_cents=1
    )
    line = OrderLine.snapshot(order, product, 1)
    line.save()
    grant = Grant.objects.create(
        order=order,
        line=line,
        seat=1,
        product=product,
        holder_name="Bench",
        holder_email="bench@example.com",
        state=Grant.State.ACTIVE,
    )
    source = Path(tempfile.mkstemp(suffix=".bin")[1])
    chunk = os.urandom(MB)
    with source.open("wb") as handle:
        for _ in range(size_mb):
            handle.write(chunk)
    kit_file = KitFile(product=product, title=f"{size_mb} MB file")
    with source.open("rb") as handle:
        kit_file.file.save(f"bench-{size_mb}mb.bin", File(handle), save=False)
    kit_file.save()
    source.unlink()
    return grant, kit_file


def child(size_mb: int, downloads: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_downloads_") as workdir:
        configure_django(Path(workdir))
        from django.core.management import call_command
        from django.test import Client

        from access import links
        from access.models import Download

        call_command("migrate", verbosity=0)
        grant, kit_file = make_grant_and_file(size_mb)
        path = f"/access/download/{links.download_token(grant, kit_file)}/"
        client = Client()

        def fetch() -> int:
            response = client.get(path, secure=True)  # production settings redirect plain HTTP
            assert response.status_code == 200, response.status_code
            received = sum(len(chunk) for chunk in response.streaming_content)
            response.close()
            return received

        # A small warm-up so the first download's imports and caches do not count as growth.
        fetch()
        baseline = peak_rss_kb()
        started = time.perf_counter()
        received = sum(fetch() for _ in range(downloads))
        elapsed = time.perf_counter() - started
        disk_started = time.perf_counter()
        with kit_file.file.storage.open(kit_file.file.name, "rb") as handle:
            while handle.read(MB):
                pass
        disk_seconds = time.perf_counter() - disk_started
        logged = sum(Download.objects.values_list("bytes", flat=True))
        return {
            "size_mb": size_mb,
            "downloads": downloads,
            "received_mb": received / MB,
            "seconds": elapsed,
            "mb_per_s": received / MB / elapsed,
            "disk_mb_per_s": size_mb / disk_seconds,
            "baseline_mb": baseline / 1024,
            "peak_growth_mb": (peak_rss_kb() - baseline) / 1024,
            "logged_bytes_ok": logged == (downloads + 1) * size_mb * MB,
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 50], help="file sizes in MB")
    parser.add_argument("--downloads", type=int, default=5, help="downloads per size")
    parser.add_argument(
        "--quick", action="store_true", help="one 1 MB file downloaded twice (CI: does it still run?)"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.downloads = [1], 2
    if args.child is not None:
        print(json.dumps(child(args.child, args.downloads)))
        return
    print(
        f"{'file':>8} {'downloads':>9} {'MB/s':>8} {'disk MB/s':>10} {'peak RSS growth':>16} "
        f"{'baseline RSS':>13}  bytes logged"
    )
    for size in args.sizes:
        result = subprocess.run(  # noqa: S603 (our own interpreter and this script)
            [sys.executable, __file__, "--child", str(size), "--downloads", str(args.downloads)],
            capture_output=True,
            text=True,
            cwd=PROJECT,
        )
        if result.returncode:
            sys.exit(f"the {size} MB run failed:\n{result.stderr}")
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{figures['size_mb']:>5} MB {figures['downloads']:>9} {figures['mb_per_s']:>8.0f} "
            f"{figures['disk_mb_per_s']:>10.0f} "
            f"{figures['peak_growth_mb']:>13.1f} MB {figures['baseline_mb']:>10.1f} MB  "
            f"{'all' if figures['logged_bytes_ok'] else 'MISMATCH'}"
        )


if __name__ == "__main__":
    main()
