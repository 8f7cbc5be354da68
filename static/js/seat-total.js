// Review page: update the shown total as the buyer changes the number of seats.
// The totals come from the server (json_script "seat-totals"); without JavaScript the page still works.
(function () {
  var data = document.getElementById("seat-totals");
  var input = document.querySelector("input[name=quantity]");
  var total = document.querySelector("[data-total]");
  var label = document.querySelector("[data-seats-label]");
  if (!data || !input || !total || !label) {
    return;
  }
  var totals = JSON.parse(data.textContent);
  input.addEventListener("input", function () {
    var seats = input.value;
    if (totals[seats]) {
      total.textContent = totals[seats];
      label.textContent = seats + (seats === "1" ? " seat" : " seats");
    }
  });
})();
