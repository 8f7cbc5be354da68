"""The holder's certificates on the purchases page (access.purchases_page names this through
settings.PURCHASES_PAGE_PANELS): each with its public page's link and the hide/show button."""

from learning.verification import certificates_of


def certificates_panel(*, email: str, only_order_id: int | None = None) -> dict | None:
    certificates = certificates_of(email)
    if not certificates:
        return None
    return {"template": "learning/_purchases_certificates.html", "certificates": certificates}
