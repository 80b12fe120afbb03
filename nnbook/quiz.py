"""Self-check quizzes: one YAML file per chapter, rendered three ways.

A chapter's questions live in ``book/quizzes/<slug>.yml`` in jupyterquiz's
own schema (see CONTRIBUTING.md). :func:`show` returns an object whose
display bundle carries two renderings of the same questions:

* ``text/html``: jupyterquiz's interactive quiz, with its script inline, so
  it works on the website and in Jupyter or Binder, plus a ``<noscript>``
  copy of the printed version for a browser without JavaScript;
* ``text/markdown``: the questions followed by an answer key, which the PDF
  (LaTeX) build picks because it cannot show HTML or JavaScript.

Usage in a chapter, in a cell tagged ``remove-input``::

    from nnbook import quiz
    quiz.show("neuron")
"""
from __future__ import annotations

import html
import importlib.resources
import json
import random
import re
import string
from pathlib import Path

import yaml

__all__ = ["Quiz", "load", "show", "validate", "QUIZ_DIR"]

#: Where quiz files live: ``book/quizzes`` next to this package in a clone.
QUIZ_DIR = Path(__file__).resolve().parent.parent / "book" / "quizzes"

_TYPES = ("multiple_choice", "many_choice")
_LETTERS = string.ascii_lowercase
_RIGHT = re.compile(r"^(right|correct|yes)\b[\s:!.,]*", flags=re.I)  # "Right: ..." -> "..."


def validate(questions, source="quiz"):
    """Check a list of question dicts and raise ``ValueError`` naming the problem.

    Rules: every question has text, a known ``type`` and at least two
    answers; every answer has ``answer`` text, a boolean ``correct`` and a
    non-empty ``feedback``; a ``multiple_choice`` question has exactly one
    correct answer, a ``many_choice`` question at least one.
    """
    if not isinstance(questions, list) or not questions:
        raise ValueError(f"{source}: expected a non-empty list of questions, got {type(questions).__name__}")
    for i, q in enumerate(questions, start=1):
        where = f"{source}, question {i}"
        if not isinstance(q, dict) or not str(q.get("question", "")).strip():
            raise ValueError(f"{where}: needs a non-empty 'question'")
        if q.get("type") not in _TYPES:
            raise ValueError(f"{where}: type must be one of {_TYPES}, got {q.get('type')!r}")
        answers = q.get("answers")
        if not isinstance(answers, list) or len(answers) < 2:
            raise ValueError(f"{where}: needs at least two answers")
        for j, a in enumerate(answers, start=1):
            if not str(a.get("answer", "")).strip():
                raise ValueError(f"{where}, answer {j}: needs non-empty 'answer' text")
            if not isinstance(a.get("correct"), bool):
                raise ValueError(f"{where}, answer {j}: 'correct' must be true or false")
            if not str(a.get("feedback", "")).strip():
                raise ValueError(f"{where}, answer {j}: every answer needs 'feedback'")
        n_correct = sum(a["correct"] for a in answers)
        if q["type"] == "multiple_choice" and n_correct != 1:
            raise ValueError(f"{where}: multiple_choice needs exactly one correct answer, has {n_correct}")
        if q["type"] == "many_choice" and n_correct < 1:
            raise ValueError(f"{where}: many_choice needs at least one correct answer")
    return questions


def load(slug, quiz_dir=None):
    """Read and validate ``<quiz_dir>/<slug>.yml``; return the list of questions.

    Without ``quiz_dir``, look in ``quizzes/`` beside the running chapter
    (the working directory of a chapter's kernel is ``book/``), then in the
    clone's ``book/quizzes``.
    """
    if quiz_dir is None:
        quiz_dir = Path("quizzes") if (Path("quizzes") / f"{slug}.yml").is_file() else QUIZ_DIR
    path = Path(quiz_dir) / f"{slug}.yml"
    if not path.is_file():
        raise FileNotFoundError(f"no quiz file for chapter {slug!r}: expected {path}")
    with open(path, encoding="utf-8") as f:
        questions = yaml.safe_load(f)
    return validate(questions, source=path.name)


