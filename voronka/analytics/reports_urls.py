"""URLs of the reports pages (included by urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
