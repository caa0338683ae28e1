// Workout editor: checks the text as it is typed with the parser's own message and caret.
(function () {
  "use strict";
  var area = document.getElementById("workout-text");
  var out = document.getElementById("workout-check");
  if (!area || !out) { return; }
  var csrf = document.querySelector("input[name=csrf]").value;
  var timer = null;
  var seq = 0;
  function check() {
    var mine = ++seq;
    fetch("/api/workouts/check", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify({text: area.value})
    }).then(function (r) { return r.json(); }).then(function (res) {
      if (mine !== seq) { return; }
      out.className = "check " + (res.ok ? "good" : "bad");
      out.textContent = res.ok ? res.summary : res.message;
    }).catch(function () { out.textContent = "(could not check)"; });
  }
  area.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  });
  check();
})();
