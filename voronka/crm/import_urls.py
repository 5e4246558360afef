"""URLs of the import, export-job and duplicate-merge pages."""

from django.urls import path

from .views import imports, merge

urlpatterns = [
    path("imports/", imports.import_list_view, name="imports"),
    path("imports/<int:job_id>/", imports.import_detail_view, name="import-detail"),
    path("imports/<int:job_id>/confirm/", imports.import_confirm_view, name="import-confirm"),
    path("imports/<int:job_id>/progress/", imports.import_progress_view, name="import-progress"),
    path("imports/<int:job_id>/errors/", imports.import_errors_view, name="import-errors"),
    path("duplicates/", merge.duplicates_view, name="duplicates"),
    path("duplicates/merge/", merge.merge_view, name="merge"),
]
