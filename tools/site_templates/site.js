// Code on request, offline search and folding on a phone; everything works without it, except
// these two buttons.
"use strict";
(function () {
  // Pages and contents fold away on a phone, so that its first screen shows the page itself
  // (open in the markup: without this script nothing is hidden).
  var narrow = window.matchMedia("(max-width: 999px)");
  function fold() {
    document.querySelectorAll("details.fold").forEach(function (d) { d.open = !narrow.matches; });
  }
  // a table wider than its box scrolls there: the box takes the keyboard's focus too
  function scrollers() {
    document.querySelectorAll(".jp-RenderedHTML, .jp-RenderedMarkdown table").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.tabIndex = 0;
      else box.removeAttribute("tabindex");
    });
  }
  fold();
  scrollers();
  narrow.addEventListener("change", fold);
  window.addEventListener("resize", scrollers);
  var toggle = document.querySelector("button.toggle-code");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-pressed") !== "true";
      document.querySelectorAll("details.code").forEach(function (d) { d.open = open; });
      toggle.setAttribute("aria-pressed", String(open));
      toggle.textContent = open ? "Hide all code" : "Show all code";
    });
  }
  // Search: the index is a script (assets/search-index.js), which browsers load from disk too,
  // where they refuse requests for data; it is loaded when the search box is first used.
  var form = document.querySelector("form.search");
  var box = document.getElementById("search-box");
  var out = document.getElementById("search-results");
  if (!form || !box || !out) return;
  function load(then) {
    if (window.SEARCH_INDEX) return then();
    var s = document.createElement("script");
    s.src = form.getAttribute("data-index");
    s.onload = then;
    document.head.appendChild(s);
  }
  function esc(t) {
    return t.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  function search() {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) { out.hidden = true; return; }
    load(function () {
      var hits = window.SEARCH_INDEX.filter(function (e) {
        var t = (e.title + " " + e.text).toLowerCase();
        return words.every(function (w) { return t.indexOf(w) >= 0; });
      }).slice(0, 30);
      var items = hits.map(function (e) {
        var at = e.text.toLowerCase().indexOf(words[0]);
        var snippet = e.text.slice(Math.max(0, at - 60), at + 100);
        return '<li><a href="' + esc(e.url) + '">' + esc(e.page + ": " + e.title) +
          '</a><span class="snippet">' + esc(snippet) + "</span></li>";
      });
      out.innerHTML = "<h2>Search: " + hits.length + (hits.length === 30 ? "+" : "") +
        " sections</h2><ul>" + items.join("") + "</ul>";
      out.hidden = false;
    });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); search(); });
  box.addEventListener("input", search);
})();
