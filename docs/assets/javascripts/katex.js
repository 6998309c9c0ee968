// Renders the maths of a page with the vendored KaTeX (docs/assets/katex).
// pymdownx.arithmatex (generic mode) wraps inline maths in <span class="arithmatex">\(...\)</span>
// and display maths in <div class="arithmatex">\[...\]</div>; only those elements are rendered,
// so a dollar sign anywhere else on a page stays text.
(function () {
  function render() {
    document.querySelectorAll(".arithmatex").forEach(function (el) {
      var tex = el.textContent.trim();
      var display = el.tagName === "DIV";
      if (/^\\[\[(]/.test(tex)) {
        tex = tex.slice(2, -2);
      }
      katex.render(tex, el, { displayMode: display, throwOnError: false });
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(render); // Material for MkDocs: every page load, instant navigation included
  } else {
    document.addEventListener("DOMContentLoaded", render);
  }
})();
