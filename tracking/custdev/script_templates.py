"""Scripts to start from: a problem and a solution interview, in Russian and English.

The texts are content in their own language on purpose (a Russian script for Russian
calls), so they are not translated; their names in the UI are. The texts live in
script_templates.json beside this module, read once at import.
"""

import json
from dataclasses import dataclass
from pathlib import Path

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


# Their names in the UI, here so that makemessages finds them; the texts are in the JSON file.
LABELS = {
    "problem-en": _("Problem interview (English)"),
    "solution-en": _("Solution interview (English)"),
    "problem-ru": _("Problem interview (Russian)"),
    "solution-ru": _("Solution interview (Russian)"),
}


def _load() -> dict[str, ScriptTemplate]:
    texts = json.loads(Path(__file__).with_name("script_templates.json").read_text(encoding="utf-8"))
    return {
        key: ScriptTemplate(
            key=key,
            label=LABELS[key],
            kind=text["kind"],
            title=text["title"],
            goal=text["goal"],
            questions=tuple(text["questions"]),
        )
        for key, text in texts.items()
    }


TEMPLATES = _load()


def for_language(language: str) -> list[ScriptTemplate]:
    """The templates in the business's language (its calls are in it); all when it has none."""
    return [t for t in TEMPLATES.values() if t.key.endswith(f"-{language}")] or list(TEMPLATES.values())
