"""What the buyer's roster shows of each holder's learning: for every course of a seat, when they started,
how far they got (a percent, never a score), when they passed and their certificate. A fixed number of
queries however many seats.

A holder who bought their own seat of a course is on nobody's roster for it: their progress is theirs,
even when someone else also gave them a seat of that course."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F

from access.models import Grant
from catalog.models import Product
from learning.models import Certificate, Progress


@dataclass(frozen=True)
class CourseProgress:
    product_name: str
    started_at: dt.datetime | None = None
    percent: int = 0
    passed_at: dt.datetime | None = None
    certificate: Certificate | None = None
    private: bool = False  # the holder bought their own seat of this course: nothing is shown

    @property
    def started(self) -> bool:
        return self.started_at is not None

    @property
    def passed(self) -> bool:
        return self.passed_at is not None


def own_seats(pairs: set[tuple[str, int]], buyer_email: str) -> set[tuple[str, int]]:
    """(holder, product) of `pairs` whose holder holds a seat of it they bought themselves (another order
    than this buyer's)."""
    emails = {email for email, _ in pairs}
    return {
        pair
        for pair in Grant.objects.filter(
            holder_email__in=emails,
            product_id__in={product for _, product in pairs},
            state=Grant.State.ACTIVE,
            order__email=F("holder_email"),
        )
        .exclude(holder_email=buyer_email)
        .values_list("holder_email", "product_id")
        if pair in pairs
    }


def course_progress(grants: Iterable[Grant], buyer_email: str) -> dict[int, CourseProgress]:
    """The learning of each course grant's holder, by grant id (kits and unassigned seats have none).
    Expects `grant.product` loaded."""
    courses = [g for g in grants if g.holder_email and g.product.kind == Product.Kind.COURSE]
    pairs = {(g.holder_email, g.product_id) for g in courses}
    if not pairs:
        return {}
    emails, products = {e for e, _ in pairs}, {p for _, p in pairs}
    progress = {
        (p.holder_email, p.product_id): p
        for p in Progress.objects.filter(holder_email__in=emails, product_id__in=products)
    }
    certificates: dict[tuple[str, int], Certificate] = {}
    for certificate in Certificate.objects.filter(
        holder_email__in=emails, product_id__in=products, issued_on__isnull=False
    ).order_by("issued_event_at"):
        certificates[(certificate.holder_email, certificate.product_id)] = certificate  # the latest wins
    private = own_seats(pairs, buyer_email)
    found = {}
    for grant in courses:
        key = (grant.holder_email, grant.product_id)
        if key in private:
            found[grant.pk] = CourseProgress(grant.product.name, private=True)
            continue
        row = progress.get(key)
        found[grant.pk] = CourseProgress(
            grant.product.name,
            started_at=row.started_at if row else None,
            percent=row.percent if row else 0,
            passed_at=row.passed_at if row else None,
            certificate=certificates.get(key),
        )
    return found


def _date(value: dt.datetime | None) -> str:
    return value.date().isoformat() if value else ""


def _certificate(certificate: Certificate | None, verify_url) -> str:
    if certificate is None:
        return ""
    return verify_url(certificate) + ("" if certificate.valid else " (revoked)")


def csv_cells(courses: list[CourseProgress], verify_url) -> list[str]:
    """Started, Progress %, Passed, Certificate: one value per course, named when a seat has several."""
    shown = [c for c in courses if not c.private]

    def join(value) -> str:
        if len(shown) == 1:
            return value(shown[0])
        return "; ".join(f"{c.product_name}: {value(c) or '-'}" for c in shown)

    return [
        join(lambda c: _date(c.started_at)),
        join(lambda c: str(c.percent) if c.started else ""),
        join(lambda c: _date(c.passed_at)),
        join(lambda c: _certificate(c.certificate, verify_url)),
    ]
