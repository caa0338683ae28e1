// Live page: fields updated from the server-sent events of /live/events (1 Hz).
(function () {
  "use strict";
  var state = document.getElementById("live-state");
  var source = new EventSource("/live/events");
  source.onmessage = function (event) {
    var doc = JSON.parse(event.data);
    if (!doc.recording) { state.textContent = "no run in progress"; return; }
    state.textContent = "recording " + doc.session;
    Object.keys(doc.fields).forEach(function (key) {
      var cell = document.getElementById("live-" + key);
      if (cell) { cell.textContent = doc.fields[key]; }
    });
  };
  source.onerror = function () { state.textContent = "reconnecting..."; };
})();
