// The auction page, live: polls its status every few seconds, swaps in the live region's HTML when it
// changed (so screen readers hear only changes), and counts down to the end from the SERVER's time
// (the offset between the server's clock and this one is measured at each answer). Without this
// script the page works the same by its form and its refresh link.
(function () {
  "use strict";
  var root = document.getElementById("auction");
  if (!root || !window.fetch) return;
  var live = document.getElementById("auction-live");
  var serverTime = document.getElementById("auction-server-time");
  var countdown = document.getElementById("auction-countdown");
  var status = root.dataset.status;
  var endsAt = root.dataset.endsAt ? Date.parse(root.dataset.endsAt) : null;
  var offset = Date.parse(root.dataset.serverTime) - Date.now();
  var clockFormat = new Intl.DateTimeFormat("es-PE", {
    timeZone: "America/Lima", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var now = Date.now() + offset;
    if (serverTime) serverTime.textContent = clockFormat.format(new Date(now));
    if (countdown && endsAt !== null) {
      var left = Math.max(0, Math.floor((endsAt - now) / 1000));
      countdown.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
    }
  }

  function poll() {
    fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        var board = data.board;
        offset = Date.parse(board.server_time) - Date.now();
        endsAt = board.ends_at ? Date.parse(board.ends_at) : null;
        if (board.status !== status) {
          // Started, closed or negotiated: the form and the tables change, so load the page again.
          window.location.reload();
          return;
        }
        if (live.innerHTML.trim() !== data.html.trim()) live.innerHTML = data.html;
        root.dataset.updated = board.server_time;
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  tick();
  window.setInterval(tick, 1000);
  if (root.dataset.live === "1") window.setInterval(poll, parseInt(root.dataset.pollMs, 10) || 2500);
})();
