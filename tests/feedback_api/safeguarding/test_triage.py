"""The disclosure triage as a component: look-alikes, rules, danger, routing up."""

from __future__ import annotations

import pytest

from feedback_api.safeguarding.triage import Thresholds, Triager, load_cues, triage


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("مسئول ثبت نام گفت اگر صیغه‌اش بشوم اسمم را در لیست می‌نویسد", "SEA"),
        ("karmande tozi goft age ba man bekhabi komaket mikonam", "SEA"),
        ("معلم مرکز به دختر ۱۲ ساله‌ام دست می‌زند", "CSG"),
        ("قاچاقبر برادرم را گروگان گرفته و پیسه می‌خواهد", "SAF"),
        ("کارمند گفت برای ثبت نام باید پنج میلیون رشوه بدهی", "FRD"),
        ("راننده موسسه پدرم را جلوی همه سیلی زد", "MIS"),
        # the boundary of ordinary list and distribution complaints: money, violence
        ("مسئول لیست گفت اسممان را از فهرست خط می‌زند مگر اینکه پول بدهیم", "FRD"),
        ("نام ما ره از لست خط زدن مگر اینکه پیسه بتیم", "FRD"),
        ("در توزیع کمک غذایی کارمند پدرم را کتک زد", "MIS"),
    ],
)
def test_plain_disclosures(text: str, category: str) -> None:
    assert triage(text).category == category


@pytest.mark.parametrize(
    "text",
    [
        "کمک جنسی این ماه کی توزیع می‌شود؟",
        "در صف تبعیض جنسیتی بود، زن‌ها را اول راه دادند",
        "کارمند پذیرش خیلی بد اخلاق بود و سرم داد زد",
        "پول نقد این ماه هنوز به کارتم نیامده",
        "برای ثبت ازدواج چه مدارکی لازم است؟",
        # one's own data, nothing given, a name struck from a list, rude staff
        "اطلاعات من را پاک کنید",
        "معلومات مره پاک کنین",
        "lotfan etela3atam ro pak konid",
        "در توزیع کمک غذایی به ما چیزی ندادند و با ما بدرفتاری کردند",
        "در توزیع کمک غذایی به ما چیزی ندادند و اسم ما را از فهرست خط زدند",
        "سلام",
        "",
    ],
)
def test_look_alikes_stay_ordinary(text: str) -> None:
    assert triage(text).category is None


def test_in_kind_aid_is_rewritten_before_anyone_reads_it() -> None:
    cues = load_cues()
    assert cues.neutral("کمک‌های جنسی نرسید") == "goods نرسید"
    assert cues.neutral("تبعیض جنسیتی") == "gender"


def test_goods_never_swallows_sexual() -> None:
    cues = load_cues()
    assert cues.neutral("جنس‌ها رسید") == "goods رسید"
    assert cues.neutral("مزاحمت جنسی") == "مزاحمت جنسی"
    assert cues.neutral("سوءاستفاده جنسي") == "سوءاستفاده جنسی"


def test_sorry_to_bother_you_is_courtesy_but_bothering_someone_is_not() -> None:
    cues = load_cues()
    assert cues.neutral("ببخشید مزاحمتون میشم") == "ببخشید excuse"
    assert cues.neutral("کارمند مزاحم دخترم شد") == "کارمند مزاحم دخترم شد"


def test_danger_to_life_is_flagged_and_never_ordinary() -> None:
    found = triage("دیگه نمیخوام زنده باشم، میخوام خودکشی کنم")
    assert found.danger and found.category == "SAF"


class FixedModel:
    def __init__(self, margins: dict[str, float]) -> None:
        self.given = margins

    def margins(self, texts: list[str]) -> list[dict[str, float]]:
        return [self.given for _ in texts]


def _decide(**margins: float) -> str | None:
    base = dict.fromkeys(("SEA", "CSG", "SAF", "FRD", "MIS", "NONE"), -1.0) | margins
    triager = Triager(FixedModel(base), load_cues(), Thresholds(unsure=0.3, close=0.2))  # type: ignore[arg-type]
    return triager("متن").category


def test_unsure_between_ordinary_and_sensitive_routes_up() -> None:
    assert _decide(NONE=0.5, MIS=0.1) is None
    assert _decide(NONE=0.5, MIS=0.25) == "MIS"


def test_unsure_between_s2_and_s3_routes_to_s3() -> None:
    assert _decide(FRD=0.5, SEA=0.2) == "FRD"
    assert _decide(FRD=0.5, SEA=0.35) == "SEA"
    assert _decide(NONE=0.5, FRD=0.4, SAF=0.3) == "SAF"


def test_a_rule_can_only_raise() -> None:
    # "رشوه" always means at least fraud; a model sure of S3 keeps S3.
    assert _decide(NONE=1.0) is None
    triager = Triager(
        FixedModel(dict.fromkeys(("SEA", "CSG", "SAF", "FRD", "MIS"), -1.0) | {"NONE": 1.0}),  # type: ignore[arg-type]
        load_cues(),
        Thresholds(),
    )
    assert triager("رشوه خواست").category == "FRD"
