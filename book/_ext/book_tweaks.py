"""Small Sphinx fixes the book needs, each with the reason it exists.

* ``dedupe_inline_scripts``: sphinx-thebe 0.3.1 registers its inline
  configuration script once per ``env-before-read-docs`` event, which fires
  more than once in a Jupyter Book build; the page then declares
  ``const THEBE_JS_URL`` twice and the browser reports a SyntaxError.
  Keeping the first copy of each identical inline script fixes it.
* ``add_latex_parts``: the parts of ``_toc.yml`` as ``\\part`` in the PDF.
* ``drop_hidden_inputs_from_pdf``: a cell tagged ``hide-input`` (mostly
  plotting code) is folded away on the website, but myst-nb prints its whole
  source in the PDF, where it cannot be folded. The PDF keeps the figure or
  table and leaves the code to the website and the notebook.
"""
from docutils import nodes


def dedupe_inline_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", script) or "", tuple(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", dedupe_inline_scripts)
    app.connect("doctree-read", add_latex_parts)
    app.connect("doctree-resolved", drop_hidden_inputs_from_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def add_latex_parts(app, doctree):
    """Start each part of the PDF with ``\\part{caption}``.

    Without sphinx-jupyterbook-latex (whose LaTeX class needs a 500 MB font
    package), the captions of ``_toc.yml`` never reach the PDF. Before the
    first page of each part, a raw LaTeX node restores them; the preamble in
    ``_config.yml`` numbers chapters only inside the "Part ..." parts.
    """
    site_map = getattr(app.env, "external_site_map", None)
    if site_map is None:
        return
    docname = app.env.docname
    for tree in site_map[site_map.root.docname].subtrees:
        files = tree.files()
        if tree.caption and files and files[0] == docname:
            caption = tree.caption.replace("\\", "").replace("{", "").replace("}", "")
            doctree.insert(0, nodes.raw("", f"\\part{{{caption}}}\n", format="latex"))


def drop_hidden_inputs_from_pdf(app, doctree, docname):
    """In the LaTeX build, remove the source of cells tagged ``hide-input``."""
    if app.builder.format != "latex":
        return
    for cell in list(doctree.findall(nodes.container)):
        if "tag_hide-input" in cell.get("classes", []):
            for child in list(cell.children):
                if "cell_input" in child.get("classes", []):
                    cell.remove(child)
