from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Rule-free helpers every app may use; it imports no app of this project."""

    name = "common"
    verbose_name = "Common"
