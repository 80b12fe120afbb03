"""The whole book builds as a PDF with xelatex, with every part a reader needs.

A missing TeX toolchain is a failure, not a skip: `make pdf-deps` (and
`.ci/run`) install it.
"""
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bookrules as br

ROOT = br.ROOT
JB = str(Path(sys.executable).parent / "jupyter-book")

pytestmark = pytest.mark.pdf


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory):
    for tool in ("xelatex", "latexmk", "xindy", "pdftotext", "pdfinfo"):
        assert shutil.which(tool), f"{tool} is missing: run `make pdf-deps` (Debian/Ubuntu TeX packages)"
    out = tmp_path_factory.mktemp("pdf")
    start = time.perf_counter()
    proc = subprocess.run([JB, "build", str(ROOT), "--builder", "pdflatex", "--path-output", str(out)],
                          capture_output=True, text=True)
    pdf = out / "_build" / "latex" / "book.pdf"
    assert proc.returncode == 0 and pdf.is_file(), "PDF build failed:\n" + "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout).group(1))
    print(f"PDF: {pages} pages in {time.perf_counter() - start:.0f} s")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text, pages


def test_pdf_has_front_matter_parts_and_back_matter(pdf_text):
    text, pages = pdf_text
    assert pages >= 20
    for heading in ("THE DECISION COMMITTEE", "NOTATION AND SHAPES", "GLOSSARY", "BIBLIOGRAPHY", "API REFERENCE"):
        assert heading in text.upper(), f"{heading!r} is missing from the PDF"
    for part in br.toc()["parts"]:
        assert part["caption"] in text, f"the part {part['caption']!r} has no page in the PDF"


def test_pdf_has_every_chapter_numbered_like_the_website(pdf_text):
    text, _ = pdf_text
    for number, chapter in enumerate(br.chapter_files(), start=1):
        title = re.search(r"^# (.+)$", (ROOT / f"{chapter}.md").read_text(), flags=re.M).group(1)
        title = re.sub(r"[`*]", "", title)
        assert re.search(rf"^\s*{number}\s+{re.escape(title)}", text, flags=re.M | re.I), f"chapter {number} {title!r} not in the PDF contents"


def test_pdf_prints_exercises_solutions_and_quiz_answers(pdf_text):
    text, _ = pdf_text
    assert re.search(r"Exercise \d+\.\d+", text) and re.search(r"Solution to Exercise \d+\.\d+", text)
    assert "Answers." in text and re.search(r"Question \d+\.", text)
    n_quizzes = len(list((ROOT / "book" / "quizzes").glob("*.yml")))
    assert text.count("Answers.") >= n_quizzes


def _code_lines():
    """Distinctive source lines of the chapters' visible code cells, split by
    whether the cell is folded on the website (``hide-input``) or shown."""
    hidden, shown, all_shown = set(), set(), []
    for chapter in br.chapter_files():
        for cell in br.Page.read(ROOT / f"{chapter}.md").code_cells():
            if any(t.startswith("remove-") for t in cell.tags):
                continue
            lines = [line.strip() for line in cell.body.splitlines()]
            if cell.shown:
                all_shown.extend(lines)
            distinctive = {line for line in lines if 25 <= len(line) <= 60 and not line.startswith("#")}
            (shown if cell.shown else hidden).update(distinctive)
    # A folded line that also occurs inside shown code proves nothing either way.
    hidden = {line for line in hidden if not any(line in other for other in all_shown)}
    return hidden, shown


def test_pdf_prints_shown_code_and_leaves_folded_code_to_the_website(pdf_text):
    text, _ = pdf_text
    flat = re.sub(r"\s+", "", text)

    def printed(line):
        return re.sub(r"\s+", "", line) in flat

    hidden, shown = _code_lines()
    assert hidden and shown, "expected both folded and shown code cells in the chapters"
    # The search itself works: most lines of the shown code are found in the PDF text.
    found = [line for line in shown if printed(line)]
    assert len(found) >= 0.8 * len(shown), f"only {len(found)} of {len(shown)} shown code lines found"
    # A folded line that also occurs inside a shown line (say `names = [...]` inside
    # `target_names=[...]`, once spaces are gone) is printed legitimately: skip it.
    shown_flat = [re.sub(r"\s+", "", line) for line in shown]
    hidden = [line for line in hidden
              if not any(re.sub(r"\s+", "", line) in s for s in shown_flat)]
    leaked = [line for line in hidden if printed(line)]
    assert not leaked, f"folded (hide-input) code printed in the PDF: {leaked[:5]}"


def test_pdf_prints_each_explorer_as_a_small_multiples_figure(pdf_text, tmp_path_factory):
    """Each explorer's caption is in the PDF, on a page that holds a large image (its grid)."""
    text, _ = pdf_text
    pdf = next(Path(tmp_path_factory.getbasetemp()).glob("pdf*/_build/latex/book.pdf"))
    captions = []
    for chapter in br.chapter_files():
        for cell in br.Page.read(ROOT / f"{chapter}.md").code_cells():
            if "Explorer(" in cell.body:
                captions.append(cell.options["mystnb"]["figure"]["caption"])
    assert len(captions) >= 3, "expected explorers in at least three chapters"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    for caption in captions:
        start = re.sub(r"\s+", " ", caption.split(".")[0])[:40]
        found = [i for i, p in enumerate(pages, start=1) if start in re.sub(r"\s+", " ", p)]
        assert found, f"the caption {start!r} is not in the PDF"
        listing = subprocess.run(["pdfimages", "-list", "-f", str(found[0] - 1), "-l", str(found[0]), str(pdf)],
                                 capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        widths = [int(line.split()[3]) for line in listing if line.split()]
        assert widths and max(widths) >= 1000, f"no small-multiples image near {start!r}: {listing}"


def test_pdf_prints_the_debugging_checklist_alone_on_one_page(pdf_text):
    # debugging.md promises a checklist "printable from the PDF on one page":
    # the whole admonition on one page, and nothing of the chapter's prose on it.
    text, _ = pdf_text
    pages = text.split("\f")
    found = [i for i, page in enumerate(pages) if "Ask in this order" in page]
    assert len(found) == 1, f"the checklist's title is on pages {found}"
    page = " ".join(pages[found[0]].split())
    for part in ("1. Data", "2. Loss", "3. Gradients", "4. Updates", "5. Model",
                 "Change one thing at a time", "healthy baseline"):
        assert part in page, f"{part!r} is not on the checklist's page"
    source = (ROOT / "book" / "debugging.md").read_text()
    before = source.split("(debugging-checklist)=")[0].strip().splitlines()[-1]
    after = source.split("```{raw} latex\n\\clearpage\n```")[2].strip().split(".")[0]
    for neighbour in (before, after):
        words = " ".join(neighbour.split()[:6])
        assert words not in page, f"{words!r} shares the checklist's page"
