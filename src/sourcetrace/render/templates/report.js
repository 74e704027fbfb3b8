// sourcetrace report: optional interaction. Everything is readable without it; this only highlights
// an attribution's parts on hover, shows its details in a popover on click, and filters.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var text = document.getElementById("text");
  var pop = document.getElementById("popover");
  if (!text || !pop) { return; }

  function ids(el) { return (el.getAttribute("data-a") || "").split(/\s+/).filter(Boolean); }
  function sel(attr, value) { return "[" + attr + "~=\"" + (window.CSS && CSS.escape ? CSS.escape(value) : value) + "\"]"; }
  function each(selector, fn) { Array.prototype.forEach.call(document.querySelectorAll(selector), fn); }

  // Hover: light up every part of the attribution(s) under the pointer, in the text, the list and the graph.
  var lit = [];
  function light(list) {
    lit.forEach(function (id) { each(sel("data-a", id), function (el) { el.classList.remove("hl"); }); });
    lit = list;
    lit.forEach(function (id) { each(sel("data-a", id), function (el) { el.classList.add("hl"); }); });
  }
  function target(event) {
    var el = event.target.closest ? event.target.closest("[data-a], a.ref") : null;
    if (el && el.classList.contains("ref")) { return [el.getAttribute("data-ref")]; }
    return el ? ids(el) : [];
  }
  text.addEventListener("mouseover", function (e) {
    var next = target(e);
    if (next.join(" ") !== lit.join(" ")) { light(next); }
  });
  text.addEventListener("mouseleave", function () { if (pop.hidden) { light([]); } });

  // Click: the attribution's card, cloned from the list below, in a popover next to the claim.
  function hide() { pop.hidden = true; pop.replaceChildren(); light([]); }
  function show(list, anchor, fromKeyboard) {
    pop.replaceChildren();
    var close = document.createElement("button");
    close.type = "button";
    close.className = "close";
    close.setAttribute("aria-label", "Close");
    close.textContent = "\u00d7";
    close.addEventListener("click", hide);
    pop.appendChild(close);
    list.forEach(function (id) {
      var card = document.getElementById("att-" + id);
      if (!card) { return; }
      var copy = card.cloneNode(true);
      copy.removeAttribute("id");
      copy.classList.remove("hl");
      pop.appendChild(copy);
    });
    pop.hidden = false;
    var r = anchor.getBoundingClientRect();
    var width = pop.offsetWidth;
    var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
    pop.style.left = left + "px";
    var height = pop.offsetHeight;
    var below = r.bottom + height + 12 <= document.documentElement.clientHeight || r.top < height + 12;
    pop.style.top = (below ? r.bottom + window.scrollY + 6 : r.top + window.scrollY - height - 6) + "px";
    light(list);
    if (fromKeyboard) { close.focus({ preventScroll: true }); }
  }
  text.addEventListener("click", function (e) {
    var list = target(e);
    if (!list.length) { hide(); return; }
    e.preventDefault();
    show(list, e.target.closest("[data-a], a.ref"), e.detail === 0);
  });
  document.addEventListener("click", function (e) {
    if (!pop.hidden && !pop.contains(e.target) && !text.contains(e.target)) { hide(); }
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !pop.hidden) { hide(); } });

  // Voice legend: click a voice to fade the others.
  each(".voices li", function (item) {
    item.setAttribute("role", "button");
    item.setAttribute("tabindex", "0");
    function toggle() {
      var voice = item.getAttribute("data-voice");
      var on = !item.classList.contains("on");
      each(".voices li", function (other) { other.classList.remove("on"); });
      each(".text .s", function (s) {
        s.classList.toggle("dim", on && s.getAttribute("data-voice") !== voice);
      });
      item.classList.toggle("on", on);
    }
    item.addEventListener("click", toggle);
    item.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
  });

  // Filter the attribution list; claims whose card is hidden fade in the text.
  var filter = document.getElementById("filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      var hidden = {};
      each(".cards .att", function (card) {
        var match = !q || (card.getAttribute("data-search") || "").indexOf(q) !== -1;
        card.hidden = !match;
        if (!match) { hidden[card.getAttribute("data-a")] = true; }
      });
      each(".text [data-a]", function (el) {
        el.classList.toggle("dim", ids(el).every(function (id) { return hidden[id]; }));
      });
    });
  }

  // Entities: click a row to mark its mentions in the text.
  each(".entities tbody tr", function (row) {
    row.addEventListener("click", function () {
      var on = !row.classList.contains("on");
      row.classList.toggle("on", on);
      each(".m" + sel("data-e", row.getAttribute("data-e")), function (m) { m.classList.toggle("hl", on); });
    });
  });

  // Evidence links: mark every fragment of the evidence span, not only the anchor.
  function evidence(id) {
    each(".ev.hl", function (el) { el.classList.remove("hl"); });
    if (id) { each(".ev" + sel("data-ev", id), function (el) { el.classList.add("hl"); }); }
  }
  each("a[data-ev]", function (a) { a.addEventListener("click", function () { evidence(a.getAttribute("data-ev")); }); });
  if (location.hash.indexOf("#ev-") === 0) { evidence(location.hash.slice(1)); }
})();
