"""Settings for the CPMA storefront: one module, driven by environment variables.

Every variable is documented in `.env.example` and docs/operations.md (tests/test_docs.py checks the latter).
"""

from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def env_bool(name: str, *, default: bool) -> bool:
    """A yes/no switch. Unset or empty means the default; any word we do not know stops start-up, so a
    typo such as DEBUG=ture never silently turns a security switch off (django-environ would read False)."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of {', '.join(sorted(_TRUE | _FALSE))} (or unset), not {raw!r}."
    )


DEBUG = env_bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-never-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "common",
    "tax",
    "catalog",
    "checkout",
    "payments",
    "invoicing",
    "finance",
    "faq",
    "pages",
    "access",
    "learning",
    "teams",
    "recovery",
    "credit_notes",
    "corrections",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Last: the project's own wiring (page-cache invalidation); no app imports it.
    "config.apps.SiteConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    # Before the page cache and CommonMiddleware's slash redirect: a NUL in the path is a 400, never a 301.
    "config.security.RefuseControlCharactersInPathMiddleware",
    # Before anything reads the body (sessions, CSRF, forms); after the above so a 413 carries their headers.
    "config.request_body.RequestBodyLimitMiddleware",
    # Early, so a cache hit skips sessions, auth and the database entirely.
    "config.public_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.security.RefuseControlCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "catalog.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Seconds a connection is reused (0: one per request). Reuse saves PostgreSQL a new backend process per
# request; runserver's thread per request gains nothing from it. Behind PgBouncer in transaction mode set 0
# and DISABLE_SERVER_SIDE_CURSORS=true.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has two writers on one file: the server (the success page converges the order) and the
    # worker (fulfilling the same order). Each write transaction takes the write lock when it begins
    # (IMMEDIATE), so none fails half-way with "database is locked"; a writer waits up to `timeout` seconds
    # for the lock (the busy timeout); WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

vars().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CPMA <orders@example.com>")
# Seconds an SMTP connection may wait on the server; a mail server that accepts and never answers fails the
# email task (which retries later) instead of holding a worker for minutes.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Payment requests (docs/payments.md "My company pays"): invoices on terms, paid by card or bank transfer.
INVOICE_DAYS_UNTIL_DUE = env.int("INVOICE_DAYS_UNTIL_DUE", default=30)
# How long after payment a buyer may add a VAT number to their invoice (the VAT is then refunded and the
# invoice reverse-charged, once the registry confirms the number).
VAT_ID_CORRECTION_DAYS = env.int("VAT_ID_CORRECTION_DAYS", default=60)
# The bank transfer Stripe offers on the invoice (customer_balance): us_bank_transfer, gb_bank_transfer,
# eu_bank_transfer (then INVOICE_EU_BANK_COUNTRY: DE, FR, IE or NL), jp_bank_transfer, mx_bank_transfer.
INVOICE_BANK_TRANSFER_TYPE = env("INVOICE_BANK_TRANSFER_TYPE", default="us_bank_transfer")
INVOICE_EU_BANK_COUNTRY = env("INVOICE_EU_BANK_COUNTRY", default="IE")
if INVOICE_BANK_TRANSFER_TYPE not in (
    "us_bank_transfer",
    "gb_bank_transfer",
    "eu_bank_transfer",
    "jp_bank_transfer",
    "mx_bank_transfer",
):
    raise ImproperlyConfigured("INVOICE_BANK_TRANSFER_TYPE must be one of Stripe's bank transfer types.")
# Give access as soon as a payment request's invoice is issued, before the money arrives (an academy that
# trusts companies on terms); voiding the invoice or marking it uncollectible then takes access back.
INVOICE_ACCESS_ON_ISSUE = env_bool("INVOICE_ACCESS_ON_ISSUE", default=False)
# Payment requests email an address the buyer types: at most this many per payer address and per client
# address in a day, so the form cannot be used to send mail to strangers in bulk.
PAYMENT_REQUEST_LIMIT_PER_PAYER = env.int("PAYMENT_REQUEST_LIMIT_PER_PAYER", default=5)
PAYMENT_REQUEST_LIMIT_PER_IP = env.int("PAYMENT_REQUEST_LIMIT_PER_IP", default=20)
# The buyer's emailed link to a payment request's status page works this long (30-day terms and the reminders
# after the due date fit well inside it); an older link offers a fresh one by email.
PAYMENT_REQUEST_STATUS_LINK_MAX_AGE_DAYS = env.int("PAYMENT_REQUEST_STATUS_LINK_MAX_AGE_DAYS", default=90)
if PAYMENT_REQUEST_STATUS_LINK_MAX_AGE_DAYS < 1:
    raise ImproperlyConfigured("PAYMENT_REQUEST_STATUS_LINK_MAX_AGE_DAYS must be at least 1.")
# The seller's details the payer sees before choosing (name, address, registration, tax number); left at the
# name alone it is on the admin's "Needs attention" list (site.W003).
SELLER_DETAILS = env(
    "SELLER_DETAILS",
    default="Creative Project Management Academy",
)[:1000]
# Who is told when an order is flagged for review (empty: nobody; the admin home page still counts them).
FINANCE_ALERT_EMAIL = env("FINANCE_ALERT_EMAIL", default="")

# Who is asked whether a buyer's VAT number is registered (tax.registry): "live" (EU VIES, UK HMRC), "fake"
# (answers from the number itself: tests and `make run`) or "off" (nobody; numbers stay "not checked").
TAX_ID_REGISTRY = env("TAX_ID_REGISTRY", default="fake" if DEBUG else "live")
if TAX_ID_REGISTRY not in ("live", "fake", "off"):
    raise ImproperlyConfigured('TAX_ID_REGISTRY must be "live", "fake" or "off".')
VIES_BASE_URL = env("VIES_BASE_URL", default="https://ec.europa.eu/taxation_customs/vies/rest-api").rstrip(
    "/"
)
HMRC_BASE_URL = env("HMRC_BASE_URL", default="https://api.service.hmrc.gov.uk").rstrip("/")
# HMRC's check (version 2) is application-restricted: tax.hmrc gets a token with the OAuth client
# credentials of the academy's application on HMRC's Developer Hub (and the scope, when HMRC's docs name
# one); without them, UK numbers stay "not checked".
HMRC_CLIENT_ID = env("HMRC_CLIENT_ID", default="")
HMRC_CLIENT_SECRET = env("HMRC_CLIENT_SECRET", default="")
HMRC_OAUTH_SCOPE = env("HMRC_OAUTH_SCOPE", default="read:vat")
if not all(url.startswith(("https://", "http://")) for url in (VIES_BASE_URL, HMRC_BASE_URL)):
    raise ImproperlyConfigured("VIES_BASE_URL and HMRC_BASE_URL must be http(s) URLs.")
TAX_ID_REGISTRY_TIMEOUT_SECONDS = env.float("TAX_ID_REGISTRY_TIMEOUT_SECONDS", default=10)

# Background work (django-tasks with its database backend): every side effect of a payment is a task row
# written in the same transaction as the change that causes it; `manage.py db_worker` runs them.
# Three queues (common.tasks.QUEUES): "payments" (Stripe), "mail" (email) and "default" (the rest); in
# production each has its own workers (deploy/), `make run` runs one worker for all of them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "payments", "mail"]}}
# How often a failed task is tried in all, and the cap on the wait between tries (docs/payments.md "Background work").
TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=8)
TASK_RETRY_MAX_DELAY_SECONDS = env.int("TASK_RETRY_MAX_DELAY_SECONDS", default=3600)
# How long one run of a task may take before its worker counts as lost and the task runs again (a task may
# set its own lease: common.tasks.retrying_task).
TASK_LEASE_SECONDS = env.int("TASK_LEASE_SECONDS", default=300)
# `manage.py prune_records` (daily, deploy/) deletes succeeded task rows and handled Stripe events older than
# this many days; failed tasks and events not yet handled stay.
PRUNE_RECORDS_AFTER_DAYS = env.int("PRUNE_RECORDS_AFTER_DAYS", default=90)
if PRUNE_RECORDS_AFTER_DAYS < 7:
    raise ImproperlyConfigured("PRUNE_RECORDS_AFTER_DAYS must be at least 7: Stripe redelivers for 3 days.")

# How the apps meet without importing upwards (docs/development.md "Code layout"): a lower app names what a
# higher one adds. After an order's money moves, payments enqueues each of these tasks with the order's id;
# each decides from the order's current state what that means for its app.
ORDER_CHANGED_TASKS = ["access.tasks.converge_access", "recovery.tasks.order_changed"]
# After a refund or dispute of an order is recorded or changes, payments enqueues each of these with the
# order's id: credit notes issues the Stripe credit notes the order's invoices now call for.
MONEY_RETURNED_TASKS = ["credit_notes.tasks.issue_credit_notes"]
# reconcile_stripe runs each of these callables (start) -> lines after its own work: credit notes converges
# on Stripe's credit notes and checks the ledger (invoices less credit notes = money kept).
RECONCILE_EXTRAS = ["credit_notes.reconcile.reconcile"]
# The refund receipt's context gains what each of these callables (refund) -> dict returns: its credit note;
# for the VAT a correction refunded, the correction and who the receipt goes to (receipt_to, receipt_cc).
REFUND_RECEIPT_EXTRAS = ["credit_notes.emails.receipt_context", "corrections.emails.receipt_context"]
# Admin pieces other apps add to the order list (payments.admin) and catalog's product page.
ORDER_ADMIN_ACTIONS = ["finance.admin.export_selected"]
PAYMENT_REQUEST_ADMIN_ACTIONS = ["finance.admin.export_receivables"]
PRODUCT_ADMIN_INLINES = ["access.admin.KitFileInline"]
ORDER_ADMIN_INLINES = ["teams.admin.OrderSeatInline"]
ORDER_ADMIN_ACTIONS += ["access.admin.revoke_order_links"]
# Checkout's order emails (confirmation, refund receipt) carry a personal link to the purchases page made by
# this callable (order, email, sent_with) -> {"purchases_url", "order_url"}; empty: the plain page address.
ORDER_EMAIL_LINKS = "access.purchase_links.links_for_email"
# The success page signs the browser that paid in to the purchases page through this callable
# (request, order) -> the page's address, or "" when it did not; empty: nobody is signed in there.
PAYING_BROWSER_SIGN_IN = "access.sessions.sign_in_paying_browser"
# The success page brings the order in line with the Checkout Session Stripe returned through this callable
# (session, source=...) -> the order, or None when the session is not one of ours.
CHECKOUT_SESSION_CONVERGE = "payments.sessions.converge_session"
# The review page's context gains what each of these callables (request=, product=, visitor=, seats=) returns:
# "My company pays" adds its form and this browser's waiting requests (and the templates that show them).
REVIEW_PAGE_EXTRAS = ["invoicing.review_page.context", "recovery.consent.review_context"]
# The start of checkout (checkout.services.start_checkout) gives the review form's POST to each of these
# callables (data) -> a callable (order) -> extra Checkout Session parameters, or raises StartRefused:
# the reminder consent is stored and the session asks Stripe for a recovery link.
CHECKOUT_START_HOOKS = ["recovery.consent.checkout_start"]
# What checkout and payments ask about an order's payment requests (a module: invoicing/hooks.py, with the
# functions checkout.payers calls); None: no order has one.
PAYMENT_REQUEST_HOOKS = "invoicing.hooks"
# Tasks that changed name when checkout was split into checkout, payments and invoicing (and access into
# access and teams): a task queued under its old name runs under its new one (common.worker).
TASK_PATH_ALIASES = {
    "checkout.tasks.handle_stripe_event": "payments.tasks.handle_stripe_event",
    "checkout.tasks.sync_order": "payments.tasks.sync_order",
    "checkout.tasks.send_order_confirmation": "payments.confirmation.send_order_confirmation",
    "checkout.tasks.record_payment_fees": "payments.fees.record_payment_fees",
    "checkout.tasks.alert_finance": "payments.alerts.alert_finance",
    "checkout.tasks.send_refund_receipt": "payments.refund_receipts.send_refund_receipt",
    "checkout.tasks.send_payment_request": "invoicing.emails.send_payment_request",
    "checkout.tasks.issue_request_invoice": "invoicing.issuing.issue_request_invoice",
    "checkout.tasks.send_request_invoice": "invoicing.emails.send_request_invoice",
    "checkout.tasks.send_request_reminder": "invoicing.emails.send_request_reminder",
    "checkout.tasks.void_request_invoice": "invoicing.converge.void_request_invoice",
    "checkout.tasks.refresh_request_cash_balance": "invoicing.cash.refresh_request_cash_balance",
    "access.tasks.send_access_given_email": "access.emails.send_access_given_email",
    "access.tasks.send_access_ended_email": "access.emails.send_access_ended_email",
    "access.tasks.deliver_enrolment": "access.enrolment.deliver_enrolment",
    "access.tasks.send_seats_given_email": "teams.tasks.send_seats_given_email",
    "access.tasks.send_seat_reminder_email": "teams.tasks.send_seat_reminder_email",
}
# The purchases page links each order that gives access to its seat manager (teams) by this URL name, which
# takes the order's reference; empty: no link.
PURCHASES_SEAT_MANAGER_URL = "teams:seats"
# The purchases page lists the documents issued against each order's invoice (credit notes) from this
# callable (order ids) -> {order id: [notes with number, amount_cents, currency, pdf_url, invoice_number,
# created, no_money_moved], led by a replacement (kind "replacement": number, pdf_url, original_number) when
# a correction replaced the order's invoice}; empty: none shown. Corrections wraps credit_notes' notes.
PURCHASES_INVOICE_DOCUMENTS = "corrections.purchases.invoice_documents"
# Sections other apps add to the purchases page (access.purchases_page.panels): learning's certificates.
PURCHASES_PAGE_PANELS = ["learning.purchases.certificates_panel", "corrections.purchases.invoices_panel"]
# Where accounts payable correct an issued invoice's header from the payer's page (a URL name taking the
# payer's token, served by corrections); "" hides the link.
PAYER_CORRECTION_URL = "corrections:payer"
# The ledger check (credit_notes.ledger) adds the invoices this callable (order) -> {invoice id: (currency,
# total)} names: the originals corrections credited and their paid replacements.
LEDGER_INVOICES = "corrections.ledger.invoices"
# A refund after a correction is credited on the invoice that replaced the one it paid: this callable
# (order) -> {original invoice id: replacement id} names them (credit_notes.sources).
INVOICE_REPLACEMENTS = "corrections.ledger.replacements"
# Webhook event types other apps handle (payments.events): type -> callable (data, *, source) -> Order | None.
STRIPE_EVENT_EXTRAS = {
    "credit_note.created": "credit_notes.events.handle_credit_note_event",
    "credit_note.voided": "credit_notes.events.handle_credit_note_event",
}
# reconcile_access enqueues again the failed tasks (with no retry left) of these modules: access's own and
# those of the apps built on it, which access does not import.
RECONCILE_ACCESS_TASK_MODULES = [
    "access.tasks",
    "access.emails",
    "access.enrolment",
    "access.manual_enrolment",
    "learning.tasks",
    "learning.certificate_emails",
    "teams.tasks",
    "teams.roster_summary",
]


def _email_address(name: str, default: str) -> str:
    value = env(name, default=default)
    try:
        validate_email(value)
    except ValidationError:
        raise ImproperlyConfigured(
            f"{name} must be a plain email address such as academy@example.com."
        ) from None
    return value


# The academy's address for buyers: the contact page, the site pages and the over-50-seats message.
SITE_CONTACT_EMAIL = _email_address("SITE_CONTACT_EMAIL", "academy@example.com")
# Reply-To of order confirmations, so a buyer's reply reaches the people who answer buyers.
ORDER_REPLY_TO_EMAIL = _email_address("ORDER_REPLY_TO_EMAIL", SITE_CONTACT_EMAIL)
# Where payers and accounts payable write about a payment request or its invoice: Reply-To of the request,
# invoice, receipt and reminder emails, and the contact the invoices name.
RECEIVABLES_EMAIL = _email_address("RECEIVABLES_EMAIL", ORDER_REPLY_TO_EMAIL)
# The academy's details printed at the foot of every Stripe invoice (name, address, registration, contact).
# A payment request's invoice also names RECEIVABLES_EMAIL when the footer does not (invoicing.issuing).
INVOICE_FOOTER = env(
    "INVOICE_FOOTER",
    default=f"Creative Project Management Academy. Questions about this invoice: {RECEIVABLES_EMAIL}.",
)[:5000]

# Currencies (docs/catalogue.md "Currencies"): a request header with the visitor's two-letter country that
# the deployment's CDN or load balancer sets (Cloudflare's "CF-IPCountry", CloudFront's
# "CloudFront-Viewer-Country"), used for the first guess of the currency before the visitor chooses one.
# Empty: the guess comes from Accept-Language alone. Never trust a header that clients can set themselves:
# only one the proxy in front overwrites on every request (a visitor faking it only changes what they see).
CURRENCY_COUNTRY_HEADER = env("CURRENCY_COUNTRY_HEADER", default="")
# Stripe Adaptive Pricing (docs/payments.md "Currencies"): on, a visitor outside the pound and euro areas
# (whose currency is the default, US dollars) may pay in their own currency at Stripe's rate; the order
# records the presentment currency and amount Stripe reports. Off by default: prices are ours to set.
STRIPE_ADAPTIVE_PRICING = env_bool("STRIPE_ADAPTIVE_PRICING", default=False)

# Stripe Tax (docs/operations.md "Tax"): whether catalogue prices are before tax ("exclusive": VAT is added
# where it applies, the usual way to show US dollar prices) or include it ("inclusive"). Pages say which.
TAX_BEHAVIOR = env("TAX_BEHAVIOR", default="exclusive")
if TAX_BEHAVIOR not in ("exclusive", "inclusive"):
    raise ImproperlyConfigured("TAX_BEHAVIOR must be exclusive or inclusive.")
# Reminders for unfinished purchases, only to buyers who ticked the box (docs/operations.md "Checkout reminders").
# A session started with consent ends after this many minutes (Stripe allows 30 to 1440).
CHECKOUT_SESSION_MINUTES = env.int("CHECKOUT_SESSION_MINUTES", default=120)
if not 30 <= CHECKOUT_SESSION_MINUTES <= 1440:
    raise ImproperlyConfigured("CHECKOUT_SESSION_MINUTES must be between 30 and 1440 (Stripe's limits).")
# Percent of consenting sessions (by a stable hash of the session id) that get no reminder, to measure against.
RECOVERY_HOLDOUT_PERCENT = env.int("RECOVERY_HOLDOUT_PERCENT", default=10)
if not 0 <= RECOVERY_HOLDOUT_PERCENT <= 50:
    raise ImproperlyConfigured("RECOVERY_HOLDOUT_PERCENT must be between 0 and 50.")
# At most one reminder per buyer and product within this many days.
RECOVERY_REMINDER_WINDOW_DAYS = env.int("RECOVERY_REMINDER_WINDOW_DAYS", default=30)
if RECOVERY_REMINDER_WINDOW_DAYS < 1:
    raise ImproperlyConfigured("RECOVERY_REMINDER_WINDOW_DAYS must be at least 1.")
# How long the reminder's link back to the order works.
RECOVERY_LINK_MAX_AGE_DAYS = env.int("RECOVERY_LINK_MAX_AGE_DAYS", default=7)
if RECOVERY_LINK_MAX_AGE_DAYS < 1:
    raise ImproperlyConfigured("RECOVERY_LINK_MAX_AGE_DAYS must be at least 1.")
# Whether the session Stripe recovers from an expired one accepts promotion codes.
RECOVERY_ALLOW_PROMOTION_CODES = env_bool("RECOVERY_ALLOW_PROMOTION_CODES", default=False)

# Completing the Bundle: purchases within this many days count towards its price (docs/teams.md "Completing the Bundle").
BUNDLE_CREDIT_DAYS = env.int("BUNDLE_CREDIT_DAYS", default=365)
# Access after payment (docs/teams.md "Access"): download links, sign-in links for /purchases/, throttling.
DOWNLOAD_LINK_MAX_AGE_SECONDS = env.int("DOWNLOAD_LINK_MAX_AGE_SECONDS", default=24 * 3600)
SIGN_IN_LINK_MAX_AGE_SECONDS = env.int("SIGN_IN_LINK_MAX_AGE_SECONDS", default=30 * 60)
PURCHASES_SESSION_SECONDS = env.int("PURCHASES_SESSION_SECONDS", default=12 * 3600)
# Personal links in order emails (access.purchase_links): days each works unless staff revoke it sooner.
PURCHASES_LINK_MAX_AGE_DAYS = env.int("PURCHASES_LINK_MAX_AGE_DAYS", default=90)
if PURCHASES_LINK_MAX_AGE_DAYS < 30:
    raise ImproperlyConfigured("PURCHASES_LINK_MAX_AGE_DAYS must be at least 30: buyers keep order emails.")
SIGN_IN_THROTTLE_WINDOW_SECONDS = env.int("SIGN_IN_THROTTLE_WINDOW_SECONDS", default=3600)
SIGN_IN_LIMIT_PER_EMAIL = env.int("SIGN_IN_LIMIT_PER_EMAIL", default=5)
SIGN_IN_LIMIT_PER_IP = env.int("SIGN_IN_LIMIT_PER_IP", default=30)
# Claim links the buyer sends for an unassigned seat (docs/teams.md "Team seats").
CLAIM_LINK_MAX_AGE_SECONDS = env.int("CLAIM_LINK_MAX_AGE_SECONDS", default=30 * 24 * 3600)
# Course enrolment webhook (docs/payments.md "Course enrolment webhook"): both set, or neither.
COURSE_ENROLMENT_WEBHOOK_URL = env("COURSE_ENROLMENT_WEBHOOK_URL", default="")
COURSE_ENROLMENT_WEBHOOK_SECRET = env("COURSE_ENROLMENT_WEBHOOK_SECRET", default="")
COURSE_ENROLMENT_WEBHOOK_TIMEOUT = env.int("COURSE_ENROLMENT_WEBHOOK_TIMEOUT", default=10)
# The secret the course platform signs its progress events with (learning.webhook); empty: the endpoint is off.
COURSE_PLATFORM_EVENTS_SECRET = env("COURSE_PLATFORM_EVENTS_SECRET", default="")
if bool(COURSE_ENROLMENT_WEBHOOK_URL) != bool(COURSE_ENROLMENT_WEBHOOK_SECRET):
    raise ImproperlyConfigured(
        "Set both COURSE_ENROLMENT_WEBHOOK_URL and COURSE_ENROLMENT_WEBHOOK_SECRET, or neither."
    )
if COURSE_ENROLMENT_WEBHOOK_URL and not COURSE_ENROLMENT_WEBHOOK_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("COURSE_ENROLMENT_WEBHOOK_URL must be an http(s) URL.")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded kit files (the "default" storage below). Never served by URL: holders download them through
# signed, expiring links (access.views.download), streamed through the app. On this machine's disk under
# MEDIA_ROOT unless KIT_STORAGE_BUCKET names an S3-compatible bucket, which every app server then shares
# (docs/operations.md "Kit files on shared storage"). Keep MEDIA_ROOT outside STATIC_ROOT and any web root.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
KIT_STORAGE_BUCKET = env("KIT_STORAGE_BUCKET", default="")
if KIT_STORAGE_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "common.storage.StreamingS3Storage",
        "OPTIONS": {
            "bucket_name": KIT_STORAGE_BUCKET,
            # Empty: Amazon S3 itself; any S3-compatible service by its URL (https://s3.example.net).
            "endpoint_url": env("KIT_STORAGE_ENDPOINT_URL", default="") or None,
            "region_name": env("KIT_STORAGE_REGION", default="") or None,
            # Empty: boto3 finds credentials itself (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an instance role).
            "access_key": env("KIT_STORAGE_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("KIT_STORAGE_SECRET_ACCESS_KEY", default="") or None,
            "location": env("KIT_STORAGE_PREFIX", default="").strip("/"),
            # Private objects, never overwritten by an upload of the same name (a suffix is added, as on disk).
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
if DEBUG:
    # No collectstatic needed for `make run`; production serves hashed, compressed files.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


def _stripe_secret(name: str, *, live_prefixes: tuple[str, ...], prefix: str = "") -> str:
    """A Stripe key or secret, checked as written. A live key is refused even with spaces around it, and
    spaces or line breaks around any value stop start-up (Stripe would refuse every call, or every
    webhook signature would fail). The message never repeats the value."""
    raw = env(name, default="")
    value = raw.strip()
    if value.startswith(live_prefixes):
        raise ImproperlyConfigured(
            f"{name} is a live-mode key; this storefront runs in Stripe test mode only."
        )
    if value != raw:
        raise ImproperlyConfigured(
            f"{name} has spaces or line breaks around it (a copy-and-paste slip?); remove them."
        )
    if value and prefix and not value.startswith(prefix):
        raise ImproperlyConfigured(
            f"{name} must start with {prefix} (the endpoint's signing secret in Stripe)."
        )
    return value


# Stripe, test mode only.
STRIPE_SECRET_KEY = _stripe_secret("STRIPE_SECRET_KEY", live_prefixes=("sk_live_", "rk_live_"))
STRIPE_PUBLISHABLE_KEY = _stripe_secret("STRIPE_PUBLISHABLE_KEY", live_prefixes=("pk_live_",))
STRIPE_WEBHOOK_SECRET = _stripe_secret("STRIPE_WEBHOOK_SECRET", live_prefixes=(), prefix="whsec_")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
# Seconds per Stripe API call, and how often the library retries a failed call (same Idempotency-Key).
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# `make run` gives the local Stripe sandbox (stripe_sandbox/) a made-up key with this prefix; it is for
# development only, so production settings refuse it like a missing key.
STRIPE_SANDBOX_KEY_PREFIX = "sk_test_local_sandbox"
if not DEBUG and STRIPE_SECRET_KEY.startswith(STRIPE_SANDBOX_KEY_PREFIX):
    raise ImproperlyConfigured(
        "STRIPE_SECRET_KEY is the local Stripe sandbox's key, which runs only with DEBUG on; "
        "set your Stripe account's test keys."
    )
if STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "STRIPE_WEBHOOK_SECRET must be set when STRIPE_SECRET_KEY is: without it no payment is ever confirmed."
    )


# --- Production readiness: security, logging, caching, admin (docs/operations.md "Serving in production") ---

# Hardening is on whenever DEBUG is off; each switch can be relaxed from the environment (e.g. `make serve`
# turns the https redirect off to serve plain http on 127.0.0.1).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe /healthz over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env("SECURE_REFERRER_POLICY", default="same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
# Only set it when the proxy always overwrites that header, or clients could claim https.
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2 or not _proxy_ssl_header[0].startswith("HTTP_"):
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must look like HTTP_X_FORWARDED_PROTO,https.")
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
# The proxies (load balancers) whose X-Forwarded-For is believed, as addresses or networks
# (TRUSTED_PROXIES=10.0.0.0/8,192.0.2.7); empty: none, the client is REMOTE_ADDR. Every per-address limit,
# the lockout's records and the logs take the client address from common.client_ip.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ip_network(_proxy.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must list IP addresses or networks such as 10.0.0.0/8, not {_proxy!r}."
        ) from None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy, sent by config.security.ContentSecurityPolicyMiddleware. No inline scripts or
# styles anywhere. The browser also applies form-action to the redirect after a form POST, so the Stripe
# Checkout origin must be allowed there or the checkout's 303 to Stripe is blocked.
# Unset, it follows STRIPE_API_BASE: Stripe's API sends buyers to checkout.stripe.com; any other server (the
# local sandbox, the tests' fake) serves its payment page from its own origin.
STRIPE_CHECKOUT_ORIGIN = env("STRIPE_CHECKOUT_ORIGIN", default="") or (
    "https://checkout.stripe.com"
    if urlsplit(STRIPE_API_BASE).hostname == "api.stripe.com"
    else "{0.scheme}://{0.netloc}".format(urlsplit(STRIPE_API_BASE))
)
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],  # plus STRIPE_CHECKOUT_ORIGIN, added per response
}

# The DEBUG error page lists no settings and no environment (config/error_reports.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.error_reports.NoSettingsReporterFilter"

# Request bodies (config/request_body.py): a body declared larger than its URL's limit is answered 413 before
# a byte of it is read; a chunked one is cut at the limit. Forms take DATA_UPLOAD_MAX_MEMORY_SIZE, the Stripe
# webhook its own limit, the admin ADMIN_UPLOAD_MAX_BYTES (kit files). File parts are accepted from signed-in
# staff in the admin only: anywhere else the first file part ends the request with a 400, unstored.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1_048_576)
ADMIN_UPLOAD_MAX_BYTES = env.int("ADMIN_UPLOAD_MAX_BYTES", default=200 * 1_048_576)
FILE_UPLOAD_HANDLERS = [
    "config.request_body.FilePartsOnlyForStaffHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Admin lives at /<ADMIN_URL>; change it to keep drive-by scanners off the login page.
ADMIN_URL = env("ADMIN_URL", default="admin/")
if ADMIN_URL.startswith("/") or not ADMIN_URL.endswith("/"):
    raise ImproperlyConfigured("ADMIN_URL must look like 'admin/' (no leading slash, one trailing slash).")

# Login throttling per account (django-axes, attempts kept in the database so every app server agrees):
# after AXES_FAILURE_LIMIT failures the account refuses even the right password for AXES_COOLOFF_TIME.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"  # a styled page that says until when
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"  # the address its records show (TRUSTED_PROXIES)
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # its start-up banner would land in management commands' stdout (CSV exports)
# axes.W006 asks to lock by IP address as well. We lock accounts on purpose: behind a load balancer every
# visitor may share the proxy's address, and one attacker would lock everyone out of the admin.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Public pages that are the same for every visitor are cached whole (config/public_cache.py) and
# invalidated when any of PUBLIC_CACHE_MODELS is saved or deleted (the cache listens for it).
PUBLIC_CACHE_ENABLED = env_bool("PUBLIC_CACHE_ENABLED", default=True)
PUBLIC_CACHE_URL_NAMESPACES = ["catalog", "faq", "pages"]
PUBLIC_CACHE_URL_NAMES = ["sitemap", "robots"]
PUBLIC_CACHE_MODELS = [
    "catalog.Product",
    "catalog.BundleItem",
    "catalog.ProductPrice",
    "catalog.CurriculumModule",
    "faq.Question",
    "pages.Page",
]
# Each function of the request adds its answer to a page's cache key: the visitor's currency, so a page in
# pounds is stored apart from the same page in dollars (docs/catalogue.md "Currencies").
PUBLIC_CACHE_KEY_FUNCTIONS = ["catalog.currency.visitor_currency"]
# What those functions read, sent as Vary so browsers and CDNs keep the copies apart too.
PUBLIC_CACHE_VARY = [
    "Accept-Language",
    "Cookie",
    *([CURRENCY_COUNTRY_HEADER] if CURRENCY_COUNTRY_HEADER else []),
]
PUBLIC_CACHE_TIMEOUT = env.int("PUBLIC_CACHE_TIMEOUT", default=600)
PUBLIC_CACHE_MAX_AGE = env.int("PUBLIC_CACHE_MAX_AGE", default=60)
# How often (seconds) each process re-reads the shared version: how long other app servers may serve a page
# from before a staff edit. 0 reads it on every request.
PUBLIC_CACHE_VERSION_TTL = env.float("PUBLIC_CACHE_VERSION_TTL", default=1.0)

# Logs: one JSON object per line on stdout. gunicorn writes the one line per request
# (config/gunicorn.conf.py); Django adds order state changes (logger `checkout`), warnings and errors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
    },
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "checkout": {"level": "INFO"},  # orders and their money (checkout, payments, invoicing)
        "tasks": {"level": "INFO"},
        "access": {"level": "INFO"},
        # The stripe library logs every API call at INFO; its failures reach us as exceptions we log.
        "stripe": {"level": "WARNING"},
        # runserver's own request lines; gunicorn logs requests in production.
        "django.server": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
