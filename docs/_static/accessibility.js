// What the theme and its plugins need for keyboard users (tests/test_accessibility.py).
//
// A block of code or output that scrolls (a long line, a long output) must be
// reachable from the keyboard, or its hidden part can only be read with a
// mouse (WCAG 2.1.1; axe: scrollable-region-focusable). Give each such block a
// tab stop, and only those: whether a block scrolls depends on the window's
// width, so this runs again when the window is resized.
(function () {
  "use strict";

  function markScrollingBlocks() {
    document.querySelectorAll("pre").forEach(function (pre) {
      var scrolls = pre.scrollWidth > pre.clientWidth || pre.scrollHeight > pre.clientHeight;
      if (scrolls && !pre.hasAttribute("tabindex")) {
        pre.setAttribute("tabindex", "0");
        pre.dataset.scrollStop = "";
      } else if (!scrolls && "scrollStop" in pre.dataset) {
        pre.removeAttribute("tabindex");
        delete pre.dataset.scrollStop;
      }
    });
  }

  // sphinx-copybutton copies through a hidden text field that it focuses and
  // then removes, which drops the keyboard's focus to the start of the page.
  // Put it back on the copy button that was pressed.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.copybtn");
    if (!button) {
      return;
    }
    setTimeout(function () {
      if (!document.activeElement || document.activeElement === document.body) {
        button.focus({ preventScroll: true });
      }
    }, 0);
  });

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(markScrollingBlocks, 200);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markScrollingBlocks);
  } else {
    markScrollingBlocks();
  }
})();
