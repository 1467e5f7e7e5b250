// A code block that scrolls must be reachable with the keyboard, so that its hidden part can be scrolled
// into view (WCAG 2.1.1). pydata-sphinx-theme gives a tab stop to each block that scrolls when the page
// loads; a block that is hidden then (in a hidden code cell, a solution) scrolls only once opened, and
// gets its tab stop here, after each click, key press or <details> toggle.
(function () {
  function tabStops() {
    document.querySelectorAll("pre:not([tabindex='0'])").forEach(function (pre) {
      var scrolls = pre.scrollWidth > pre.clientWidth || pre.scrollHeight > pre.clientHeight;
      if (scrolls && pre.offsetParent !== null) {
        pre.setAttribute("tabindex", "0");
      }
    });
  }
  function later() {
    window.requestAnimationFrame(tabStops);
  }
  document.addEventListener("toggle", later, true);
  document.addEventListener("click", later, true);
  document.addEventListener("keyup", later, true);
  window.addEventListener("load", later);
})();
