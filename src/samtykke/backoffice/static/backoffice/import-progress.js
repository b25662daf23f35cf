// Polls the import's status and moves the progress bar; reloads the page when it is finished.
(function () {
  "use strict";
  var box = document.getElementById("import-progress-box");
  if (!box) { return; }
  var bar = document.getElementById("import-progress");
  var count = document.getElementById("import-count");
  var label = document.getElementById("import-label");
  var url = box.getAttribute("data-status-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.value = job.percent;
        bar.textContent = job.percent + " %";
        count.textContent = job.processed + " / " + job.total;
        label.textContent = job.label;
        if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
