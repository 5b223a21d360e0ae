"""Secret hashing, tokens, shop codes and typed configuration."""

from __future__ import annotations

import pydantic
import pytest

from chalicelib.config import settings_from_env
from chalicelib.domain.credentials import hash_secret, new_token, token_digest, verify_secret
from chalicelib.domain.shop import division_name, make_companycode, parse_shop_class


def test_secret_verifies_only_against_its_own_hash():
    encoded = hash_secret("correct horse")
    assert verify_secret("correct horse", encoded)
    assert not verify_secret("correct horse!", encoded)
    assert not verify_secret("correct horse", None)
    assert not verify_secret("correct horse", "md5$abc")


def test_two_hashes_of_one_secret_differ_by_salt():
    assert hash_secret("s") != hash_secret("s")


def test_tokens_are_32_hex_and_stored_by_digest():
    token = new_token()
    assert len(token) == 32 and int(token, 16) >= 0
    assert token_digest(token) != token and len(token_digest(token)) == 64


def test_companycode_is_division_plus_nine_digits():
    assert make_companycode("320102", 7) == "320102000000007"
    with pytest.raises(ValueError):
        make_companycode("320102", 10**9)


def test_division_names_come_from_gb_t_2260():
    assert division_name("320102") == "玄武区"
    assert division_name("329999") is None
    assert division_name("320000") is None


def test_shop_class_accepts_code_or_chinese_label():
    assert parse_shop_class("二类") == "class_2"
    assert parse_shop_class("quick_service") == "quick_service"
    assert parse_shop_class("四类") is None


def test_settings_validate_the_environment():
    settings = settings_from_env({"PROVINCE_CODE": "420000", "TOKEN_TTL_SECONDS": "600"})
    assert settings.province_prefix == "42"
    with pytest.raises(pydantic.ValidationError):
        settings_from_env({"PROVINCE_CODE": "420100"})
