from django.urls import URLPattern

from .dashboards_urls import urlpatterns as dashboard_patterns
from .reports_urls import urlpatterns as report_patterns

app_name = "analytics"
urlpatterns: list[URLPattern] = [*dashboard_patterns, *report_patterns]
