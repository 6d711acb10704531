"""The Mom Test hints (tracking/custdev/mom_test.py): leading and future questions are
flagged in English and Russian, with why; questions about past facts are not."""

import pytest

from tracking.custdev.mom_test import check, check_question


def _codes(question):
    return [hint.rule.code for hint in check_question(question)]


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("Would you buy a sofa with free measuring?", "future"),
        ("How much would you pay for it?", "future"),
        ("Will you use it every week?", "future"),
        ("If we built an app for that, would it help?", "future"),
        ("Do you think it's a good idea to measure on the same day?", "opinion"),
        ("Don't you agree that waiting is annoying?", "opinion"),
        ("What do you like about our product?", "pitch"),
        ("Сколько бы вы заплатили за замер?", "future"),
        ("Вам было бы удобно заказать онлайн?", "future"),
        ("Будете ли вы пользоваться приложением?", "future"),
        ("Как вы думаете, это хорошая идея?", "opinion"),
        ("Вам нравится наш сервис?", "opinion"),
        ("Что вы скажете о нашем продукте?", "pitch"),
    ],
)
def test_leading_and_future_questions_are_flagged(question, code):
    assert code in _codes(question)


@pytest.mark.parametrize(
    "question",
    [
        "When did you last order furniture? Tell me about that day.",
        "How do you solve it today, and what does that cost you?",
        "Who decided, and who paid?",
        "Расскажите, как вы в последний раз выбирали кухню.",
        "Что вы уже пробовали, и сколько это стоило?",
        "Кто принимал решение и кто платил?",
        "Как часто бывает, что замерщик опаздывает?",  # "бы" only as a word, not inside "бывает"
    ],
)
def test_questions_about_past_facts_pass(question):
    assert _codes(question) == []


def test_hints_name_the_line_the_phrase_and_explain_why():
    hints = check("Tell me about the last time it happened.\n\nWould you buy it?\nВам было бы удобно?")
    assert [(h.line, h.phrase.lower()) for h in hints] == [(3, "would you"), (4, "бы"), (4, "было бы удобно")]
    assert all(str(h.rule.why) and str(h.rule.instead) for h in hints)


def test_a_question_breaking_two_rules_gets_both_hints_once_each():
    codes = _codes("Would you like our app? Would you pay?")
    assert sorted(codes) == ["future", "pitch"]
