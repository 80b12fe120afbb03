"""The book's structure rules, on every chapter and on fixtures that prove each rule can fail."""
import re
from pathlib import Path

import pytest

import bookrules as br

ROOT = br.ROOT
FIXTURES = Path(__file__).parent / "fixtures"
CHAPTERS = br.chapter_files()
CHAPTER_SLUGS = {Path(f).name for f in CHAPTERS}


@pytest.fixture(scope="module")
def glossary():
    return br.Page.read(ROOT / "book" / "glossary.md")


@pytest.fixture(scope="module")
def committee():
    return br.Page.read(ROOT / "book" / "committee.md")


# ---- the real book ---------------------------------------------------------

def test_toc_lists_only_pages_that_exist():
    missing = [f for f in br.toc_files() if not (ROOT / f"{f}.md").is_file()]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"


def test_toc_numbers_every_part_and_follows_the_curriculum_order():
    data = br.toc()
    for part in data["parts"]:
        if part["caption"].startswith("Part "):
            assert part.get("numbered") is True, f"{part['caption']} is not numbered"
    order = [br.CURRICULUM.index(Path(f).name) for f in CHAPTERS]
    assert order == sorted(order), f"chapters out of curriculum order: {CHAPTERS}"


@pytest.mark.parametrize("chapter", CHAPTERS or ["(no chapters yet)"])
def test_chapter_follows_the_rules(chapter, glossary, committee):
    if not CHAPTERS:
        pytest.skip("no chapter is in _toc.yml yet")
    page = br.Page.read(ROOT / f"{chapter}.md")
    problems = br.chapter_problems(page, glossary_terms=br.glossary_terms(glossary),
                                   committee_labels=br.committee_labels(committee),
                                   quiz_dir=ROOT / "book" / "quizzes")
    assert problems == []


def test_glossary_has_enough_terms_and_each_is_used(glossary):
    terms = br.glossary_terms(glossary)
    assert len(terms) >= 40, f"the glossary has {len(terms)} terms; the curriculum needs at least 40"
    others = [br.Page.read(ROOT / f"{f}.md") for f in br.toc_files() if not f.endswith("glossary")]
    assert br.rule_glossary_terms_used(glossary, others) == []


def test_every_committee_row_links_a_term_and_a_chapter(committee, glossary):
    assert len(br.committee_rows(committee)) >= 11  # the analogy's rows in the curriculum
    assert br.rule_committee_rows(committee, CHAPTER_SLUGS) == []
    terms = {t.lower() for t in br.glossary_terms(glossary)}
    for row in br.committee_rows(committee):
        for term in br.TERM.findall(row[2]):
            assert term.lower() in terms, f"committee row {row[0]!r} links {term!r}, not a glossary term"


@pytest.mark.parametrize("page", ["book/index", "book/committee"])
def test_written_chapters_are_linked_not_planned(page):
    assert br.rule_planned_chapters_are_linked_once_written(br.Page.read(ROOT / f"{page}.md"), CHAPTER_SLUGS) == []


def test_glossary_and_committee_state_the_update_ratio_range_diagnose_uses(glossary, committee):
    """One definition (per weight matrix) and one range, the one diagnose() flags outside."""
    import math

    from nncore.diagnostics import UPDATE_RATIO_RANGE, UPDATE_RATIO_TYPICAL

    powers = [f"10^{{{round(math.log10(v))}}}" for v in (UPDATE_RATIO_TYPICAL, *UPDATE_RATIO_RANGE)]
    for page, anchor in ((glossary, "update-to-weight ratio\n"),
                         (committee, "{term}`update-to-weight ratio` of each weight matrix")):
        start = page.text.index(anchor)
        text = page.text[start:start + 600]
        assert r"\lVert \eta" in text and "dW" in text, f"{page.slug}: not the per-matrix definition"
        assert all(p in text for p in powers), f"{page.slug}: does not state {powers}"
        assert "cs231n_notes" in text


def test_every_page_is_free_of_typed_decimals():
    for f in br.toc_files():
        if f.endswith(("api", "bibliography")):
            continue
        assert br.rule_no_typed_decimals(br.Page.read(ROOT / f"{f}.md")) == []


