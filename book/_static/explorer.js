/* Explorers (nnbook/explorer.py): swap the stored picture and numbers when a
   control changes. Every combination was computed when the book was built;
   the page holds them in a JSON block inside each explorer. Plain JavaScript,
   native form controls (keyboard and screen readers work as for any form). */
(function () {
  "use strict";

  function setUp(root) {
    var source = root.querySelector("script.nnbook-explorer-data");
    if (!source || root.classList.contains("nnbook-explorer-ready")) return;
    var data = JSON.parse(source.textContent);
    var image = root.querySelector("img.nnbook-explorer-image");
    var numbers = root.querySelectorAll("[data-number]");
    var chosen = data.settings.map(function () { return 0; });

    function readControls() {
      data.settings.forEach(function (name, i) {
        var slider = root.querySelector('input[type="range"][data-setting="' + name + '"]');
        var menu = root.querySelector('select[data-setting="' + name + '"]');
        var radio = root.querySelector('input[type="radio"][data-setting="' + name + '"]:checked');
        var element = slider || menu || radio;
        if (element) chosen[i] = parseInt(element.value, 10);
        if (slider) {
          var text = data.values[i][chosen[i]];
          slider.setAttribute("aria-valuetext", text);
          var out = root.querySelector('output[for="' + slider.id + '"]');
          if (out) out.textContent = text;
        }
      });
    }

    function show() {
      readControls();
      var index = 0;
      for (var i = 0; i < chosen.length; i++) index = index * data.sizes[i] + chosen[i];
      var combo = data.combos[index];
      image.src = data.images[combo[0]];
      image.alt = combo[2];
      root.setAttribute("data-combination", String(index));
      for (var j = 0; j < numbers.length; j++) {
        var k = parseInt(numbers[j].getAttribute("data-number"), 10);
        if (numbers[j].textContent !== combo[1][k]) numbers[j].textContent = combo[1][k];
      }
    }

    root.addEventListener("input", show);
    root.addEventListener("change", show);
    root.classList.add("nnbook-explorer-ready");
    show();
  }

  function setUpAll() {
    var roots = document.querySelectorAll(".nnbook-explorer");
    for (var i = 0; i < roots.length; i++) setUp(roots[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
