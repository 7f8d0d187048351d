// A form that starts a long request (a CCHC import checks every row first) says so while the server works:
// its submit button is disabled, so the file is not sent twice, and the status line reads the form's
// data-busy text. Without JavaScript the browser's own loading indicator remains.
(function () {
  var forms = document.querySelectorAll("form[data-busy]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      var status = form.querySelector("[data-busy-status]");
      form.setAttribute("aria-busy", "true");
      if (status) { status.textContent = form.dataset.busy; }
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
})();