def test_every_quiz_file_belongs_to_a_chapter_and_validates():
    from nnbook import quiz

    for path in sorted((ROOT / "book" / "quizzes").glob("*.yml")):
        assert path.stem in br.CURRICULUM or path.stem == "notation", f"{path.name} matches no page"
        assert len(quiz.load(path.stem)) >= 1


# ---- the rules can fail: a good fixture, and broken copies of it -----------

GOOD = (FIXTURES / "good-chapter.md").read_text()
FIX_QUIZZES = FIXTURES / "quizzes"
FIX_TERMS = ["weighted sum", "weight", "bias", "activation function", "neuron"]
FIX_LABELS = {"committee-weight"}


def problems_of(page, quiz_dir):
    return br.chapter_problems(page, glossary_terms=FIX_TERMS, committee_labels=FIX_LABELS, quiz_dir=quiz_dir)


def fixture_page(text):
    return br.Page.read(FIXTURES / "good-chapter.md", text=text)


def test_good_fixture_passes_every_rule():
    assert problems_of(fixture_page(GOOD), FIX_QUIZZES) == []


def _drop_exercise(text):
    return re.sub(r"```\{exercise\}\n:label: good-chapter-ex-sign.*?```\n\n```\{solution\} good-chapter-ex-sign.*?```\n", "", text, flags=re.S)


def _drop_solution(text):
    return re.sub(r"```\{solution\} good-chapter-ex-words.*?```\n", "", text, flags=re.S)


