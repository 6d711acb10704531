"""The Mom Test, as hints while a question is typed (Rob Fitzpatrick's rules).

Talk about their life, not our idea; ask about specific past events, not the future; no
compliments or pitching. Each rule is a few patterns in English and Russian; a question that
matches is flagged with why and what to ask instead. A hint, never a refusal: the tracker
may keep the question. Pure: no database, no request.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    why: str
    instead: str
    patterns: tuple[re.Pattern, ...]


def _compile(*patterns: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


RULES = (
    Rule(
        code="future",
        title=_("Future or hypothetical"),
        why=_("People are bad at predicting what they would do: “would you…” gets a polite guess, not a fact."),
        instead=_("Ask about the last time it happened: “When did you last…? What did you do?”"),
        patterns=_compile(
            r"\bwould\s+you\b",
            r"\bwill\s+you\b",
            r"\bwould\s+(it|that|this|they)\b",
            r"\bare\s+you\s+going\s+to\b",
            r"\bcould\s+you\s+see\s+yourself\b",
            r"\bif\s+(we|there\s+was|there\s+were|you\s+could|you\s+had)\b",
            r"\bбы\b",
            r"\bбудете\b",
            r"\bбудет\s+ли\b",
            r"\bстанете\b",
            r"\bесли\s+бы\b",
        ),
    ),
    Rule(
        code="opinion",
        title=_("Asks for an opinion about our idea"),
        why=_("Opinions and compliments are cheap: people say a good idea is good to be kind."),
        instead=_("Ask how they deal with the problem now and what it costs them."),
        patterns=_compile(
            r"\bdo\s+you\s+think\b",
            r"\bgood\s+idea\b",
            r"\bdo\s+you\s+like\b",
            r"\bwouldn'?t\s+you\b",
            r"\bdon'?t\s+you\s+(think|agree)\b",
            r"\bisn'?t\s+it\b",
            r"\bhow\s+much\s+do\s+you\s+like\b",
            r"\bкак\s+вы\s+думаете\b",
            r"\bвы\s+думаете\b",
            r"\bхорош\w*\s+иде\w*",
            r"\bнравит\w*\b",
            r"\bпонравит\w*\b",
            r"\bсогласитесь\b",
            r"\bне\s+правда\s+ли\b",
            r"\bправда\s+ведь\b",
        ),
    ),
    Rule(
        code="pitch",
        title=_("Talks about our product"),
        why=_("The interview is about their life; describing our product turns it into a pitch."),
        instead=_("Leave the product out until the end: ask about their day, their problem, their tries."),
        patterns=_compile(
            r"\bour\s+(product|app|service|idea|solution|offer)\b",
            r"\bнаш\w*\s+(продукт\w*|приложени\w*|сервис\w*|иде\w*|решени\w*|предложени\w*)",
        ),
    ),
)


@dataclass(frozen=True)
class Hint:
    line: int  # 1-based line of the text
    question: str
    phrase: str  # what matched, as typed
    rule: Rule


def check_question(question: str, line: int = 1) -> list[Hint]:
    """The rules one question breaks (each rule at most once)."""
    hints = []
    for rule in RULES:
        for pattern in rule.patterns:
            match = pattern.search(question)
            if match:
                hints.append(Hint(line=line, question=question, phrase=match.group(0), rule=rule))
                break
    return hints


def check(text: str) -> list[Hint]:
    """Hints for every question of a script, one question a line."""
    hints = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            hints += check_question(line.strip(), number)
    return hints
