"""The book's structure rules (CONTRIBUTING.md), as functions the tests call.

Each ``rule_*`` takes a :class:`Page` and returns a list of problems, each a
sentence naming the page and what is wrong; an empty list means the rule
holds. Book-wide rules take several pages. ``tests/test_structure.py`` runs
them on every chapter in ``_toc.yml`` and, to prove each one can fail, on a
good fixture chapter and on broken copies of it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

#: The curriculum's chapter slugs, in order: the committee and welcome pages
#: may name a planned chapter only by one of these.
CURRICULUM = [
    "images-as-numbers", "neuron", "activations", "linear-layer", "perceptron",
    "forward-pass-by-hand", "loss", "gradient-descent", "backpropagation",
    "softmax-cross-entropy", "training-loop",
    "evaluation", "generalization",
    "hidden-layers", "depth-challenges", "regularization", "architecture-choices",
    "full-implementation", "debugging", "tabular-architecture", "whats-next",
]

FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\s*(?P<info>.*)$")
TERM = re.compile(r"\{term\}`(?:[^`<]*<)?([^`>]+)>?`")
REF = re.compile(r"\{ref\}`(?:[^`<]*<)?([^`>]+)>?`")
DOC = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")
PLANNED = re.compile(r"\*([a-z0-9-]+)\* \(planned\)")
# A literal code block nested in a directive (an exercise showing code).
NESTED_CODE = re.compile(r"^\s*(`{3,})\s*(?:\{code[\w-]*\}.*|[\w+-]*)\n.*?^\s*\1\s*$", flags=re.M | re.S)
DECIMAL = re.compile(r"(?<![\w.])\d*\.\d+(?![\w])")


@dataclass
class Cell:
    """A fenced block: its directive name, argument, option lines and body."""

    name: str
    argument: str
    options: dict
    body: str
    start: int

    @property
    def tags(self):
        """The cell's tags as a list, from YAML options or a ``:tags: [a, b]`` line."""
        tags = self.options.get("tags") or []
        if isinstance(tags, str):
            tags = yaml.safe_load(tags) if tags.startswith("[") else [tags]
        return list(tags)

    @property
    def shown(self):
        """True if a reader sees the cell's code unfolded (not removed, not hide-input)."""
        return not any(t.startswith("remove-") or t == "hide-input" for t in self.tags)


@dataclass
class Page:
    """One MyST page split into front matter, fenced blocks and prose."""

    path: Path
    text: str
    slug: str = ""
    front_matter: dict = field(default_factory=dict)
    blocks: list = field(default_factory=list)
    prose: str = ""

    @classmethod
    def read(cls, path, text=None):
        path = Path(path)
        text = path.read_text(encoding="utf-8") if text is None else text
        page = cls(path=path, text=text, slug=path.stem)
        page._parse()
        return page

    def _parse(self):
        lines = self.text.splitlines()
        i = 0
        if lines and lines[0].strip() == "---":
            end = lines.index("---", 1)
            self.front_matter = yaml.safe_load("\n".join(lines[1:end])) or {}
            i = end + 1
        prose = []
        while i < len(lines):
            m = FENCE.match(lines[i].strip())
            if not m:
                prose.append(lines[i])
                i += 1
                continue
            fence, info = m.group("fence"), m.group("info")
            name, argument = "", ""
            dm = re.match(r"\{([\w:-]+)\}\s*(.*)", info)
            if dm:
                name, argument = dm.group(1), dm.group(2).strip()
            j = i + 1
            depth = 0
            while j < len(lines):
                s = lines[j].strip()
                inner = FENCE.match(s)
                if inner and inner.group("fence")[0] == fence[0] and len(inner.group("fence")) == len(fence):
                    if inner.group("info"):
                        depth += 1
                    elif depth:
                        depth -= 1
                    else:
                        break
                j += 1
            body_lines = lines[i + 1:j]
            options = {}
            # Options: a YAML block between --- lines, or :key: value lines.
            if body_lines and body_lines[0].strip() == "---":
                end = body_lines.index("---", 1) if "---" in body_lines[1:] else 0
                options = yaml.safe_load("\n".join(body_lines[1:end])) or {}
                body_lines = body_lines[end + 1:]
            else:
                k = 0
                while k < len(body_lines) and re.match(r"^\s*:[\w-]+:", body_lines[k]):
                    key, _, value = body_lines[k].strip()[1:].partition(":")
                    options[key] = value.strip()
                    k += 1
                body_lines = body_lines[k:]
            body = "\n".join(body_lines)
            self.blocks.append(Cell(name, argument, options, body, i + 1))
            if name in ("code-cell", "glue:figure", "glue:math") or (not name and fence[0] == "`"):
                prose.append("")  # code and literal blocks are not prose
            else:
                prose.append(info if not name else "")
                if name != "eval-rst":
                    prose.extend(NESTED_CODE.sub("", "\n".join(body_lines)).splitlines())
            i = j + 1
        self.prose = "\n".join(prose)

    def code_cells(self):
        return [b for b in self.blocks if b.name == "code-cell"]

    def blocks_named(self, *names):
        return [b for b in self.blocks if b.name in names]


