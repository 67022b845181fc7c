"""URLs of the accounts app."""

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    # Under /accounts/otp/ the security gate lets a not-yet-verified user through.
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/disable/", views.otp_disable, name="otp_disable"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    # 系统管理员
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/roles/new/", views.role_add, name="role_add"),
    path(
        "users/<int:pk>/roles/<int:assignment_pk>/remove/",
        views.role_remove,
        name="role_remove",
    ),
    # 安全管理员
    path("security/", views.security_policy, name="security_policy"),
    path("security/unlock/", views.account_unlock, name="account_unlock"),
    path("security/tokens/", views.token_admin_list, name="token_admin_list"),
    path("security/tokens/<int:pk>/revoke/", views.token_admin_revoke, name="token_admin_revoke"),
]
