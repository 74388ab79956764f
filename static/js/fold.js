// Secondary sections fold in <details>. A link to something inside a folded section (a
// footnote, a back-link, a check) opens it first; printing opens every one.
(function () {
  "use strict";
  function openAround(id) {
    var node = id ? document.getElementById(id) : null;
    for (; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
  }
  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    openAround(id);
    var target = id ? document.getElementById(id) : null;
    if (target) target.scrollIntoView();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (link) openAround(decodeURIComponent(link.getAttribute("href").slice(1)));
  });
  window.addEventListener("hashchange", fromHash);
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      reopened.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (details) { details.open = false; });
    reopened = [];
  });
  if (location.hash) fromHash();
})();
