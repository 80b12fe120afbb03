"""Readers report errors and ask questions through GitHub issue forms.

The forms in ``.github/ISSUE_TEMPLATE/`` must be forms GitHub accepts (its
documented syntax: top-level keys, body element types, unique ids and
labels), the errata form must ask for the page, what is wrong and what it
should say, and the website's issue button (``book_tweaks.errata_button``)
must open that form with the page filled in.
"""
import re
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

import bookrules as br

FORMS = br.ROOT / ".github" / "ISSUE_TEMPLATE"
TOP_KEYS = {"name", "description", "title", "labels", "assignees", "body", "projects", "type"}
ELEMENTS = {"markdown", "input", "textarea", "dropdown", "checkboxes"}
ID = re.compile(r"^[A-Za-z0-9_-]+$")


def form_problems(form, name="form"):
    """What GitHub would reject in an issue form (a dict read from YAML)."""
    if not isinstance(form, dict):
        return [f"{name}: not a mapping of keys"]
    problems = [f"{name}: unknown top-level key {k!r}" for k in form if k not in TOP_KEYS]
    for key in ("name", "description"):
        if not isinstance(form.get(key), str) or not form[key].strip():
            problems.append(f"{name}: needs a non-empty string {key!r}")
    body = form.get("body")
    if not isinstance(body, list) or not body:
        return problems + [f"{name}: needs a non-empty body"]
    ids, labels = [], []
    for i, element in enumerate(body, start=1):
        kind = element.get("type")
        attributes = element.get("attributes") or {}
        where = f"{name}, body element {i}"
        if kind not in ELEMENTS:
            problems.append(f"{where}: unknown type {kind!r}")
            continue
        if kind == "markdown":
            if not str(attributes.get("value", "")).strip():
                problems.append(f"{where}: markdown needs a value")
            continue
        if not str(attributes.get("label", "")).strip():
            problems.append(f"{where}: needs a label")
        labels.append(attributes.get("label"))
        if "id" in element:
            if not ID.match(str(element["id"])):
                problems.append(f"{where}: id {element['id']!r} may hold only letters, digits, - and _")
            ids.append(element["id"])
        if kind == "dropdown":
            options = attributes.get("options") or []
            if not options or len(set(options)) != len(options):
                problems.append(f"{where}: a dropdown needs distinct options")
        required = (element.get("validations") or {}).get("required", False)
        if not isinstance(required, bool):
            problems.append(f"{where}: validations.required must be true or false")
    if not ids and not labels:
        problems.append(f"{name}: needs at least one field besides markdown")
    for what, values in (("id", ids), ("label", labels)):
        repeated = {v for v in values if values.count(v) > 1}
        if repeated:
            problems.append(f"{name}: repeated {what}s {sorted(repeated)}")
    return problems


def read(name):
    return yaml.safe_load((FORMS / name).read_text())


def fields(form):
    return {e["id"]: e for e in form["body"] if "id" in e}


def required(element):
    return (element.get("validations") or {}).get("required") is True


def test_every_issue_form_is_one_github_accepts():
    forms = sorted(p.name for p in FORMS.glob("*.yml") if p.name != "config.yml")
    assert {"errata.yml", "question.yml"} <= set(forms), forms
    for name in forms:
        assert form_problems(read(name), name) == []
    assert isinstance(read("config.yml").get("blank_issues_enabled"), bool)


@pytest.mark.parametrize("broken, complaint", [
    ({"description": "d", "body": [{"type": "textarea", "attributes": {"label": "x"}}]}, "'name'"),
    ({"name": "n", "description": "d", "body": [{"type": "markdown", "attributes": {"value": "hi"}}]}, "besides markdown"),
    ({"name": "n", "description": "d", "body": [{"type": "textarea", "id": "a b", "attributes": {"label": "x"}}]}, "may hold only"),
    ({"name": "n", "description": "d", "body": [{"type": "input", "id": "a", "attributes": {"label": "x"}},
                                                {"type": "input", "id": "a", "attributes": {"label": "y"}}]}, "repeated ids"),
    ({"name": "n", "description": "d", "input": 1, "body": [{"type": "input", "attributes": {"label": "x"}}]}, "unknown top-level"),
])
def test_the_form_check_catches_what_github_rejects(broken, complaint):
    assert any(complaint in p for p in form_problems(broken)), form_problems(broken)


def test_the_errata_form_asks_for_the_page_what_is_wrong_and_what_it_should_say():
    form = fields(read("errata.yml"))
    for field in ("page", "wrong", "correction"):
        assert field in form and required(form[field]), f"errata.yml needs a required field {field!r}"
    assert form["page"]["type"] == "input"
    assert {form["wrong"]["type"], form["correction"]["type"]} == {"textarea"}


def test_the_question_form_asks_a_question():
    form = fields(read("question.yml"))
    assert "question" in form and required(form["question"]) and form["question"]["type"] == "textarea"


def test_the_issue_button_is_rewritten_to_open_the_errata_form():
    tweaks = br.book_tweaks()
    assert tweaks.ERRATA_FORM in {p.name for p in FORMS.glob("*.yml")}
    assert tweaks.ERRATA_PAGE_FIELD in fields(read(tweaks.ERRATA_FORM))
    repo = "https://github.com/nn-fundamentals/nn-fundamentals-book"
    # The shape sphinx-book-theme 1.3 gives the button (a group of repository buttons).
    issue = {"type": "link", "label": "source-issues-button", "text": "Open issue",
             "url": f"{repo}/issues/new?title=Issue%20on%20page%20%2Fbook/neuron.html&body=Your%20issue%20content%20here."}
    context = {"title": "The <em>neuron</em> &amp; its weights",
               "header_buttons": [{"type": "group", "buttons": [{"label": "source-repository-button", "url": repo}, issue]}]}
    tweaks.errata_button(None, "book/neuron", "page.html", context, None)
    url = urlparse(issue["url"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{repo}/issues/new"
    assert query["template"] == [tweaks.ERRATA_FORM]
    assert query[tweaks.ERRATA_PAGE_FIELD] == ["The neuron & its weights (book/neuron.html)"]
    assert "body" not in query and issue["text"] == "Report an error"
    assert context["header_buttons"][0]["buttons"][0]["url"] == repo  # other buttons untouched
