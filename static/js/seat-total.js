// Review page: keep the shown total in step with the number of seats typed.
// The totals come from the server (json_script "seat-totals"), so no price is computed here. The total sits in
// an aria-live region: screen readers hear the new total, or that the count is out of range, as it changes.
// Without JavaScript the page still works; the server checks the count again.
(function () {
  var data = document.getElementById("seat-totals");
  var input = document.querySelector("input[name=quantity]");
  var line = document.querySelector("[data-total-line]");
  var invalid = document.querySelector("[data-total-invalid]");
  var total = document.querySelector("[data-total]");
  var label = document.querySelector("[data-seats-label]");
  if (!data || !input || !line || !invalid || !total || !label) {
    return;
  }
  var totals = JSON.parse(data.textContent);
  function update() {
    var seats = input.value.trim();
    var amount = /^[0-9]+$/.test(seats) ? totals[String(Number(seats))] : undefined;
    if (amount) {
      total.textContent = amount;
      label.textContent = Number(seats) + (Number(seats) === 1 ? " seat" : " seats");
    }
    line.hidden = !amount;
    invalid.hidden = !!amount;
  }
  input.addEventListener("input", update);
})();
