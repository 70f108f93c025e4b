// A small progress note on the upload form; the form works the same without it (plain HTML).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("upload-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    var note = document.getElementById("upload-progress");
    if (button) button.disabled = true;
    if (note) note.textContent = "正在上传并检查，请稍候…";
  });
});
