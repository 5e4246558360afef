"""Placeholder page views; the UI shell replaces these."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from voronka.core.errors import ApplicationError

from .services.auth import login_authenticate


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html")


def login_view(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            user = login_authenticate(request=request, email=request.POST.get("email", ""),
                                      password=request.POST.get("password", ""))
        except ApplicationError as exc:
            error = exc
        else:
            login(request, user)
            return redirect("home")
    return render(request, "accounts/login.html", {"error": error}, status=400 if error else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse("todo")
