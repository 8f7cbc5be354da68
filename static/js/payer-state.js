// Payer's page: while the invoice is being prepared, ask the server every few seconds for the part of the
// page that follows the request (a GET of the same capability link's "state/" address, which changes
// nothing) and show it in place once the state moves on. Without JavaScript a meta refresh reloads the page.
(function () {
  var box = document.getElementById("payer-state");
  if (!box || !window.fetch || box.getAttribute("data-state") !== "preparing") {
    return;
  }
  var url = box.getAttribute("data-state-url");
  var tries = 0;
  function poll() {
    tries += 1;
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html || "";
        var part = holder.querySelector("[data-payer-state]");
        var state = part && part.getAttribute("data-payer-state");
        if (state && state !== "preparing") {
          box.replaceChildren(part);
          box.setAttribute("data-state", state);
          return;
        }
        if (tries < 100) {
          window.setTimeout(poll, tries < 10 ? 2000 : 5000);
        }
      })
      .catch(function () {
        if (tries < 100) {
          window.setTimeout(poll, 5000);
        }
      });
  }
  window.setTimeout(poll, 2000);
})();
