"""URLs of the CRM pages (board, lists, detail pages, settings)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
