from .import_urls import urlpatterns as import_patterns
from .page_urls import urlpatterns as page_patterns

app_name = "crm"
urlpatterns = [*page_patterns, *import_patterns]
