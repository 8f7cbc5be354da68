// Seat manager: a Copy button beside each claim link. Without JavaScript (or without clipboard access) the
// buttons stay hidden and the link stays in a read-only field the buyer can select and copy by hand.
(function () {
  if (!navigator.clipboard || !navigator.clipboard.writeText) {
    return;
  }
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    var label = button.textContent;
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.parentNode.appendChild(status);
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          button.textContent = "Copied";
          status.textContent = "Claim link copied.";
          setTimeout(function () {
            button.textContent = label;
            status.textContent = "";
          }, 3000);
        },
        function () {
          field.focus();
          field.select();
          status.textContent = "Copy did not work here; the link is selected, copy it by hand.";
        }
      );
    });
  });
  // A click in a claim link field selects the whole link, ready to copy by hand.
  Array.prototype.forEach.call(document.querySelectorAll("input.claim-link"), function (field) {
    field.addEventListener("focus", function () {
      field.select();
    });
  });
})();
