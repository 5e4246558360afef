"""The channel catalogue pages; config/urls.py mounts them at /channels/."""

from django.urls import path

from . import views

app_name = "channels"
urlpatterns = [
    path("", views.channel_list_view, name="list"),
    path("new/", views.channel_create_view, name="create"),
    path("<int:channel_id>/", views.channel_edit_view, name="edit"),
    path("<int:channel_id>/deactivate/", views.channel_deactivate_view, name="deactivate"),
    path("<int:channel_id>/activate/", views.channel_activate_view, name="activate"),
]
