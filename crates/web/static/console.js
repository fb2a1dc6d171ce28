// The staff console's enhancements (every page works without them).
//
// Rule form (职业目录 › 申报条件): as staff change any part of the alternative, the server words
// it (POST /api/v1/staff/catalogue/rules/preview) and the sentence, or the reason it cannot be
// worded beside the input concerned, shows at once. The 预览 button does the same without script.
(function () {
  "use strict";

  var form = document.querySelector("form[data-rule-preview]");
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-rule-preview");
  var out = document.getElementById("rule-sentence");
  var csrf = form.querySelector("input[name=csrf]");
  var timer = null;
  var sent = 0;
  var INCOMPLETE = "条件还不完整或有误，请按标出的提示修改。";

  function value(name) {
    var checked = form.querySelector("input[name=" + name + "]:checked");
    if (checked) return checked.value;
    var el = form.elements[name];
    return el && el.value !== undefined ? el.value : "";
  }

  function ticked(name) {
    var el = form.querySelector("input[name=" + name + "]");
    return !!(el && el.checked);
  }

  function showErrors(fields) {
    var slots = form.querySelectorAll("[data-error-for]");
    for (var i = 0; i < slots.length; i++) {
      slots[i].textContent = "";
      var box = slots[i].closest(".field");
      if (box) box.classList.remove("invalid");
    }
    (fields || []).forEach(function (f) {
      var slot = form.querySelector('[data-error-for="' + f.field + '"]');
      if (!slot) return;
      slot.textContent = f.message;
      var box = slot.closest(".field");
      if (box) box.classList.add("invalid");
    });
  }

  // A number field: "" is none, digits a number, anything else a mistake shown here.
  function number(name, local) {
    var raw = String(value(name)).trim();
    if (raw === "") return null;
    if (!/^-?\d+$/.test(raw)) {
      local.push({ field: name, message: "请填写整数（阿拉伯数字）" });
      return null;
    }
    return parseInt(raw, 10);
  }

  function body(local) {
    var codes = [];
    var boxes = form.querySelectorAll("input[name=education_codes]:checked");
    for (var i = 0; i < boxes.length; i++) codes.push(boxes[i].value);
    return {
      level: number("level", local),
      kind: value("kind"),
      required_level: number("required_level", local),
      years_of_work: number("years_of_work", local),
      years_counted_from: value("years_counted_from"),
      education_codes: codes,
      education_or_above: ticked("education_or_above"),
      related_major: ticked("related_major"),
      related_occupation: ticked("related_occupation")
    };
  }

  function preview() {
    var local = [];
    var payload = body(local);
    if (local.length) {
      showErrors(local);
      out.textContent = INCOMPLETE;
      return;
    }
    var mine = ++sent;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.value : "" },
      body: JSON.stringify(payload)
    })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, json: j }; }); })
      .then(function (res) {
        if (mine !== sent) return; // an answer to an older state of the form
        if (res.ok) {
          showErrors([]);
          out.textContent = res.json.sentence;
        } else {
          showErrors(res.json.fields);
          out.textContent = res.json.fields && res.json.fields.length ? INCOMPLETE : res.json.message;
        }
      })
      .catch(function () { /* offline: the 预览 button still works */ });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(preview, 250);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  preview();
})();

// Review page (报名审核): a click on a document's image enlarges it in place, a second click
// shrinks it back; without script the link opens the original in a new tab.
(function () {
  "use strict";
  document.querySelectorAll("a.zoomable").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var img = link.querySelector("img");
      if (!img || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      img.classList.toggle("zoomed");
    });
  });
})();

// Notification template editor (通知模板): as staff type, the server renders the template with
// sample data (POST /api/v1/staff/notification-templates/{key}/preview) and the preview, the
// SMS's length and parts, or the mistake beside its field, show at once. The 预览 button does
// the same without script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-template-preview]");
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-template-preview");
  var csrf = form.querySelector("input[name=csrf]");
  var timer = null;
  var sent = 0;

  function show(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  function showErrors(fields) {
    form.querySelectorAll("[data-error-for]").forEach(function (slot) {
      slot.textContent = "";
      var box = slot.closest(".field");
      if (box) box.classList.remove("invalid");
    });
    (fields || []).forEach(function (f) {
      var slot = form.querySelector('[data-error-for="' + f.field + '"]');
      if (!slot) return;
      slot.textContent = f.message;
      var box = slot.closest(".field");
      if (box) box.classList.add("invalid");
    });
  }

  function preview() {
    var mine = ++sent;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.value : "" },
      body: JSON.stringify({
        sms_text: form.elements.sms_text.value,
        title: form.elements.title.value,
        body: form.elements.body.value
      })
    })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, json: j }; }); })
      .then(function (res) {
        if (mine !== sent) return; // an answer to an older state of the form
        var ok = res.ok;
        document.getElementById("tpl-preview").hidden = !ok;
        document.getElementById("tpl-none").hidden = ok;
        if (ok) {
          showErrors([]);
          show("tpl-sms", res.json.sms_text);
          show("tpl-length", res.json.sms_chars + " 字，按 " + res.json.sms_parts + " 条短信计费");
          show("tpl-title", res.json.title);
          show("tpl-body", res.json.body);
        } else {
          showErrors(res.json.fields);
        }
      })
      .catch(function () { /* offline: the 预览 button still works */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(preview, 250);
  });
})();
