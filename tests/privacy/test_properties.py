"""Property tests: valid generated numbers in random Chinese text are found and masked."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from massline.privacy import find_pii, mask_text
from massline.privacy.checks import id_check_char, luhn_check_digit
from massline.privacy.synth import REGIONS

HAN = list(
    "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那要她出也得里后自以会可下过天去"
    "能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所"
    "同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活"
    "正感"
)
filler = st.text(alphabet=st.sampled_from(HAN), max_size=30)


@st.composite
def id_numbers(draw: st.DrawFn, valid: bool = True) -> str:
    region = draw(st.sampled_from(REGIONS))
    birth = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2015, 12, 31)))
    body = region + birth.strftime("%Y%m%d") + draw(st.from_regex(r"\A[0-9]{3}\Z"))
    check = id_check_char(body)
    if not valid:
        check = draw(st.sampled_from([c for c in "0123456789X" if c != check]))
    return body + check


phones = st.from_regex(r"\A1[3-9][0-9]{9}\Z")


@st.composite
def bank_cards(draw: st.DrawFn) -> str:
    body = "62" + draw(st.from_regex(r"\A[0-9]{14,16}\Z"))
    return body + luhn_check_digit(body)


def _found(text: str, value: str, entity: str) -> bool:
    start = text.index(value)
    return any(f.type == entity and (f.start, f.end) == (start, start + len(value)) for f in find_pii(text))


@settings(max_examples=150, deadline=None)
@given(before=filler, after=filler, value=id_numbers())
def test_when_valid_id_embedded_then_found_and_masked(before: str, after: str, value: str) -> None:
    text = before + value + after
    assert _found(text, value, "ID_CARD")
    assert value not in mask_text(text, "public")


@settings(max_examples=150, deadline=None)
@given(before=filler, after=filler, value=phones)
def test_when_valid_mobile_embedded_then_found_and_masked(before: str, after: str, value: str) -> None:
    text = before + value + after
    assert _found(text, value, "PHONE")
    assert value not in mask_text(text, "public")


@settings(max_examples=150, deadline=None)
@given(before=filler, after=filler, value=bank_cards())
def test_when_valid_bank_card_embedded_then_found_and_masked(before: str, after: str, value: str) -> None:
    text = before + value + after
    assert _found(text, value, "BANK_CARD")
    assert value not in mask_text(text, "public")


@settings(max_examples=200, deadline=None)
@given(before=filler, after=filler, value=id_numbers(valid=False))
def test_when_id_checksum_invalid_then_not_flagged_as_id(before: str, after: str, value: str) -> None:
    assert not any(f.type == "ID_CARD" for f in find_pii(before + value + after))


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=80))
def test_when_any_text_then_masking_never_crashes_and_spans_are_inside(text: str) -> None:
    for f in find_pii(text):
        assert 0 <= f.start < f.end <= len(text) and text[f.start : f.end] == f.text
    assert isinstance(mask_text(text, "public"), str)
