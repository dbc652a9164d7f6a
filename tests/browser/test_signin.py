"""Signing in: the development picker, a pasted token, and tokens the API refuses."""

from __future__ import annotations

import time

import jwt
from playwright.sync_api import Page, expect

from .conftest import SKIP_WITHOUT_CHROMIUM, Stack, shoot, sign_in

pytestmark = SKIP_WITHOUT_CHROMIUM


def test_the_development_picker_signs_in_with_the_chosen_tenant_and_role(page: Page, stack: Stack) -> None:
    sign_in(page, "acme", "ANALYST")
    expect(page.locator("#identity")).to_have_text("acme · ANALYST")
    expect(page.locator("#topbar")).to_be_visible()
    token = page.evaluate("sessionStorage.getItem('miq.token')")
    assert stack.gql(token, "{ me { tenantId roles } }")["me"] == {"tenantId": "acme", "roles": ["ANALYST"]}


def test_a_pasted_token_signs_in_and_sign_out_forgets_it(page: Page, stack: Stack) -> None:
    page.goto("/#/signin")
    page.fill("#token", f"Bearer {stack.token('rare_seeds', 'VIEWER')}")
    page.click("#token-signin button[type=submit]")
    page.locator("html[data-ready=home]").wait_for(state="attached")
    expect(page.locator("#identity")).to_have_text("rare_seeds · VIEWER")
    shoot(page, "signed_in_with_a_pasted_token")
    page.click("#sign-out")
    expect(page.locator("#token-signin")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('miq.token')") is None


def expired_token(stack: Stack) -> str:
    auth = stack.settings.auth
    now = int(time.time())
    claims = {
        "sub": "demo-analyst",
        "tenant_id": "acme",
        "roles": ["ANALYST"],
        "iat": now - 7200,
        "exp": now - 3600,
        "aud": auth.audience,
        "iss": auth.issuer,
    }
    return jwt.encode(claims, auth.secret.get_secret_value(), algorithm="HS256")


def test_an_expired_token_returns_to_sign_in_with_a_reason(page: Page, stack: Stack) -> None:
    page.goto("/#/signin")
    page.evaluate("token => sessionStorage.setItem('miq.token', token)", expired_token(stack))
    page.evaluate("location.hash = '#/dashboards'")
    expect(page.locator("#token-signin")).to_be_visible()
    expect(page).to_have_url(f"{stack.url}/#/signin")
    expect(page.get_by_role("alert")).to_contain_text("expired")
    assert page.evaluate("sessionStorage.getItem('miq.token')") is None
    expect(page.locator("#topbar")).to_be_hidden()


def test_a_token_expiring_during_the_session_returns_to_sign_in(page: Page, stack: Stack) -> None:
    sign_in(page, "acme", "VIEWER")
    page.evaluate("token => sessionStorage.setItem('miq.token', token)", expired_token(stack))
    page.click("a[data-nav=dashboards]")
    expect(page.locator("#token-signin")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("sign in again")
