"""Fixtures for the accounts tests: a clean policy cache and a policy setter."""

import pytest

from tongzhan.accounts.models import SecurityPolicy


@pytest.fixture(autouse=True)
def fresh_policy_cache():
    # The policy is cached outside the database, so a rolled-back test would leak it.
    SecurityPolicy.forget_cached()
    yield
    SecurityPolicy.forget_cached()


@pytest.fixture
def set_policy(db):
    """set_policy(lockout_threshold=3) stores the policy with those values changed."""

    def _set(**values):
        policy = SecurityPolicy.objects.first() or SecurityPolicy(**SecurityPolicy.defaults())
        for name, value in values.items():
            setattr(policy, name, value)
        policy.save()
        SecurityPolicy.forget_cached()
        return policy

    return _set