BROKEN = {
    # name: (mutation, words the problem must contain)
    "no label": (lambda t: t.replace("(ch-good-chapter)=\n", ""), "(ch-good-chapter)="),
    "no kernelspec": (lambda t: t.replace("  name: python3\n", ""), "kernelspec"),
    "no overview": (lambda t: t.replace("## Overview", "## Start"), "Overview"),
    "too few outcomes": (lambda t: re.sub(r"- explain what.*?- decide.*?\n", "", t, flags=re.S), "outcomes"),
    "no committee link": (lambda t: t.replace("{ref}`the weights row <committee-weight>`", "the weights row"), "committee page"),
    "unknown committee row": (lambda t: t.replace("<committee-weight>", "<committee-nonsense>"), "not a row label"),
    "no committee admonition": (lambda t: t.replace(":class: committee", ":class: note"), "committee view"),
    "too few terms": (lambda t: re.sub(r"\{term\}`([^`]+)`", r"\1", t, count=3), "glossary terms"),
    "unknown term": (lambda t: t.replace("{term}`neuron`", "{term}`neurone`"), "not in the glossary"),
    "typed decimal": (lambda t: t.replace("computed by an", "about 0.75, computed by an"), "0.75"),
    "typed decimal in math": (lambda t: t.replace("## Exercises", "$$z = 0.5$$\n\n## Exercises"), "0.5"),
    "typed decimal in exercise": (lambda t: t.replace("with pencil and paper", "with weights 1.5"), "1.5"),
    "three exercises": (_drop_exercise, "3 exercises"),
    "missing solution": (_drop_solution, "has no solution"),
    "solution not a dropdown": (lambda t: t.replace("```{solution} good-chapter-ex-hand\n:class: dropdown", "```{solution} good-chapter-ex-hand\n:class: note"), "dropdown"),
    "unprefixed label": (lambda t: t.replace("good-chapter-ex-hand", "ex-hand"), "must start with"),
    "hidden solutions": (lambda t: t.replace(":class: dropdown\n```\n\n```{code-cell}", ":class: dropdown\n:hidden:\n```\n\n```{code-cell}"), "issue 89"),
    "code solution without a check": (lambda t: t.replace("assert np.isclose(answer, z)", "print(answer)"), "never checks"),
    "no quiz": (lambda t: t.replace('quiz.show("good-chapter")', "pass"), "quiz.show"),
    "quiz input shown": (lambda t: t.replace(":tags: [remove-input]\nfrom nnbook", "from nnbook"), "remove-input"),
    "pip in a cell": (lambda t: t.replace("import numpy as np", "!pip install numpy\nimport numpy as np"), "requirements.txt"),
    "no summary": (lambda t: t.replace("## Summary", "## The end"), "Summary"),
    "explorer setting not in the prose": (lambda t: t.replace("and the **bias**", ""), "never names the settings ['bias']"),
    "explorer label not in the prose": (lambda t: t.replace("**first weight**", "**weight**"), "['first weight']"),
    "explorer with nothing to try": (lambda t: t.replace("### Try the weights", "### The weights").replace("Move the", "Here are the").replace("and watch the", "and the"), "what to try"),
    "explorer settings not a literal": (lambda t: t.replace('settings={"w1": [-1, 0, 1], "b": [0, 1]}', "settings=SETTINGS"), "dict literal"),
    "code too wide": (lambda t: t.replace("answer = np.dot(x, w)", "answer = np.dot(x, w)" + " " * 40 + "# the weighted sum, entry by entry"), "at most 80"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_rule_catches_its_broken_fixture(name):
    mutate, expected = BROKEN[name]
    text = mutate(GOOD)
    assert text != GOOD, f"the mutation {name!r} did not change the fixture"
    problems = problems_of(fixture_page(text), FIX_QUIZZES)
    assert any(expected in p for p in problems), f"{name}: expected a problem mentioning {expected!r}, got {problems}"


@pytest.mark.parametrize("broken, expected", [
    ("too_few", "needs at least 5"),
    ("no_feedback", "every answer needs 'feedback'"),
    ("two_correct", "exactly one correct answer"),
])
def test_quiz_rule_catches_broken_quiz_files(tmp_path, broken, expected):
    import yaml

    questions = yaml.safe_load((FIX_QUIZZES / "good-chapter.yml").read_text())
    if broken == "too_few":
        questions = questions[:4]
    elif broken == "no_feedback":
        questions[1]["answers"][1]["feedback"] = ""
    else:
        questions[0]["answers"][1]["correct"] = True
    (tmp_path / "good-chapter.yml").write_text(yaml.safe_dump(questions))
    problems = br.rule_quiz(fixture_page(GOOD), tmp_path)
    assert any(expected in p for p in problems), problems


def test_glossary_rule_catches_an_unused_term():
    glossary = br.Page.read(FIXTURES / "glossary.md", text="```{glossary}\nweight\n  How much.\n\norphan\n  Never used.\n```\n")
    other = br.Page.read(FIXTURES / "x.md", text="A {term}`weight` and {term}`Weight <weight>`.\n")
    assert br.rule_glossary_terms_used(glossary, [other]) == ["glossary: the term 'orphan' is never used with {term} outside the glossary"]


COMMITTEE_FIXTURE = """(committee)=
# The Decision Committee

## The whole mapping

| Concept | In the committee | Glossary | Introduced in |
|---|---|---|---|
| {ref}`Weight <committee-weight>` | trust | {term}`weight` | *neuron* (planned) |

## The story, row by row

(committee-weight)=
### Weight
"""


@pytest.mark.parametrize("mutation, chapters, expected", [
    (lambda t: t, set(), None),
    (lambda t: t.replace("{term}`weight`", "weight"), set(), "links no glossary term"),
    (lambda t: t.replace("*neuron* (planned)", "later"), set(), "names no chapter"),
    (lambda t: t.replace("*neuron* (planned)", "*neurons* (planned)"), set(), "not a curriculum chapter"),
    (lambda t: t, {"neuron"}, "still calls 'neuron' planned"),
    (lambda t: t.replace("*neuron* (planned)", "{doc}`neuron`"), set(), "not a chapter in _toc.yml"),
    (lambda t: t.replace("{doc}`neuron`", "x").replace("*neuron* (planned)", "{doc}`neuron`"), {"neuron"}, None),
    (lambda t: t.replace("(committee-weight)=\n", ""), set(), "does not link its own labelled section"),
])
def test_committee_rule_catches_broken_rows(mutation, chapters, expected):
    page = br.Page.read(FIXTURES / "committee.md", text=mutation(COMMITTEE_FIXTURE))
    problems = br.rule_committee_rows(page, chapters)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems
