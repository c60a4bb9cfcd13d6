"""The municipality settings issue 13 adds: the county's notice date, the handover
overlap and the name of the koordinerende enhet."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults() -> None:
    settings = load_settings()
    assert settings.county_notice == (10, 1)
    assert settings.handover_overlap_days == 14
    assert settings.ke_name == "koordinerende enhet"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("15.11", (11, 15)), ("1.2", (2, 1)), ("ingen", None), ("-", None), ("", (10, 1))],
)
def test_county_notice_date_per_municipality(typed, expected, monkeypatch) -> None:
    monkeypatch.setenv("KOORDBOT_VGS_COUNTY_NOTICE", typed)
    assert load_settings().county_notice == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"KOORDBOT_VGS_COUNTY_NOTICE": "29.02"}, "KOORDBOT_VGS_COUNTY_NOTICE is not valid"),
        ({"KOORDBOT_VGS_COUNTY_NOTICE": "1. oktober"}, "KOORDBOT_VGS_COUNTY_NOTICE is not valid"),
        ({"KOORDBOT_HANDOVER_OVERLAP_DAYS": "200"}, "KOORDBOT_HANDOVER_OVERLAP_DAYS is not valid"),
        ({"KOORDBOT_KE_NAME": "x"}, "KOORDBOT_KE_NAME is not valid"),
    ],
)
def test_malformed_settings_name_the_variable(env, expected, monkeypatch) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert expected in str(error.value)
