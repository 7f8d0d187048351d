// Citizen pages: ignore a second tap while a form is being sent; on a kiosk go back to the first step after a few
// seconds (a link does the same without JavaScript). On the faces page a tap is sent by this script: when the
// network is down the rating is kept on the device (localStorage) with its key and its time, shown as waiting,
// and sent when the connection returns; the key makes a second sending harmless.
(function () {
  var STORE = "hailong-pending-ratings";
  var faces = document.querySelector("form[data-offline]");
  var status = document.getElementById("pending");
  var sending = false;

  function load() { try { return JSON.parse(localStorage.getItem(STORE)) || []; } catch (e) { return []; } }
  function save(queue) { try { localStorage.setItem(STORE, JSON.stringify(queue)); } catch (e) { /* full or off */ } }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }
  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function show(saved) {
    if (!status) { return; }
    var count = load().length;
    status.hidden = !count;
    status.textContent = count ? (saved ? status.dataset.saved + " " : "") + count + " " + status.dataset.waiting : "";
  }
  function post(item, csrf) {
    var body = new URLSearchParams();
    body.append("csrfmiddlewaretoken", csrf || item.csrf);
    body.append("key", item.key);
    body.append("score", item.score);
    body.append("at", item.at);
    return fetch(item.url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" });
  }
  function forget(key) { save(load().filter(function (item) { return item.key !== key; })); }

  // Send the queue oldest first. The server has decided when it answers with anything but a server error or a
  // throttle (stored, or already stored under this key, or refused as too old): the rating leaves the queue.
  function flush() {
    var queue = load();
    if (sending || !queue.length || navigator.onLine === false) { show(false); return; }
    sending = true;
    post(queue[0], token()).then(function (response) {
      sending = false;
      if (response.type === "opaqueredirect" || (response.status < 500 && response.status !== 429 && response.status !== 403)) {
        forget(queue[0].key);
        flush();
      } else { show(false); }
    }, function () { sending = false; show(false); });
  }

  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.classList.add("sending");
    });
  });

  if (faces && window.fetch && window.localStorage) {
    faces.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !button.value || event.defaultPrevented) { return; }
      event.preventDefault();
      var keyInput = faces.querySelector("input[name=key]");
      var item = { url: faces.action, key: keyInput.value, score: button.value, at: Date.now(), csrf: token() };
      function keep() {
        var queue = load();
        if (!queue.some(function (i) { return i.key === item.key; })) { queue.push(item); save(queue); }
        keyInput.value = newKey();
        delete faces.dataset.sent;
        faces.classList.remove("sending");
        show(true);
      }
      if (navigator.onLine === false) { keep(); return; }
      post(item).then(function (response) {
        if (response.type === "opaqueredirect") {
          window.location.assign(faces.dataset.next.replace("00000000-0000-0000-0000-000000000000", item.key));
        } else {
          // The server's own page says what went wrong; the same key never records a second rating.
          var score = document.createElement("input");
          score.type = "hidden"; score.name = "score"; score.value = item.score;
          faces.appendChild(score);
          faces.submit();
        }
      }, keep);
    });
    window.addEventListener("online", flush);
    setInterval(flush, 5000);
    flush();
  }

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
