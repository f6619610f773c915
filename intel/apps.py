from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "intel"
    verbose_name = "Competitive intelligence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from intel import checks, roles, signals  # noqa: F401 - checks registers on import

        signals.connect()
        roles.connect(self)
