// Loaded after require.js and before the widget manager (embed-amd.js), on pages with widgets.
(function () {
  // RequireJS resolves module names against its baseUrl, by default the page's own folder, and the
  // widget manager finds its fonts relative to its module's URL. Pages sit at different depths, so
  // point baseUrl at this file's folder (the book's assets/widgets/): every page then loads the
  // manager's files from the same place, inside the book.
  var src = document.currentScript.src;
  requirejs.config({ baseUrl: src.slice(0, src.lastIndexOf("/") + 1) });

  // The manager (@jupyter-widgets/base 6) typesets widget text with MathJax 2's API,
  // MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the book loads MathJax 3, which has no Hub
  // (without this, rendering a widget throws "Cannot read properties of undefined (reading 'Queue')").
  // MathJax 3 is a deferred script, so it exists by DOMContentLoaded; the widgets render on load.
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (!mathjax || mathjax.Hub) {
      return;
    }
    mathjax.Hub = {
      Queue: function (call) {
        if (mathjax.startup && mathjax.typesetPromise) {
          mathjax.startup.promise.then(function () {
            return mathjax.typesetPromise([call[2]]);
          });
        }
      },
    };
  });
})();

// Accessible names for what the widget manager renders (WCAG 2.1: 1.1.1 text alternatives, 4.1.2 name,
// role, value). The manager's views give a slider's handle (noUiSlider, role=slider) no name and a
// frame's <img> no alt; here each slider handle is named by its description, and each image takes its
// title (figure_to_image(..., alt=...) sets the Image widget's tooltip, which is the img's title), or
// else says what the controls chose ("Figure for position t: 3").
(function () {
  function text(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }
  function name(area) {
    var sliders = area.querySelectorAll(".widget-slider");
    sliders.forEach(function (slider) {
      var label = text(slider.querySelector(".widget-label")) || "frame";
      slider.querySelectorAll("[role=slider]:not([aria-label])").forEach(function (handle) {
        handle.setAttribute("aria-label", label);
      });
    });
    var images = area.querySelectorAll("img:not([alt])");
    if (!images.length) {
      return;
    }
    // What the controls choose now (the manager renders only the frame they choose): each slider's
    // description and readout (or the caption beside it), each row of buttons' description and choice.
    var chosen = [];
    sliders.forEach(function (slider) {
      var row = slider.closest(".widget-hbox");
      var caption = row ? text(row.querySelector(".widget-html")) : "";
      var handle = slider.querySelector("[role=slider]");
      var value = caption || text(slider.querySelector(".widget-readout")) ||
        (handle && (handle.getAttribute("aria-valuetext") || handle.getAttribute("aria-valuenow")));
      chosen.push(text(slider.querySelector(".widget-label")) + ": " + value);
    });
    area.querySelectorAll(".widget-toggle-buttons").forEach(function (buttons) {
      chosen.push(text(buttons.querySelector(".widget-label")) + ": " +
        text(buttons.querySelector("button.mod-active")));
    });
    images.forEach(function (img) {
      var title = (img.getAttribute("title") || "").trim();
      var shown = chosen.length ? "Figure for " + chosen.join(", ") : "Figure of this output";
      img.setAttribute("alt", title || shown.replace(/\s+/g, " "));
    });
  }
  var pending = false;
  function nameAll() {
    pending = false;
    document.querySelectorAll(".widget-subarea").forEach(name);
  }
  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(nameAll);
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
