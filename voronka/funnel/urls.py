from django.urls import URLPattern, path

from .views import forecast, pages

app_name = "funnel"
urlpatterns: list[URLPattern] = [
    path("", pages.funnel_view, name="funnel"),
    path("bottlenecks/", pages.bottlenecks_view, name="bottlenecks"),
    path("stalled/", pages.stalled_view, name="stalled"),
    path("forecast/", forecast.forecast_view, name="forecast"),
    path("forecast/snapshot/", forecast.forecast_snapshot_view, name="forecast-snapshot"),
    path("model/", forecast.model_view, name="model"),
    path("model/retrain/", forecast.model_retrain_view, name="model-retrain"),
]
