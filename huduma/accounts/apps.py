from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "huduma.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from huduma.accounts import services
        from huduma.accounts.models import User
        from huduma.core import refcache

        user_logged_in.connect(services.record_sign_in, dispatch_uid="audit-sign-in")
        user_login_failed.connect(services.record_failed_sign_in, dispatch_uid="audit-sign-in-fail")
        user_locked_out.connect(services.record_lockout, dispatch_uid="audit-locked-out")
        refcache.invalidate_on_change(User)
