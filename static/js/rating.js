// Citizen pages: ignore a second tap while a form is being sent, and on a kiosk go back to the first step
// after a few seconds (a link does the same without JavaScript).
(function () {
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.classList.add("sending");
    });
  });
  var reset = document.getElementById("kiosk-reset");
  if (!reset) { return; }
  var timer;
  function arm() {
    clearTimeout(timer);
    timer = setTimeout(function () { window.location.replace(reset.dataset.url); }, 1000 * Number(reset.dataset.seconds));
  }
  arm();
  if (reset.dataset.idle) {
    ["input", "click", "keydown", "touchstart", "scroll"].forEach(function (name) {
      document.addEventListener(name, arm, { passive: true });
    });
  }
})();
