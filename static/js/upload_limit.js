// A file input with data-max-bytes refuses a file over that size as soon as it is chosen, before anything is sent:
// the field shows why and the form cannot be submitted until a smaller file is chosen. The server refuses an
// oversized body from its Content-Length in any case (config.middleware.RequestBodyLimitMiddleware).
(function () {
  var inputs = document.querySelectorAll("input[type=file][data-max-bytes]");
  Array.prototype.forEach.call(inputs, function (input) {
    var limit = parseInt(input.dataset.maxBytes, 10);
    var most = parseInt(input.dataset.maxFiles || "0", 10);
    var note = document.createElement("p");
    note.className = "error";
    note.id = input.id + "_size_error";
    note.setAttribute("role", "alert");
    note.hidden = true;
    input.insertAdjacentElement("afterend", note);
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + note.id).trim());
    function check() {
      var message = "";
      var files = input.files || [];
      if (most && files.length > most) { message = input.dataset.tooManyMessage; }
      for (var i = 0; i < files.length && !message; i++) {
        if (files[i].size > limit) { message = input.dataset.tooBigMessage.replace("%(name)s", files[i].name); }
      }
      input.setCustomValidity(message);
      note.textContent = message;
      note.hidden = !message;
      return !message;
    }
    input.addEventListener("change", check);
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!check()) { event.preventDefault(); input.focus(); }
      });
    }
  });
})();
