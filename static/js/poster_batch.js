// The batch poster page: poll the status every two seconds, update the bar, reload once the PDF is ready
// (without JavaScript the page offers a refresh link instead).
(function () {
  var box = document.getElementById("batch");
  if (!box || box.dataset.finished) { return; }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        document.getElementById("batch-done").textContent = data.done;
        document.getElementById("batch-total").textContent = data.total;
        document.getElementById("batch-progress").value = data.percent;
        if (data.finished) { window.location.reload(); } else { setTimeout(poll, 2000); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
