"""The Mom Test hints over a corpus per language: 20 questions that lead (suggest their answer,
ask about a hypothetical future or for an opinion of our idea) and 20 good ones (past facts,
open questions about their life). At least 90 % of the leading ones are flagged and at most
10 % of the good ones."""

import pytest

from tracking.custdev.mom_test import check_question

LEADING = {
    "en": [
        "Measuring on the day of the call is convenient, isn't it?",
        "Wouldn't you prefer a kitchen delivered in two weeks?",
        "Don't you think waiting a month is too long?",
        "You'd agree that a guarantee makes it safer, right?",
        "Surely a fixed price is what everyone wants?",
        "Would you buy a kitchen with a money-back guarantee?",
        "Do you like the idea of an online configurator?",
        "How do you like our new catalogue?",
        "Would it be easier if we came the same day?",
        "What do you think about our installment plan?",
        "It saves a lot of time, doesn't it?",
        "Isn't it annoying when the measurer is late?",
        "You want the cheapest option, right?",
        "Would you pay more for faster installation?",
        "Is it useful to get photos of finished kitchens?",
        "Aren't you tired of ordering from big chains?",
        "If we offered free delivery, would you order again?",
        "Do you agree that quality matters more than price?",
        "Would you recommend us to your friends?",
        "Don't you find the showroom too far away?",
    ],
    "ru": [
        "Правда же, замер в день звонка — это удобно?",
        "Гарантия возврата денег — это выгодно, не так ли?",
        "Согласитесь, месяц ждать кухню — слишком долго?",
        "Вам было бы удобно заказать кухню онлайн?",
        "Вы бы купили кухню с гарантией возврата денег?",
        "Как вам идея бесплатного замера?",
        "Ведь фиксированная цена лучше, чем смета?",
        "Разве не удобно получить эскиз в тот же день?",
        "Вам нравится наш новый каталог?",
        "Понравится ли вам рассрочка без переплаты?",
        "Будете ли вы заказывать у нас снова?",
        "Не кажется ли вам, что монтаж слишком дорогой?",
        "Это же удобно, когда замерщик приезжает вечером?",
        "Сколько бы вы заплатили за доставку за неделю?",
        "Вы согласны, что качество важнее цены?",
        "Вы же хотите кухню подешевле, верно?",
        "Не правда ли, что шоурум слишком далеко?",
        "Если бы мы делали кухни за две недели, вы бы заказали?",
        "Как вы думаете, это хорошая идея — видео-консультация?",
        "Было бы здорово получить 3D-проект бесплатно, да?",
    ],
}

GOOD = {
    "en": [
        "When did you last order furniture? Tell me about that day.",
        "How do you solve it today, and what does that cost you?",
        "Who decided, and who paid?",
        "What happened the last time the measurer was late?",
        "How did you choose the company that made your current kitchen?",
        "What did you try before calling us?",
        "How long did it take from the first call to the installation?",
        "What was the hardest part of ordering your last kitchen?",
        "Where did you look for offers?",
        "How much did you spend on the last renovation?",
        "Tell me about the last time you compared prices.",
        "Who else was involved in the decision?",
        "What did you do when the delivery was late?",
        "How many companies did you call before choosing?",
        "What made you postpone the order last year?",
        "Which questions did you ask the designer?",
        "How do you usually find a contractor?",
        "What did the last estimate include?",
        "When was the last time you paid a deposit to a workshop you did not know?",
        "What happened after the installation?",
    ],
    "ru": [
        "Расскажите, как вы в последний раз выбирали кухню.",
        "Что вы уже пробовали, и сколько это стоило?",
        "Кто принимал решение и кто платил?",
        "Как часто бывает, что замерщик опаздывает?",
        "Что случилось, когда замерщик опоздал в последний раз?",
        "Где вы искали мастерскую?",
        "Сколько времени прошло от звонка до монтажа?",
        "Что было самым трудным, когда вы заказывали кухню?",
        "Сколько компаний вы обзвонили, прежде чем выбрать?",
        "Что вы сделали, когда доставку перенесли?",
        "Расскажите о последнем ремонте: с чего он начался?",
        "Кто ещё участвовал в выборе?",
        "Почему в прошлом году вы отложили заказ?",
        "Какие вопросы вы задавали дизайнеру?",
        "Как вы обычно находите подрядчиков?",
        "Что входило в последнюю смету?",
        "Когда вы в последний раз вносили предоплату незнакомой мастерской?",
        "Что было после монтажа?",
        "Сколько вы потратили на прошлую кухню?",
        "Как вы сравнивали цены в последний раз?",
    ],
}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_corpus_is_twenty_and_twenty(language):
    assert len(LEADING[language]) == len(GOOD[language]) == 20


@pytest.mark.parametrize("language", ["en", "ru"])
def test_at_least_90_percent_of_leading_questions_are_flagged(language):
    missed = [q for q in LEADING[language] if not check_question(q)]
    assert len(missed) <= 0.1 * len(LEADING[language]), missed


@pytest.mark.parametrize("language", ["en", "ru"])
def test_at_most_10_percent_of_good_questions_are_flagged(language):
    flagged = [(q, [h.phrase for h in check_question(q)]) for q in GOOD[language] if check_question(q)]
    assert len(flagged) <= 0.1 * len(GOOD[language]), flagged


def test_the_question_the_checker_missed_is_flagged_as_leading():
    assert [h.rule.code for h in check_question("Правда же, замер в день звонка — это удобно?")] == ["leading"]
