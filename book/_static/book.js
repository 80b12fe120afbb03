/* The download menu's ".ipynb (with outputs)" link: save the notebook as a
 * file. Without the download attribute the theme's link opens a new tab, and
 * a browser shows the notebook's JSON there instead of saving it
 * (sphinx-book-theme issue 918). */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("a.btn-download-notebook-button").forEach(function (link) {
    link.setAttribute("download", link.pathname.split("/").pop());
    link.removeAttribute("target");
  });
});
