// Show a progress indicator while a long-running form (a matching run) is being computed.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains("busy-form")) return;
  var busy = document.getElementById(form.getAttribute("data-busy-target"));
  if (busy) busy.hidden = false;
  var buttons = form.querySelectorAll("button");
  for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
});
