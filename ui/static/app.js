// Keyboard shortcuts for the common path. Rows of a list carry data-row; the page says
// which keys it offers with data-key attributes on links and buttons.
(function () {
  "use strict";
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName));
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-row]")); }
  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.findIndex(function (r) { return r.classList.contains("current"); });
    var next = Math.max(0, Math.min(all.length - 1, index + step));
    all.forEach(function (r) { r.classList.remove("current"); });
    all[next].classList.add("current");
    var link = all[next].querySelector("a");
    if (link) { link.focus(); }
  }
  function current() { return document.querySelector("[data-row].current"); }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    if (key === "j") { move(1); event.preventDefault(); return; }
    if (key === "k") { move(-1); event.preventDefault(); return; }
    if (key === "x" && current()) {
      var box = current().querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; }
      event.preventDefault(); return;
    }
    if (key === "?") {
      var help = document.getElementById("kbd-help");
      if (help) { help.hidden = !help.hidden; }
      return;
    }
    var target = document.querySelector('[data-key="' + key + '"]');
    if (target) {
      event.preventDefault();
      if (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA") {
        target.focus();
      } else {
        target.click();
      }
    }
  });
})();