def _prose_without_code(page):
    text = re.sub(r"``[^`]+``|`[^`]*`", lambda m: m.group(0) if m.group(0).startswith("{") else "", page.prose)
    # Roles keep their role name but their content (labels, glue keys) is not prose.
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", "", text)
    text = re.sub(r"^\s*\([\w-]+\)=\s*$", "", text, flags=re.M)  # target labels
    text = re.sub(r"https?://\S+", "", text)
    text = re.sub(r"^%.*$", "", text, flags=re.M)  # MyST comments
    return text


# ---- chapter rules ---------------------------------------------------------

def rule_header(page):
    problems = []
    jt = page.front_matter.get("jupytext", {}).get("text_representation", {})
    if jt.get("format_name") != "myst":
        problems.append(f"{page.slug}: front matter lacks jupytext text_representation format_name: myst")
    if page.front_matter.get("kernelspec", {}).get("name") != "python3":
        problems.append(f"{page.slug}: front matter lacks the python3 kernelspec")
    m = re.search(r"^\((ch-[\w-]+)\)=\s*\n+# ", page.text, flags=re.M)
    if not m or m.group(1) != f"ch-{page.slug}":
        problems.append(f"{page.slug}: the title must be preceded by the label (ch-{page.slug})=")
    return problems


def _section(page, heading):
    m = re.search(rf"^## {heading}\s*$(.*?)(?=^## |\Z)", page.prose, flags=re.M | re.S)
    return m.group(1) if m else None


def rule_overview(page):
    section = _section(page, "Overview")
    if section is None:
        return [f"{page.slug}: no '## Overview' section"]
    m = re.search(r"\*\*What you will learn\*\*[^\n]*\n", section)
    n = 0
    if m:
        # The list: bullets and their (possibly unindented) continuation lines,
        # up to the first blank line that is not followed by another bullet.
        lines = section[m.end():].splitlines()
        for i, line in enumerate(lines):
            if re.match(r"^\s*[-*] ", line):
                n += 1
            elif not line.strip():
                nxt = next((x for x in lines[i + 1:] if x.strip()), "")
                if n and not re.match(r"^\s*[-*] ", nxt):
                    break
            elif not n or line.lstrip().startswith(("**", "#", ":::", "```")):
                break
    if not n:
        return [f"{page.slug}: the Overview has no '**What you will learn**' list"]
    if not 3 <= n <= 5:
        return [f"{page.slug}: 'What you will learn' has {n} outcomes; write 3 to 5"]
    return []


def rule_committee_link(page, committee_labels):
    problems = []
    targets = [t for t in REF.findall(page.text) if t.startswith("committee-")]
    if not targets:
        problems.append(f"{page.slug}: no {{ref}} link to a row of the committee page (committee-...)")
    for t in targets:
        if t not in committee_labels:
            problems.append(f"{page.slug}: links {t}, which is not a row label on the committee page")
    if not any(b.name == "admonition" and "committee" in b.options.get("class", "") for b in page.blocks):
        problems.append(f"{page.slug}: no admonition with :class: committee (the committee view)")
    return problems


