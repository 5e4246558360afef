from django.urls import URLPattern

app_name = "funnel"
urlpatterns: list[URLPattern] = []
