// The wizard's live counter: length, SMS segments, encoding and cost of the text as typed,
// computed by the server (the same rules as sending). No framework, no external resources.
(function () {
  "use strict";
  var text = document.getElementById("id_message");
  var out = document.getElementById("sms-measure");
  var problems = document.getElementById("sms-problems");
  if (!text || !out) { return; }
  var timer = null;
  function update() {
    var url = out.dataset.url + "?recipients=" + encodeURIComponent(out.dataset.recipients || "1") +
      "&text=" + encodeURIComponent(text.value);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) {
        if (!m) { return; }
        out.textContent = out.dataset.template
          .replace("%(length)s", m.length).replace("%(segments)s", m.segments)
          .replace("%(encoding)s", m.encoding).replace("%(cost)s", m.cost);
        problems.textContent = "";
        m.problems.forEach(function (p) {
          var li = document.createElement("li");
          li.textContent = p;
          problems.appendChild(li);
        });
        problems.hidden = m.problems.length === 0;
      });
  }
  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
}());