def rule_terms(page, glossary_terms, minimum=5):
    used = {t.strip().lower() for t in TERM.findall(page.text)}
    problems = []
    if len(used) < minimum:
        problems.append(f"{page.slug}: uses {len(used)} glossary terms with {{term}}; needs at least {minimum}")
    for t in sorted(used - {g.lower() for g in glossary_terms}):
        problems.append(f"{page.slug}: {{term}}`{t}` is not in the glossary")
    return problems


def rule_no_typed_decimals(page):
    problems = []
    for lineno, line in enumerate(_prose_without_code(page).splitlines(), start=1):
        for m in DECIMAL.finditer(line):
            problems.append(f"{page.slug}: typed decimal {m.group(0)!r} in prose ({line.strip()[:60]!r}); glue it")
    return problems


def exercise_labels(page):
    return [b.options.get("label", "") for b in page.blocks_named("exercise", "exercise-start")]


def rule_exercises(page, minimum=4):
    problems = []
    labels = exercise_labels(page)
    if len(labels) < minimum:
        problems.append(f"{page.slug}: {len(labels)} exercises; needs at least {minimum}")
    for label in labels:
        if not label.startswith(f"{page.slug}-ex-"):
            problems.append(f"{page.slug}: exercise label {label!r} must start with '{page.slug}-ex-'")
    solutions = {b.argument: b for b in page.blocks_named("solution", "solution-start")}
    for label in labels:
        if label not in solutions:
            problems.append(f"{page.slug}: exercise {label!r} has no solution")
        elif "dropdown" not in solutions[label].options.get("class", ""):
            problems.append(f"{page.slug}: the solution to {label!r} is not a dropdown (:class: dropdown)")
    starts, ends = len(page.blocks_named("solution-start")), len(page.blocks_named("solution-end"))
    if starts != ends:
        problems.append(f"{page.slug}: {starts} solution-start but {ends} solution-end")
    if re.search(r"hide_solutions|:hidden:", page.text):
        problems.append(f"{page.slug}: hidden solutions crash gated solutions (sphinx-exercise issue 89)")
    return problems


def rule_code_solutions_check_themselves(page):
    """Every code cell inside a gated solution asserts or calls a checker."""
    problems = []
    inside = None
    for b in page.blocks:
        if b.name == "solution-start":
            inside, checked, has_code = b.argument, False, False
        elif b.name == "solution-end" and inside:
            if has_code and not checked:
                problems.append(f"{page.slug}: the code solution to {inside!r} never checks its answer (assert or nnbook.checkers)")
            inside = None
        elif b.name == "code-cell" and inside:
            has_code = True
            checked = checked or bool(re.search(r"\bassert\b|\bcheck_\w+\(", b.body))
    return problems


def rule_quiz(page, quiz_dir, minimum=5):
    from nnbook import quiz

    calls = [b for b in page.code_cells() if re.search(r"quiz\.show\(\s*[\"']" + re.escape(page.slug) + r"[\"']\s*\)", b.body)]
    if not calls:
        return [f"{page.slug}: no cell calls quiz.show({page.slug!r})"]
    problems = []
    if "remove-input" not in calls[0].tags:
        problems.append(f"{page.slug}: the quiz cell should be tagged remove-input")
    try:
        questions = quiz.load(page.slug, quiz_dir)
    except (FileNotFoundError, ValueError) as err:
        return problems + [f"{page.slug}: quiz file problem: {err}"]
    if len(questions) < minimum:
        problems.append(f"{page.slug}: the quiz has {len(questions)} questions; needs at least {minimum}")
    return problems


def rule_no_pip(page):
    if re.search(r"^\s*[!%]\s*pip\b|\bpip install\b", "\n".join(c.body for c in page.code_cells()), flags=re.M):
        return [f"{page.slug}: installs packages from a cell (!pip / %pip); use requirements.txt"]
    return []


CODE_WIDTH = 80


