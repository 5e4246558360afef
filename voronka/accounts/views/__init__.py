"""Account pages. config/urls.py mounts `home`; everything else lives under accounts/urls.py."""

from .home import home

__all__ = ["home"]
