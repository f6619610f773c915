from django.apps import AppConfig


class IntelConfig(AppConfig):
    name = "intel"
    verbose_name = "Competitive intelligence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from intel import roles, signals

        signals.connect()
        roles.connect(self)