def rule_code_fits_the_page(page, width=CODE_WIDTH):
    """Code a reader sees (not removed, not folded) fits the website's code
    box and the PDF's text width without scrolling or wrapping."""
    problems = []
    for cell in page.code_cells():
        if not cell.shown:
            continue
        for line in cell.body.splitlines():
            if len(line) > width:
                problems.append(f"{page.slug}: code cell at line {cell.start} has a line of {len(line)} "
                                f"characters (at most {width}; move the comment above it): {line.strip()[:40]}...")
    return problems


def rule_summary(page):
    section = _section(page, "Summary")
    if section is None or len(re.findall(r"^\s*[-*] ", section, flags=re.M)) < 2:
        return [f"{page.slug}: no '## Summary' section with the takeaways as bullets"]
    return []


CODE_CELL = re.compile(r"^(`{3,})\{code-cell\}[^\n]*\n.*?^\1\s*$", flags=re.M | re.S)
HEADING = re.compile(r"^#{1,6} ", flags=re.M)
TRY = re.compile(r"\b(try|find|move|choose|pick|look for|watch)\b", flags=re.I)


def _explorer_settings(source):
    """The settings an ``Explorer(...)`` call in ``source`` offers, as the words a
    reader sees (its ``labels``, else the setting names): a list per call, or a
    string saying why they cannot be read."""
    import ast

    try:
        tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    except SyntaxError as e:
        return f"its code does not parse ({e.msg})"
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Explorer"):
            continue
        kwargs = {k.arg: k.value for k in node.keywords}
        settings = kwargs.get("settings", node.args[1] if len(node.args) > 1 else None)
        if not isinstance(settings, ast.Dict) or not all(isinstance(k, ast.Constant) for k in settings.keys):
            return "its settings are not written out as a dict literal"
        labels = {}
        if isinstance(kwargs.get("labels"), ast.Dict):
            labels = {k.value: v.value for k, v in zip(kwargs["labels"].keys, kwargs["labels"].values)
                      if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)}
        found.append([labels.get(k.value, k.value.replace("_", " ")) for k in settings.keys])
    return found


def rule_explorers_are_described(page):
    """An explorer (nnbook.explorer) sits in a section whose prose names each of
    its settings, as its controls are labelled, and tells the reader what to
    try: without that it is decoration."""
    problems = []
    text = page.text.split("\n---\n", 1)[1] if page.text.startswith("---\n") else page.text
    cells = []

    def mark(match):
        lines = match.group(0).splitlines()[1:-1]  # without the fences
        if lines and lines[0].strip() == "---":    # YAML options
            lines = lines[lines.index("---", 1) + 1:] if "---" in lines[1:] else lines
        while lines and re.match(r"^\s*:[\w-]+:", lines[0]):
            lines = lines[1:]
        cells.append("\n".join(lines))
        return f"\n@@cell{len(cells) - 1}@@\n"

    marked = CODE_CELL.sub(mark, text)
    starts = [m.start() for m in HEADING.finditer(marked)] + [len(marked)]
    sections = [marked[a:b] for a, b in zip([0] + starts, starts)]
    for section in sections:
        prose = re.sub(r"@@cell\d+@@", "", section)
        prose = re.sub(r"\{[\w:-]+\}`[^`]*`", "", prose)  # roles: labels and glue keys are not prose
        prose = " ".join(re.sub(r"[*_]", "", prose).split()).lower()
        for n in map(int, re.findall(r"@@cell(\d+)@@", section)):
            if "Explorer(" not in cells[n]:
                continue
            where = f"{page.slug}: the explorer in section '{section.splitlines()[0].strip('# ')}'"
            settings = _explorer_settings(cells[n])
            if isinstance(settings, str):
                problems.append(f"{where}: {settings}")
                continue
            for names in settings:
                missing = [name for name in names
                           if not re.search(rf"\b{re.escape(' '.join(name.lower().split()))}\b", prose)]
                if missing:
                    problems.append(f"{where}: the prose next to it never names the settings {missing}")
            if not TRY.search(prose):
                problems.append(f"{where}: the prose next to it never tells the reader what to try "
                                "(try, find, move, choose, pick, look for, watch)")
    return problems


