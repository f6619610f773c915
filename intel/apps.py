from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class IntelConfig(AppConfig):
    name = "intel"
    verbose_name = "Competitive intelligence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from intel import checks, roles, signals  # noqa: F401 - checks registers on import

        signals.connect()
        roles.connect(self)


class IntelAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with rivalscope's site (the analysts' pages, models grouped by purpose)."""

    default = False  # named in INSTALLED_APPS; "intel" alone is IntelConfig
    default_site = "intel.admin_site.RivalscopeAdminSite"
