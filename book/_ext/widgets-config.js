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
