/* Headway's own script: small enhancements only; every page works without it.
   Loaded in <head> without defer so the "js" class is set before the first paint
   (no flash of the full navigation on a phone). No inline script, no eval: CSP allows it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  /* The main navigation collapses behind a menu button on narrow screens (CSS decides
     when); the button says whether the menu is open, and Escape closes it. */
  function navSetUp() {
    var toggle = document.querySelector(".nav-toggle");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!nav) return;
    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  /* A table wider than the screen scrolls inside its wrapper: only then does the
     wrapper become a named, focusable region, so keyboard users can scroll it and no
     idle tab stop is added where nothing scrolls. */
  function regionName(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var section = wrap.closest("section[aria-labelledby]");
    var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    if (heading && heading.textContent.trim()) return heading.textContent.trim();
    return "Table";
  }

  function markScrollable(wrap) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      if (!wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", regionName(wrap) + " (scrolls sideways)");
        wrap.dataset.scrollMarked = "1";
      }
    } else if (wrap.dataset.scrollMarked) {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
      delete wrap.dataset.scrollMarked;
    }
  }

  var observer = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { markScrollable(entry.target); });
  }) : null;

  function tablesSetUp(root) {
    var wraps = root.querySelectorAll ? root.querySelectorAll(".table-wrap") : [];
    Array.prototype.forEach.call(wraps, function (wrap) {
      markScrollable(wrap);
      if (observer) observer.observe(wrap);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    navSetUp();
    tablesSetUp(document);
  });
  /* Parts of pages arrive through htmx: set their tables up too. */
  document.addEventListener("htmx:afterSettle", function (event) {
    tablesSetUp(event.target.parentNode || document);
  });
})();
