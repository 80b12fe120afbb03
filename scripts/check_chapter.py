"""Check one chapter in seconds: the structure rules, then a standalone run.

    .venv/bin/python scripts/check_chapter.py neuron

Prints every problem (rules of CONTRIBUTING.md, cell errors, figures
without alt text or caption), the execution time and the word count of the
prose, and exits non-zero if anything is wrong. The full checks are
`make test`; this is the quick loop while writing.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import bookrules as br  # noqa: E402
from test_book_execute import execute, figure_problems  # noqa: E402


def main(slug):
    path = ROOT / "book" / f"{slug}.md"
    page = br.Page.read(path)
    glossary = br.Page.read(ROOT / "book" / "glossary.md")
    committee = br.Page.read(ROOT / "book" / "committee.md")
    problems = br.chapter_problems(page, glossary_terms=br.glossary_terms(glossary),
                                   committee_labels=br.committee_labels(committee),
                                   quiz_dir=ROOT / "book" / "quizzes")
    words = len(re.findall(r"[A-Za-z]+", br._prose_without_code(page)))
    try:
        nb, seconds = execute(path)
        problems += figure_problems(nb, slug)
        print(f"{slug}: executed in {seconds:.1f} s")
    except Exception as err:  # a cell error: show the end of it
        problems.append(f"{slug}: execution failed: {str(err)[-1500:]}")
    print(f"{slug}: about {words} words of prose, {len(br.exercise_labels(page))} exercises")
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
