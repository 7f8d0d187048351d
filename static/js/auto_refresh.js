// Pages following a background job (report exports) reload themselves every few seconds while the job runs.
// A <meta http-equiv="refresh"> would do it without JavaScript, but it takes control away from people who need
// more time to read (WCAG 2.2.1); without JavaScript the page offers an "update now" link instead.
(function () {
  var box = document.querySelector("[data-refresh-seconds]");
  if (!box) { return; }
  var seconds = parseInt(box.dataset.refreshSeconds, 10) || 2;
  setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
