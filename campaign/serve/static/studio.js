// The card studio: a debounced live preview drawn by the server, editable alt text,
// download and (where the browser can share files) the Web Share API. No data from the
// page ever becomes markup: every value goes through textContent, value or attributes.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("studio-data").textContent);
  var form = document.getElementById("studio");
  var quote = document.getElementById("quote");
  var speaker = document.getElementById("speaker");
  var role = document.getElementById("role");
  var picker = document.getElementById("highlight");
  var img = document.getElementById("preview");
  var frame = document.getElementById("preview-frame");
  var status = document.getElementById("status");
  var alt = document.getElementById("alt");
  var left = document.getElementById("quote-left");
  var download = document.getElementById("download");
  var share = document.getElementById("share");
  var byId = {};
  data.highlights.forEach(function (h) { byId[h.id] = h; });

  var timer = null, inflight = null, current = null, altEdited = false, serverAlt = "", seq = 0;

  function value(name) {
    var el = form.elements.namedItem(name);
    if (!el) return "";
    if (el instanceof RadioNodeList || el.length) {
      var checked = form.querySelector('input[name="' + name + '"]:checked');
      return checked ? checked.value : (el.value || "");
    }
    return el.value;
  }

  function setStatus(text, error) {
    status.textContent = text;
    status.className = error ? "error" : "";
  }

  function updateCount() {
    left.textContent = String(data.limits.quote - quote.value.length);
  }

  function body() {
    var b = { text: quote.value, speaker: speaker.value, role: role.value,
              theme: value("theme"), size: value("size"), format: value("format") || data.format };
    if (picker && picker.value) b.highlight = picker.value;
    return b;
  }

  function schedule() {
    updateCount();
    clearTimeout(timer);
    timer = setTimeout(render, data.debounce);
  }

  function render() {
    var b = body();
    if (!b.text.trim()) {
      setStatus("Type a quote to see your card.");
      return;
    }
    if (inflight) inflight.abort();
    var ctrl = new AbortController();
    inflight = ctrl;
    var mine = ++seq;
    frame.classList.add("busy");
    frame.setAttribute("aria-busy", "true");
    setStatus("Drawing your card…");
    fetch("/api/card", {
      method: "POST", signal: ctrl.signal, credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(b)
    }).then(function (res) {
      if (!res.ok) {
        return res.json().catch(function () { return {}; }).then(function (j) {
          var wait = res.headers.get("Retry-After");
          var msg = j.error || ("The card could not be drawn (" + res.status + ").");
          if (res.status === 429 && wait) msg = "Too many cards at once: trying again in " + wait + " s.";
          if (res.status === 429 || res.status === 503) {
            clearTimeout(timer);
            timer = setTimeout(render, 1000 * Math.min(30, Number(wait) || 2));
          }
          throw new Error(msg);
        });
      }
      return res.blob().then(function (blob) {
        if (mine !== seq) return;
        var h = res.headers;
        show(blob, {
          alt: decodeURIComponent(h.get("X-Alt-Text") || ""),
          width: h.get("X-Card-Width"), height: h.get("X-Card-Height"),
          dir: h.get("X-Card-Direction") || "ltr", lang: h.get("X-Card-Language") || "",
          format: b.format, size: b.size
        });
      });
    }).catch(function (e) {
      if (e.name === "AbortError") return;
      setStatus(e.message, true);
    }).then(function () {
      if (mine === seq) {
        frame.classList.remove("busy");
        frame.removeAttribute("aria-busy");
      }
    });
  }

  function show(blob, info) {
    if (current) URL.revokeObjectURL(current.url);
    var ext = info.format === "jpeg" ? "jpg" : "png";
    var name = "card-" + info.size + "." + ext;
    current = { url: URL.createObjectURL(blob), blob: blob, name: name };
    serverAlt = info.alt;
    if (!altEdited) alt.value = serverAlt;
    img.src = current.url;
    img.width = Number(info.width) || 1080;
    img.height = Number(info.height) || 1080;
    img.alt = alt.value;
    img.hidden = false;
    img.setAttribute("dir", info.dir);  // the card's text, not the page's status line
    if (info.lang) img.setAttribute("lang", info.lang);
    download.href = current.url;
    download.setAttribute("download", name);
    download.setAttribute("aria-disabled", "false");
    download.textContent = "Download " + ext.toUpperCase() + " (" + info.width + "×" + info.height + ")";
    var dirWord = info.dir === "rtl" ? ", right to left" : "";
    setStatus("Preview updated: " + info.width + "×" + info.height + " " + ext.toUpperCase() + dirWord + ".");
    if (canShare()) share.hidden = false;
  }

  function canShare() {
    if (!current || !navigator.canShare || !window.File) return false;
    try {
      return navigator.canShare({ files: [new File([current.blob], current.name, { type: current.blob.type })] });
    } catch (e) { return false; }
  }

  download.addEventListener("click", function (ev) {
    if (!current) { ev.preventDefault(); setStatus("Type a quote first.", true); }
  });
  download.addEventListener("keydown", function (ev) {
    if (ev.key === " ") { ev.preventDefault(); download.click(); }
  });

  share.addEventListener("click", function () {
    if (!current) return;
    var file = new File([current.blob], current.name, { type: current.blob.type });
    navigator.share({ files: [file], text: quote.value }).catch(function () {});
  });

  document.getElementById("copy-alt").addEventListener("click", function () {
    var done = function () { setStatus("Alt text copied."); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(alt.value).then(done, function () { alt.select(); });
    } else { alt.select(); }
  });
  document.getElementById("reset-alt").addEventListener("click", function () {
    altEdited = false;
    alt.value = serverAlt;
    img.alt = serverAlt;
    setStatus("Alt text reset.");
  });
  alt.addEventListener("input", function () {
    altEdited = alt.value !== serverAlt;
    img.alt = alt.value;
  });

  if (picker) {
    picker.addEventListener("change", function () {
      var h = byId[picker.value];
      if (h) {
        quote.value = h.text;
        speaker.value = h.speaker || "";
        role.value = h.role || "";
      }
      altEdited = false;
      schedule();
    });
  }
  [quote, speaker, role].forEach(function (el) {
    el.addEventListener("input", function () {
      if (picker && picker.value && el === quote && byId[picker.value] && byId[picker.value].text !== quote.value) {
        picker.value = "";
      }
      altEdited = false;
      schedule();
    });
  });
  form.addEventListener("change", function (ev) {
    if (ev.target && ev.target.type === "radio") schedule();
  });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); render(); });

  updateCount();
  if (quote.value.trim()) render();
})();
