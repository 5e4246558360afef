"""Template helpers for the shell: Bootstrap classes on form widgets, the plotly script tag."""

from __future__ import annotations

from django import forms, template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

PLOTLY_PATH = "plotly/plotly.min.js"


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


@register.filter
def bootstrap(bound_field: forms.BoundField) -> SafeString:
    """Render a widget with Bootstrap's class and is-invalid when the field has errors."""
    classes = [_widget_class(bound_field.field.widget)]
    if bound_field.errors:
        classes.append("is-invalid")
    attrs: dict[str, str | bool] = {"class": " ".join(classes)}
    if bound_field.errors:
        attrs["aria-describedby"] = f"{bound_field.auto_id}-errors"
    elif bound_field.help_text:
        attrs["aria-describedby"] = f"{bound_field.auto_id}-help"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound_field: forms.BoundField) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.simple_tag
def plotly_script() -> SafeString:
    """The plotly.js bundle from the plotly wheel; pages with charts put this in {% block scripts %}."""
    return format_html('<script src="{}" defer></script>', static(PLOTLY_PATH))
