"""Forms of the training pages: the quiz, and a new module written by policy staff."""

from __future__ import annotations

from typing import Any

from django import forms

from brightline.training.models import TrainingModule

QUIZ_FORMAT_HELP = (
    "One question per block: a line starting with '?' for the question, then one line per choice, "
    "'*' before the right choice and '-' before the others. Leave empty for an attestation only."
)


class QuizForm(forms.Form):
    """One radio group per question, and the attestation checkbox when the module has one."""

    def __init__(self, *args: Any, module: TrainingModule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.module = module
        for index, question in enumerate(module.questions):
            self.fields[f"answer_{index}"] = forms.TypedChoiceField(
                label=f"{index + 1}. {question['question']}",
                choices=[(str(number), choice) for number, choice in enumerate(question["choices"])],
                coerce=int,
                widget=forms.RadioSelect,
            )
        if module.attestation:
            self.fields["attested"] = forms.BooleanField(label=module.attestation, required=True)

    def answers(self) -> list[int | None]:
        return [self.cleaned_data.get(f"answer_{index}") for index in range(len(self.module.questions))]


def parse_quiz(text: str) -> list[dict[str, Any]]:
    """The quiz in the format of QUIZ_FORMAT_HELP as the module's `questions`; raises ValidationError."""
    questions: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("?"):
            questions.append({"question": line[1:].strip(), "choices": [], "answer": -1})
        elif line[0] in "*-" and questions:
            question = questions[-1]
            if line[0] == "*":
                if question["answer"] >= 0:
                    raise forms.ValidationError(f"line {number}: a question has one right choice")
                question["answer"] = len(question["choices"])
            question["choices"].append(line[1:].strip())
        else:
            raise forms.ValidationError(f"line {number}: start with '?', '*' or '-'")
    for index, question in enumerate(questions, start=1):
        if len(question["choices"]) < 2 or question["answer"] < 0:
            raise forms.ValidationError(f"question {index}: at least two choices, one marked with '*'")
    return questions


class ModuleForm(forms.Form):
    title = forms.CharField(max_length=200)
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), help_text="What staff must know.")
    quiz = forms.CharField(
        label="Quiz", required=False, widget=forms.Textarea(attrs={"rows": 8}), help_text=QUIZ_FORMAT_HELP
    )
    attestation = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A statement each person confirms, such as: I will decide only as the policy allows.",
    )

    def clean_quiz(self) -> list[dict[str, Any]]:
        return parse_quiz(self.cleaned_data.get("quiz") or "")