class Quiz:
    """A quiz that displays as jupyterquiz HTML or as a printed answer key."""

    def __init__(self, questions, slug="quiz"):
        self.questions = validate(questions, source=slug)
        self.slug = slug

    def _repr_html_(self):
        # jupyterquiz's own building blocks, combined into ONE html output
        # (display_quiz would emit html + javascript, which the LaTeX builder
        # cannot take and which myst-nb would warn about).
        from jupyterquiz.dynamic.renderer import build_styles, render_div

        div_id = "quiz_" + "".join(c if c.isalnum() else "_" for c in self.slug)
        # jupyterquiz's scripts, started by _START instead of its own suffix:
        # they read MathJax.version as soon as they render, so the quiz must
        # wait for MathJax (see _START).
        script = (f"var questions{div_id}={json.dumps(self.questions)};\n\n"
                  f"if (typeof Question === 'undefined') {{\n{_jupyterquiz_js()}\n"
                  f"{_START.replace('DIV_ID', div_id)}\n}}\n")
        div = render_div(div_id, False, True, False, 1_000_000, 680, 10, "left")
        colors = {"--jq-multiple-choice-bg": "#1f4e79", "--jq-many-choice-bg": "#8a3b12"}
        styles = build_styles(div_id, _colors(colors))
        # Without JavaScript the quiz above is an empty box: show the printed
        # questions and answer key instead.
        from markdown_it import MarkdownIt
        from mdit_py_plugins.dollarmath import dollarmath_plugin

        # Keep the maths as the reader would type it, $...$, with no backslash
        # eaten by Markdown: without JavaScript nothing typesets it.
        printed = (MarkdownIt("commonmark")
                   .use(dollarmath_plugin, double_inline=True, renderer=_tex_as_written)
                   .render(self._repr_markdown_()))
        fallback = ('<noscript><div class="nnbook-quiz-noscript"><p><em>This quiz needs '
                    'JavaScript; here are its questions, then the answers.</em></p>'
                    f'{printed}</div></noscript>')
        labels = _LABEL_ANSWERS.replace("DIV_ID", div_id)
        return (f'<div class="nnbook-quiz">{div}</div>{styles}<script>\n{script}\n{labels}\n</script>'
                f'{fallback}</div>')

    def _repr_markdown_(self):
        lines = []
        key = []
        for i, q in enumerate(self.questions, start=1):
            kind = ""
            if q["type"] == "many_choice" and "all that apply" not in q["question"].lower():
                kind = " (choose all that apply)"
            lines.append(f"**Question {i}.** {q['question'].strip()}{kind}\n")
            # Authors often write the right answer first; print the choices in
            # an order fixed by the chapter and question, so the key is not
            # "(a)" every time and the PDF is the same on every build.
            answers = list(q["answers"])
            random.Random(f"{self.slug}:{i}").shuffle(answers)
            for letter, a in zip(_LETTERS, answers):
                lines.append(f"- ({letter}) {a['answer'].strip()}")
            lines.append("")
            right = [(letter, a) for letter, a in zip(_LETTERS, answers) if a["correct"]]
            if len(right) == 1:
                letter, a = right[0]
                key.append(f"{i}. ({letter}): {_reason(a)}")
            else:  # one reason per right choice, each after its letter
                key.append(f"{i}. " + " ".join(f"({letter}): {_sentence(_reason(a))}"
                                                for letter, a in right))
            # The web quiz explains a wrong choice when it is clicked; on paper
            # the key does it, on a continuation line of the same item.
            wrong = [f"({letter}) {a['feedback'].strip()}"
                     for letter, a in zip(_LETTERS, answers) if not a["correct"]]
            key.append("   Wrong choices: " + " ".join(wrong))
        lines.append("**Answers.**\n")
        lines.extend(key)
        return "\n".join(lines) + "\n"

    def __repr__(self):
        return f"Quiz({self.slug!r}, {len(self.questions)} questions)"


# How the quiz starts on a page. jupyterquiz's show_questions() reads
# MathJax.version[0] right away (and again 500 ms later) to pick MathJax 2 or 3.
# On the website the quiz's inline script runs while the page is parsed, but
# MathJax is a deferred script: until it has run, window.MathJax is only the
# configuration object Sphinx wrote, without a version, and a slow load (a busy
# machine, a slow network) ended in "Cannot read properties of undefined
# (reading '0')" and untypeset maths in the quiz. So the quiz renders only when
# MathJax is ready: after MathJax.startup.promise if the library has loaded;
# through MathJax's own startup.ready hook (the documented way to run code once
# MathJax has started) if only its configuration exists yet; at once when the
# page has no MathJax (Jupyter) or MathJax 2. If the library never arrives (it
# failed to load), the quiz still renders once the page has loaded, with its
# maths as TeX and MathJax's orphaned configuration removed so that jupyterquiz
# does not try to use it. In JupyterLab, MathJax is JupyterLab's own (version 3
# without typeset()); the quiz renders at once and JupyterLab typesets it.
_START = """
(function () {
  var shown = false;
  function show() {
    if (shown) { return; }
    var div = document.getElementById("DIV_ID");
    if (!div) { setTimeout(show, 200); return; }
    shown = true;
    show_questions(questionsDIV_ID, div);
  }
  var mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) {
    mj.startup.promise.then(show, show);
  } else if (mj && !mj.version) {
    mj.startup = mj.startup || {};
    var ready = mj.startup.ready;
    mj.startup.ready = function () {
      if (ready) { ready(); } else { MathJax.startup.defaultReady(); }
      MathJax.startup.promise.then(show, show);
    };
    window.addEventListener("load", function () {
      // Every deferred script has run by now: no version means MathJax failed.
      if (!(window.MathJax && window.MathJax.version)) { window.MathJax = undefined; show(); }
    });
  } else {
    if (mj && String(mj.version)[0] === "3" && typeof mj.typeset !== "function") {
      // JupyterLab's MathJax: it typesets each output itself once drawn (the
      // quiz is drawn by then), but has no page-level typeset(), and without
      // one jupyterquiz loads MathJax from a CDN into JupyterLab and replaces
      // window.MathJax. A no-op typeset() keeps the quiz offline.
      mj.typeset = function () {};
    }
    show();
  }
})();
"""


