from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project's wiring as an app: it listens for content saves on behalf of the page cache and holds
    the `bump_public_cache` command. No other app imports it."""

    name = "config"
    label = "site"
    verbose_name = "Site"

    def ready(self) -> None:
        from config import checks  # noqa: F401  registers the launch checks on settings
        from config.public_cache import listen_for_content_changes

        listen_for_content_changes()
