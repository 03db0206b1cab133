// Steward's keyboard shortcuts. Pages work without this file; it only saves keystrokes.
//   /      search              g q  queue        g d  dashboard     g p  portal
//   n      new incident        c    write a comment                 ?    show these
(function () {
  "use strict";
  var pending = null;
  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }
  function go(href) {
    var a = document.querySelector('a[href="' + href + '"]');
    if (a) { a.click(); } else { window.location.href = href; }
  }
  function focus(selector) {
    var el = document.querySelector(selector);
    if (el) { el.focus(); return true; }
    return false;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) { return; }
    var k = e.key;
    if (pending === "g") {
      pending = null;
      if (k === "q") { go("/queue"); } else if (k === "d") { go("/dashboard"); } else if (k === "p") { go("/portal"); }
      e.preventDefault();
      return;
    }
    if (k === "g") { pending = "g"; e.preventDefault(); }
    else if (k === "/") { if (focus("#global-search")) { e.preventDefault(); } }
    else if (k === "n") { go("/incidents/new"); e.preventDefault(); }
    else if (k === "c") { if (focus("#comment-body")) { e.preventDefault(); } }
    else if (k === "?") {
      var d = document.getElementById("shortcuts");
      if (d && typeof d.showModal === "function") { d.showModal(); e.preventDefault(); }
    }
  });
})();