def chapter_problems(page, *, glossary_terms, committee_labels, quiz_dir):
    return (
        rule_header(page)
        + rule_overview(page)
        + rule_committee_link(page, committee_labels)
        + rule_terms(page, glossary_terms)
        + rule_no_typed_decimals(page)
        + rule_exercises(page)
        + rule_code_solutions_check_themselves(page)
        + rule_quiz(page, quiz_dir)
        + rule_no_pip(page)
        + rule_code_fits_the_page(page)
        + rule_summary(page)
        + rule_explorers_are_described(page)
    )


# ---- book-wide rules -------------------------------------------------------

def glossary_terms(glossary_page):
    (block,) = glossary_page.blocks_named("glossary")
    terms = []
    for line in block.body.splitlines():
        if line.strip() and not line.startswith((" ", "\t")):
            terms.append(line.strip())
    return terms


def committee_rows(committee_page):
    """The rows of the '## The whole mapping' table, each a list of cells."""
    section = _section(committee_page, "The whole mapping") or ""
    rows = []
    for line in section.splitlines():
        if line.startswith("|") and not re.match(r"^\|[\s:|-]+\|$", line):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows[1:]  # drop the header row


def committee_labels(committee_page):
    return set(re.findall(r"^\((committee-[\w-]+)\)=", committee_page.text, flags=re.M))


def rule_glossary_terms_used(glossary_page, other_pages):
    used = {t.strip().lower() for p in other_pages for t in TERM.findall(p.text)}
    return [f"glossary: the term {t!r} is never used with {{term}} outside the glossary"
            for t in glossary_terms(glossary_page) if t.lower() not in used]


def rule_committee_rows(committee_page, chapters_in_toc):
    problems = []
    rows = committee_rows(committee_page)
    labels = committee_labels(committee_page)
    if not rows:
        return ["committee: no rows in the '## The whole mapping' table"]
    for row in rows:
        name = row[0]
        if len(row) != 4:
            problems.append(f"committee: row {name!r} has {len(row)} cells; expected 4")
            continue
        refs = REF.findall(row[0])
        if not refs or refs[0] not in labels:
            problems.append(f"committee: row {name!r} does not link its own labelled section")
        if not TERM.search(row[2]):
            problems.append(f"committee: row {name!r} links no glossary term")
        linked, planned = DOC.findall(row[3]), PLANNED.findall(row[3])
        if not linked and not planned:
            problems.append(f"committee: row {name!r} names no chapter")
        for slug in planned:
            if slug not in CURRICULUM:
                problems.append(f"committee: row {name!r} names {slug!r}, not a curriculum chapter")
            elif slug in chapters_in_toc:
                problems.append(f"committee: row {name!r} still calls {slug!r} planned; link it with {{doc}}")
        for slug in linked:
            if Path(slug).name not in chapters_in_toc:
                problems.append(f"committee: row {name!r} links {slug!r}, which is not a chapter in _toc.yml")
    return problems


def rule_planned_chapters_are_linked_once_written(page, chapters_in_toc):
    return [f"{page.slug}: still calls {slug!r} planned although it is in _toc.yml; link it with {{doc}}"
            for slug in PLANNED.findall(page.text) if slug in chapters_in_toc]


# ---- the table of contents -------------------------------------------------

def toc(root=ROOT):
    return yaml.safe_load((Path(root) / "_toc.yml").read_text())


def toc_files(root=ROOT):
    data = toc(root)
    files = [data["root"]]
    for part in data.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def chapter_files(root=ROOT):
    """Files of the numbered parts ('Part I: ...'), i.e. the chapters."""
    data = toc(root)
    return [c["file"] for part in data.get("parts", []) if part["caption"].startswith("Part ")
            for c in part["chapters"]]


def book_tweaks(root=ROOT):
    """The book's Sphinx extension ``book/_ext/book_tweaks.py``, imported from its file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_tweaks", Path(root) / "book" / "_ext" / "book_tweaks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
