// The loops list: the header checkbox selects every loop of the page for the bulk stop.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) {
    return;
  }
  all.addEventListener("change", function () {
    document.querySelectorAll("#loops input[name=loop]").forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
