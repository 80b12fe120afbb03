"""The book helpers: quiz rendering (web and print) and NumPy-safe glue."""
import re

import numpy as np
import pytest
import yaml

from nnbook import quiz

QUESTIONS = [
    {"question": "Two plus two?", "type": "multiple_choice", "answers": [
        {"answer": "4", "correct": True, "feedback": "Right: 2 + 2 = 4."},
        {"answer": "5", "correct": False, "feedback": "One too many."},
        {"answer": "3", "correct": False, "feedback": "One too few."}]},
    {"question": "Which are even?", "type": "many_choice", "answers": [
        {"answer": "2", "correct": True, "feedback": "Yes, 2 = 2 x 1."},
        {"answer": "3", "correct": False, "feedback": "3 is odd."},
        {"answer": "8", "correct": True, "feedback": "Yes, 8 = 2 x 4."}]},
]


def test_print_version_has_every_choice_and_a_key_naming_the_right_letters():
    text = quiz.Quiz(QUESTIONS, slug="demo")._repr_markdown_()
    body, key = text.split("**Answers.**")
    for number, q in enumerate(QUESTIONS, start=1):
        block = body.split(f"**Question {number}.**")[1].split("**Question")[0]
        choices = dict(re.findall(r"^- \((\w)\) (.+)$", block, flags=re.M))
        assert sorted(choices.values()) == sorted(a["answer"] for a in q["answers"])
        line = re.search(rf"^{number}\. (.+)$", key, flags=re.M).group(1)
        named = {choices[letter] for letter in re.findall(r"\((\w)\):", line)}
        assert named == {a["answer"] for a in q["answers"] if a["correct"]}
    assert "(choose all that apply)" in body
    assert "Right:" not in key and "2 + 2 = 4." in key
    # Each right choice of a many-choice question is followed by its own reason.
    assert re.search(r"^2\. \((\w)\): 2 = 2 x 1\. \((\w)\): 8 = 2 x 4\.$", key, flags=re.M) or \
        re.search(r"^2\. \((\w)\): 8 = 2 x 4\. \((\w)\): 2 = 2 x 1\.$", key, flags=re.M), key


def test_print_version_explains_every_wrong_choice_under_its_answer():
    text = quiz.Quiz(QUESTIONS, slug="demo")._repr_markdown_()
    body, key = text.split("**Answers.**")
    for number, q in enumerate(QUESTIONS, start=1):
        block = body.split(f"**Question {number}.**")[1].split("**Question")[0]
        letter_of = {a: letter for letter, a in re.findall(r"^- \((\w)\) (.+)$", block, flags=re.M)}
        item = key.split(f"\n{number}. ")[1].split(f"\n{number + 1}. ")[0]
        wrong_line = re.search(r"^   Wrong choices: (.+)$", item, flags=re.M).group(1)
        for a in q["answers"]:
            shown = f"({letter_of[a['answer']]}) {a['feedback']}" in wrong_line
            assert shown != a["correct"], (number, a, wrong_line)


def test_print_order_is_the_same_on_every_build():
    a = quiz.Quiz(QUESTIONS, slug="demo")._repr_markdown_()
    b = quiz.Quiz(QUESTIONS, slug="demo")._repr_markdown_()
    assert a == b


def test_web_version_embeds_the_questions_and_jupyterquiz_script():
    html = quiz.Quiz(QUESTIONS, slug="demo-1")._repr_html_()
    assert 'id="quiz_demo_1"' in html and "<script>" in html and "show_questions" in html
    assert '"Two plus two?"' in html
    assert html.count("<div") == html.count("</div>")


def test_web_version_falls_back_to_the_printed_quiz_without_javascript():
    html = quiz.Quiz(QUESTIONS, slug="demo")._repr_html_()
    fallback = re.search(r"<noscript>(.*)</noscript>", html, flags=re.S).group(1)
    assert "<script" not in fallback
    for q in QUESTIONS:
        assert q["question"] in fallback
        for a in q["answers"]:
            assert f"{a['answer']}</li>" in fallback
    assert "<strong>Answers.</strong>" in fallback and "2 + 2 = 4." in fallback


def test_fallback_keeps_the_maths_as_written():
    questions = [{"question": r"Is $\tfrac12 \, x < y$?", "type": "multiple_choice", "answers": [
        {"answer": r"$$a\,b$$", "correct": True, "feedback": "Right."},
        {"answer": "no", "correct": False, "feedback": "Wrong."}]}]
    html = quiz.Quiz(questions, slug="maths")._repr_html_()
    fallback = re.search(r"<noscript>(.*)</noscript>", html, flags=re.S).group(1)
    assert r"$\tfrac12 \, x &lt; y$" in fallback
    assert r"$$a\,b$$" in fallback


@pytest.mark.parametrize("mutate, message", [
    (lambda q: q[0].pop("type"), "type must be one of"),
    (lambda q: q[0]["answers"].pop(), None),  # still two answers: valid
    (lambda q: q[0]["answers"][1].update(correct=True), "exactly one correct"),
    (lambda q: q[1]["answers"][0].update(feedback=" "), "every answer needs 'feedback'"),
    (lambda q: q[1].update(answers=q[1]["answers"][:1]), "at least two answers"),
    (lambda q: q[0]["answers"][0].update(correct="yes"), "'correct' must be true or false"),
    (lambda q: q.clear(), "non-empty list"),
])
def test_validate_names_the_problem(mutate, message):
    questions = yaml.safe_load(yaml.safe_dump(QUESTIONS))
    mutate(questions)
    if message is None:
        quiz.validate(questions)
    else:
        with pytest.raises(ValueError, match=re.escape(message)):
            quiz.validate(questions)


def test_load_reads_the_chapter_file_and_reports_a_missing_one(tmp_path):
    (tmp_path / "demo.yml").write_text(yaml.safe_dump(QUESTIONS))
    assert quiz.load("demo", tmp_path) == QUESTIONS
    assert len(quiz.show("demo", tmp_path).questions) == 2
    with pytest.raises(FileNotFoundError, match="no quiz file for chapter 'nothing'"):
        quiz.load("nothing", tmp_path)


def test_glue_turns_numpy_scalars_into_plain_numbers(monkeypatch):
    import myst_nb
    import nnbook

    stored = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: stored.update({name: value}))
    nnbook.glue("x", np.float64(0.75))
    nnbook.glue("n", np.int64(3))
    nnbook.glue("a", np.array([1.0, 2.0]))
    assert type(stored["x"]) is float and stored["x"] == 0.75
    assert type(stored["n"]) is int
    assert isinstance(stored["a"], np.ndarray)


def test_web_version_starts_the_quiz_only_once_mathjax_is_ready():
    # jupyterquiz reads MathJax.version as soon as it renders; its own start-up
    # (try_show) must be replaced by one that waits for MathJax's startup promise.
    # The browser test in test_book_site.py proves it with a late MathJax.
    html = quiz.Quiz(QUESTIONS, slug="demo")._repr_html_()
    assert "try_show" not in html
    assert html.count("show_questions(questionsquiz_demo") == 1
    assert "MathJax.startup.promise.then(show" in html and "startup.ready" in html
