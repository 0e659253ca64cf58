"""Rule components as tables: text in, label (and the cue that explains it) out."""

from __future__ import annotations

import pytest

from massline.analyze.places import Places, find_places
from massline.analyze.request_type import classify_request_type
from massline.analyze.segment import Segmenter, cut
from massline.analyze.sentiment import classify_sentiment
from massline.analyze.urgency import classify_urgency
from massline.core.types import Doc


@pytest.mark.parametrize(
    ("title", "text", "label", "cue"),
    [
        ("投诉A2区某歌厅噪音扰民", "每晚唱到凌晨，严重影响休息。", "complaint", "投诉"),
        ("咨询公积金提取条件", "请问异地购房能否提取公积金？", "inquiry", "咨询"),
        ("建议在五一广场增设公厕", "希望有关部门考虑。", "suggestion", "建议"),
        ("实名举报某公司偷排废水", "该公司违法偷排，请查处。", "report", "举报"),
        ("表扬A1区城管队员", "感谢他们为民办实事，特此表扬。", "praise", "表扬"),
        ("求助：拖欠工资", "老板拖欠我们三个月工资，恳请帮忙讨薪。", "help", "求助"),
        ("", "路灯坏了。", "complaint", "default"),
    ],
)
def test_when_cue_words_present_then_request_type_follows_them(title: str, text: str, label: str, cue: str) -> None:
    result = classify_request_type(title, text)
    assert result.value == label
    assert result.key == "request_type" and result.version
    assert cue in result.reason
    assert result.confidence is not None and 0 < result.confidence <= 1


@pytest.mark.parametrize(
    ("text", "label", "trigger"),
    [
        ("楼道墙体开裂有倒塌危险，住着很多老人和儿童，请马上处理！", "high", "倒塌"),
        ("小区已经停水三天了，没有暖气，老人受不了。", "high", "停水"),
        ("公司拖欠工资，欠薪半年，过年回家的钱都没有。", "high", "欠薪"),
        ("请问办理居住证需要什么材料？", "low", "请问"),
        ("小区门口路灯不亮。", "normal", "no trigger"),
        ("我们坐火车回家，票价太贵。", "normal", "no trigger"),
    ],
)
def test_when_trigger_words_present_then_urgency_follows_them(text: str, label: str, trigger: str) -> None:
    result = classify_urgency(None, text)
    assert result.value == label
    assert trigger in result.reason


@pytest.mark.parametrize(
    ("text", "label", "word"),
    [
        ("物业态度恶劣，乱收费，业主非常不满，忍无可忍！", "negative", "恶劣"),
        ("非常感谢社区工作人员热情耐心的帮助，为他们点赞！", "positive", "点赞"),
        ("请问公积金什么时候到账？", "neutral", "no sentiment word"),
        ("噪音扰民，谢谢。", "negative", "噪音"),
    ],
)
def test_when_sentiment_words_present_then_label_and_score_follow(text: str, label: str, word: str) -> None:
    result, score = classify_sentiment(None, text)
    assert result.value == label
    assert word in result.reason
    assert -1 <= score.value <= 1
    assert (score.value < 0) == (label == "negative")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A市A2区先锋街道办事处周边", [("A市", "city"), ("A2区", "district"), ("先锋街道", "street")]),
        ("K8县舜陵镇莲花塘村", [("K8县", "county"), ("舜陵镇", "town")]),
        ("C4市双凫铺镇", [("C4市", "county"), ("双凫铺镇", "town")]),
        ("泉塘街道丽发新城小区门口的万家丽北路", [("泉塘街道", "street"), ("丽发新城小区", "estate"),
                                                ("万家丽北路", "road")]),
        ("西地省的龙城社区", [("西地省", "province"), ("龙城社区", "community")]),
        ("这条路和我们小区都很乱，农村道路也差", []),
        ("搬进小区后，由于小区管理差，城际铁路和水泥路都没修，第一村也一样", []),
        ("我们住在先锋街道，红旗社区旁", [("先锋街道", "street"), ("红旗社区", "community")]),
    ],
)
def test_when_places_named_then_they_are_found_with_level(text: str, expected: list[tuple[str, str]]) -> None:
    places = find_places(text)
    assert [(p["name"], p["level"]) for p in places] == expected
    for p in places:
        assert text[p["start"] : p["end"]] == p["name"] or p["name"].endswith("街道")


def test_when_segmenting_then_custom_place_and_department_names_stay_whole() -> None:
    words = cut("A2区泉塘街道丽发新城小区的问题，人社局不管")
    assert {"A2区", "泉塘街道", "丽发新城小区", "人社局"} <= set(words)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("A2区泉塘街道噪音", "A市A2区泉塘街道丽发新城小区门口的万家丽北路。"),
        ("A2区泉塘街道噪音", "A2区泉塘街道噪音：\n  K8县舜陵镇  莲花塘村"),
        (None, "C4市双凫铺镇"),
        (" 标题 ", "西地省的龙城社区"),
    ],
)
def test_when_segmenter_ran_first_then_places_are_the_same_as_without_it(title: str | None, text: str) -> None:
    alone = Places()(Doc(text=text, title=title)).result("places")
    segmented = Places()(Segmenter()(Doc(text=text, title=title))).result("places")
    assert alone is not None and segmented is not None
    assert segmented.value == alone.value
