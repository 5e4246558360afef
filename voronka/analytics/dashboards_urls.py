"""URLs of the dashboards pages (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
