"""Scripts to start from: a problem and a solution interview, in Russian and English.

The texts are content in their own language on purpose (a Russian script for Russian
calls), so they are not translated; their names in the UI are.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ScriptTemplate:
    key: str
    label: str
    kind: str
    title: str
    goal: str
    questions: tuple[str, ...]

    @property
    def initial(self) -> dict:
        return {"title": self.title, "kind": self.kind, "goal": self.goal, "questions": "\n".join(self.questions)}


TEMPLATES = {
    t.key: t
    for t in (
        ScriptTemplate(
            key="problem-en",
            label=_("Problem interview (English)"),
            kind="problem",
            title="Problem interview",
            goal="Learn how customers experience the problem today, what it costs them and how they choose.",
            questions=(
                "Tell me about the last time this happened. When was it?",
                "What did you do then, step by step?",
                "How do you solve it today? What does that cost you, in money and time?",
                "What else have you tried? Why did you stop?",
                "Who decided, and who paid?",
                "What made you choose the one you chose?",
                "Who else should I talk to about this?",
            ),
        ),
        ScriptTemplate(
            key="solution-en",
            label=_("Solution interview (English)"),
            kind="solution",
            title="Solution interview",
            goal="Learn whether our solution fits how they buy today, and get a commitment.",
            questions=(
                "Remind me: the last time this happened, what did you do?",
                "What did that cost you?",
                "Here is what we do. What in it is closest to what you did last time?",
                "What would stop you from using it next time it happens? Who else would decide?",
                "Can we book the next step now: a trial, an introduction or a pre-payment?",
            ),
        ),
        ScriptTemplate(
            key="problem-ru",
            label=_("Problem interview (Russian)"),
            kind="problem",
            title="Проблемное интервью",
            goal="Понять, как клиенты сталкиваются с проблемой сейчас, во что она им обходится и как они выбирают.",
            questions=(
                "Расскажите про последний раз, когда это случилось. Когда это было?",
                "Что вы тогда делали, по шагам?",
                "Как вы решаете это сейчас? Во что это обходится, в деньгах и во времени?",
                "Что ещё вы пробовали? Почему перестали?",
                "Кто принимал решение и кто платил?",
                "Почему в итоге выбрали именно их?",
                "С кем ещё мне стоит поговорить об этом?",
            ),
        ),
        ScriptTemplate(
            key="solution-ru",
            label=_("Solution interview (Russian)"),
            kind="solution",
            title="Решенческое интервью",
            goal="Понять, ложится ли наше решение на то, как клиент покупает сейчас, и получить обязательство.",
            questions=(
                "Напомните: в последний раз, когда это случилось, что вы сделали?",
                "Во что это обошлось?",
                "Вот что мы делаем. Что здесь ближе всего к тому, что вы делали в прошлый раз?",
                "Что помешало в прошлый раз выбрать другое решение? Кто ещё участвовал в выборе?",
                "Давайте договоримся о следующем шаге: пробный заказ, знакомство или предоплата?",
            ),
        ),
    )
}


def for_language(language: str) -> list[ScriptTemplate]:
    """The templates in the business's language (its calls are in it); all when it has none."""
    return [t for t in TEMPLATES.values() if t.key.endswith(f"-{language}")] or list(TEMPLATES.values())
