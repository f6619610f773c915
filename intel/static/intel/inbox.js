/* The review inbox's keys (intel/templates/admin/intel/workspace/inbox.html).

   j or n: next row; k or p: previous row; c: confirm the row; r: reject it;
   e: open its edit page; x: tick or untick its box. The header's box ticks them all.

   The keys only press the row's own buttons and links, so the server sees exactly
   what a click sends (the same form, the same CSRF token); without this file the
   page works by clicking. After a decision the page reloads at the same row, which
   now holds the next record. */
(function () {
  "use strict";

  var STORE = "rivalscope.inbox.row";
  var rows = [];
  var current = -1;

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function select(index) {
    if (!rows.length) {
      return;
    }
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0 && rows[current]) {
      rows[current].classList.remove("ws-current");
      rows[current].removeAttribute("aria-current");
    }
    current = index;
    var row = rows[current];
    row.classList.add("ws-current");
    row.setAttribute("aria-current", "true");
    row.scrollIntoView({block: "nearest"});
  }

  function press(selector) {
    var row = rows[current];
    var control = row && row.querySelector(selector);
    if (!control) {
      return false;
    }
    if (control.tagName.toLowerCase() === "a") {
      window.location.assign(control.href);
      return true;
    }
    try {
      window.sessionStorage.setItem(STORE, String(current));
    } catch (e) {
      /* private browsing: the page reloads at the top, no harm */
    }
    control.click();
    return true;
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var handled = true;
    switch (event.key) {
      case "j":
      case "n":
        select(current + 1);
        break;
      case "k":
      case "p":
        select(current < 0 ? 0 : current - 1);
        break;
      case "c":
        handled = press("button.ws-confirm");
        break;
      case "r":
        handled = press("button.ws-reject");
        break;
      case "e":
        handled = press("a.ws-edit");
        break;
      case "x":
        var box = rows[current] && rows[current].querySelector("input[type=checkbox]");
        if (box) {
          box.checked = !box.checked;
        } else {
          handled = false;
        }
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  }

  function start() {
    rows = Array.prototype.slice.call(document.querySelectorAll("table.ws-inbox tr.ws-row"));
    var saved = null;
    try {
      saved = window.sessionStorage.getItem(STORE);
      window.sessionStorage.removeItem(STORE);
    } catch (e) {
      saved = null;
    }
    if (rows.length) {
      select(saved === null ? 0 : parseInt(saved, 10) || 0);
    }
    rows.forEach(function (row, index) {
      row.addEventListener("click", function (event) {
        if (!event.target.closest("a, button, input, label")) {
          select(index);
        }
      });
    });
    document.addEventListener("keydown", onKey);
    // The header's box ticks every row's (hidden without this script: it would do nothing).
    var all = document.querySelector("table.ws-inbox input.ws-select-all");
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        rows.forEach(function (row) {
          var box = row.querySelector("input[type=checkbox]");
          if (box) {
            box.checked = all.checked;
          }
        });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
