"""URLs of the import, export-job and duplicate-merge pages."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
