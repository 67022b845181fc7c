"""Helpers for the accounts tests: real TOTP codes and a real password login."""

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp


def code_for(device, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` periods later)."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{value:0{device.digits}d}"


def password_login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})