def _jupyterquiz_js():
    """jupyterquiz's own scripts, the files and order its ``build_script`` uses."""
    js_dir = importlib.resources.files("jupyterquiz").joinpath("js")
    return "".join(f.read_text(encoding="utf-8")
                   for f in sorted(js_dir.iterdir(), key=lambda f: f.name) if f.name.endswith(".js"))


# Accessibility: jupyterquiz puts each answer's radio button, visually hidden,
# inside the answer's <label>, so the label's text names the button. An answer
# that is only maths loses that name once MathJax typesets it: MathJax hides its
# glyphs from assistive technology and only some of them read its MathML copy
# (axe's "label" rule, critical). Each button therefore gets the answer as
# written, maths as its TeX, as its aria-label: read from the label before
# MathJax has typeset it, or from MathJax's record of the TeX it typeset (the
# quiz may be drawn either side of MathJax's page typesetting). Runs after
# jupyterquiz's script, in the same <script>, and again whenever the quiz is
# (re)drawn.
_LABEL_ANSWERS = r"""(function () {
  function asWritten(label) {
    var text = label.cloneNode(true);
    var doc = window.MathJax && MathJax.startup && MathJax.startup.document;
    var items = doc && doc.getMathItemsWithin ? doc.getMathItemsWithin([label]) : [];
    text.querySelectorAll("mjx-container").forEach(function (math, i) {
      var mml = math.querySelector("mjx-assistive-mml");
      math.replaceWith(items[i] ? items[i].math : (mml ? mml.textContent : ""));
    });
    return text.textContent.replace(/\\[()\[\]]/g, "").replace(/\s+/g, " ").trim();
  }
  function label(root) {
    root.querySelectorAll(".MCButton > input").forEach(function (input) {
      if (!input.getAttribute("aria-label")) {
        input.setAttribute("aria-label", asWritten(input.parentNode));
      }
    });
  }
  (function start() {
    var root = document.getElementById("DIV_ID");
    if (!root) { setTimeout(start, 200); return; }
    label(root);
    new MutationObserver(function () { label(root); }).observe(root, {childList: true, subtree: true});
  })();
})();"""


def _reason(answer):
    """The feedback of a right answer without its "Right:" opener (if more is left)."""
    text = answer["feedback"].strip()
    return _RIGHT.sub("", text) or text


def _sentence(text):
    """`text` ending with a full stop (or its own ! or ?), to run on after another."""
    return text if text.endswith((".", "!", "?")) else text + "."


def _tex_as_written(content, options):
    """Render a $...$ or $$...$$ span as its TeX source, HTML-escaped."""
    fence = "$$" if options.get("display_mode") else "$"
    return f'<span class="math">{fence}{html.escape(content)}{fence}</span>'


def _colors(overrides):
    base = {
        "--jq-mc-button-bg": "#fafafa",
        "--jq-mc-button-border": "#e0e0e0e0",
        "--jq-mc-button-inset-shadow": "#555555",
        "--jq-numeric-bg": "#1f4e79",
        "--jq-numeric-input-bg": "#c0c0c0",
        "--jq-numeric-input-label": "#101010",
        "--jq-numeric-input-shadow": "#999999",
        "--jq-string-bg": "#4c1a57",
        "--jq-incorrect-color": "#c80202",
        "--jq-correct-color": "#009113",
        "--jq-text-color": "#fafafa",
        "--jq-link-color": "#9abafa",
    }
    base.update(overrides)
    return base


def show(slug, quiz_dir=None):
    """Return the chapter's quiz, ready to display as a cell's result."""
    return Quiz(load(slug, quiz_dir), slug=slug)
