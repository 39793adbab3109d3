from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "huduma.places"
    label = "places"
    verbose_name = "Places"

    def ready(self):
        from huduma.core import refcache
        from huduma.core.audit import audit_model_changes
        from huduma.places import models

        audit_model_changes(models.County, models.SubCounty, models.Centre, models.Counter)
        refcache.invalidate_on_change(models.Centre, models.Counter)
