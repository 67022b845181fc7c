"""Per-user API tokens: shown once, stored as a SHA-256 digest, expiring and revocable;
`Authorization: Bearer` works against /api/v1/ only while the token is usable."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongzhan.accounts import services
from tongzhan.accounts.models import ApiToken
from tongzhan.audit.models import AuditAction, AuditEntry

TOKENS = reverse("accounts:token_list")
API = "/api/v1/people/"


def bearer(secret: str, path: str = API):
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {secret}")


def make_token(world, persona="village_a", days=30):
    return services.do_create_token(world.user(persona), "数据交换", days)


def test_creating_a_token_shows_the_secret_once_and_stores_only_its_digest(world, as_persona):
    client = as_persona("village_a")
    response = client.post(TOKENS, {"name": "区县数据交换", "days": 30})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    secret = html.split('data-testid="token-secret">')[1].split("<")[0]
    assert secret.startswith("tz_") and len(secret) > 40
    token = ApiToken.objects.get(user=world.user("village_a"))
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:8]
    stored = [str(v) for v in ApiToken.objects.values_list().get()]
    assert not any(secret in value for value in stored)
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    # The list shows name, prefix, dates and state, but never the secret again.
    again = client.get(TOKENS).content.decode()
    assert secret not in again
    for text in ("区县数据交换", token.prefix, "有效", "—"):
        assert text in again
    entry = AuditEntry.objects.get(action=AuditAction.CREATE)
    assert entry.object_type == "accounts.apitoken"
    assert secret not in entry.detail


def test_a_valid_token_authenticates_against_the_api_as_its_owner(world):
    token, secret = make_token(world)
    response = bearer(secret)
    assert response.status_code == 200
    names = {item["name"] for item in response.json()["items"]}
    assert names == {"张青山"}  # village A1 only: the owner's scope applies
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_expired_token_is_refused(world):
    token, secret = make_token(world)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = bearer(secret)
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或令牌无效"}


def test_a_revoked_token_is_refused(world, as_persona):
    token, secret = make_token(world)
    assert bearer(secret).status_code == 200
    response = as_persona("village_a").post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(secret).status_code == 401
    entry = AuditEntry.objects.filter(action=AuditAction.SECURITY).first()
    assert json.loads(entry.detail) == {"event": "token_revoked", "owner": "village_a"}


def test_a_token_of_a_deactivated_user_is_refused(world):
    _token, secret = make_token(world)
    services.do_set_active(world.user("county_admin"), world.user("village_a"), False)
    assert bearer(secret).status_code == 401


@pytest.mark.parametrize("header", ["Bearer tz_not-a-real-token", "Bearer xyz", "Token abc", ""])
def test_a_wrong_or_missing_token_is_refused(world, header):
    make_token(world)
    response = Client().get(API, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_another_users_token_cannot_be_revoked_by_its_id(world, as_persona):
    token, secret = make_token(world, "township_a")
    response = as_persona("village_a").post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert bearer(secret).status_code == 200


def test_revoking_needs_a_post(world, as_persona):
    token, _secret = make_token(world)
    client = as_persona("village_a")
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405


def test_the_validity_may_not_exceed_the_policy(world, as_persona, set_policy):
    set_policy(api_token_days=14)
    client = as_persona("village_a")
    page = client.get(TOKENS).content.decode()
    assert "最长 14 天" in page
    response = client.post(TOKENS, {"name": "x", "days": 15})
    assert "有效期最长 14 天。" in response.content.decode()
    assert not ApiToken.objects.exists()
    with pytest.raises(services.ValidationError):
        services.do_create_token(world.user("village_a"), "x", 15)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "days": 5}, "请填写令牌用途。"),
        ({"name": "x", "days": 0}, "有效期至少 1 天。"),
        ({"name": "x", "days": "七"}, "请输入整数天数。"),
    ],
)
def test_bad_token_input_gets_a_field_error(world, as_persona, data, message):
    response = as_persona("village_a").post(TOKENS, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_user_may_hold_only_a_few_active_tokens(world):
    for _ in range(services.MAX_ACTIVE_TOKENS):
        make_token(world)
    with pytest.raises(services.ValidationError) as caught:
        make_token(world)
    assert "有效令牌已达" in str(caught.value)


def test_the_list_shows_only_the_users_own_tokens(world, as_persona):
    theirs, _secret = services.do_create_token(world.user("township_a"), "乡镇的令牌", 10)
    services.do_create_token(world.user("village_a"), "我的令牌", 10)
    html = as_persona("village_a").get(TOKENS).content.decode()
    assert "我的令牌" in html
    assert "乡镇的令牌" not in html and theirs.prefix not in html


def test_the_security_admin_lists_and_revokes_anyones_token(world, as_persona):
    token, secret = make_token(world, "township_a")
    client = as_persona("security_admin")
    page = client.get(reverse("accounts:token_admin_list")).content.decode()
    assert "township_a" in page and token.prefix in page
    response = client.post(reverse("accounts:token_admin_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert bearer(secret).status_code == 401
    entry = AuditEntry.objects.filter(action=AuditAction.SECURITY).first()
    assert entry.username == "security_admin"


def test_only_the_security_admin_may_revoke_someone_elses_token(world):
    token, _secret = make_token(world, "township_a")
    with pytest.raises(services.PermissionDenied):
        services.do_revoke_token(world.user("county_admin"), token)
