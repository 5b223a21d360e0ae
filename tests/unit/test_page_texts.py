"""Page texts: both languages say the same things, and no page family hides another's words."""

from __future__ import annotations

from chalicelib.doors.public.feedback_texts import FEEDBACK_TEXTS
from chalicelib.doors.public.texts import TEXTS


def test_every_text_exists_in_both_languages():
    for family in (TEXTS, FEEDBACK_TEXTS):
        assert set(family["zh-CN"]) == set(family["en"])


def test_feedback_texts_do_not_override_the_query_page_texts():
    assert not set(TEXTS["zh-CN"]) & set(FEEDBACK_TEXTS["zh-CN"])
