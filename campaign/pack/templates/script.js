// The volunteer pack's one script. It reads data only from the page (text, values and
// data- attributes the template escaped) and writes only with textContent, value and
// setAttribute, never by parsing markup. It loads nothing and sends nothing.
(function () {
  "use strict";
  var STORE_HOST = "campaign-pack:mastodon-host";
  var STORE_TAB = "campaign-pack:platform";
  var announcer = document.getElementById("announcer");

  function store(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* storage off (private mode, file:// policy): just forget */ }
    return null;
  }

  function announce(message) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 30);
  }

  // --- copying -------------------------------------------------------------------------------

  function fallbackCopy(text) {
    var helper = document.createElement("textarea");
    helper.value = text;
    helper.setAttribute("readonly", "");
    helper.setAttribute("aria-hidden", "true");
    helper.className = "clip-helper";
    var active = document.activeElement;
    document.body.appendChild(helper);
    helper.select();
    helper.setSelectionRange(0, text.length);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(helper);
    if (active && active.focus) active.focus();
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return fallbackCopy(text); }
      );
    }
    return Promise.resolve(fallbackCopy(text));
  }

  function textOf(id) {
    var el = document.getElementById(id);
    if (!el) return "";
    return "value" in el && el.tagName === "TEXTAREA" ? el.value : el.textContent.trim();
  }

  function flash(button, ok) {
    var label = button.querySelector(".btn-label");
    var target = label || button;
    if (!button.hasAttribute("data-label")) button.setAttribute("data-label", target.textContent);
    target.textContent = ok ? "Copied!" : "Press Ctrl+C to copy";
    button.classList.toggle("is-copied", ok);
    window.clearTimeout(button._timer);
    button._timer = window.setTimeout(function () {
      target.textContent = button.getAttribute("data-label");
      button.classList.remove("is-copied");
    }, 2000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target], [data-copy-text]");
    if (!button) return;
    var text = button.hasAttribute("data-copy-text")
      ? button.getAttribute("data-copy-text")
      : textOf(button.getAttribute("data-copy-target"));
    copyText(text).then(function (ok) {
      flash(button, ok);
      if (ok) {
        announce("Copied!");
      } else {
        announce("Could not copy: select the text and copy it yourself.");
        var source = document.getElementById(button.getAttribute("data-copy-target") || "");
        if (source && source.select) { source.focus(); source.select(); }
      }
    });
  });

  // --- character counts ----------------------------------------------------------------------
  // Unedited text shows the count computed at build time, the platform's own way. After an
  // edit the count is re-estimated here, roughly as each platform counts:
  //   X: links count 23, most scripts 1 per character, CJK and emoji 2;
  //   Mastodon: links count 23, @user@server counts as @user, characters otherwise;
  //   Bluesky: user-perceived characters (grapheme clusters), links in full.

  var URL_RE = /https?:\/\/[^\s]+/g;
  var EMOJI_RE = /\p{Extended_Pictographic}/u;

  function graphemes(text) {
    if (window.Intl && Intl.Segmenter) {
      return Array.from(new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text),
        function (s) { return s.segment; });
    }
    return Array.from(text);
  }

  function light(cp) {
    return cp <= 0x10ff || (cp >= 0x2000 && cp <= 0x200d) || (cp >= 0x2010 && cp <= 0x201f) ||
      (cp >= 0x2032 && cp <= 0x2037);
  }

  function countX(text) {
    var n = 0;
    var rest = text.replace(URL_RE, function () { n += 23; return ""; });
    graphemes(rest).forEach(function (g) {
      if (EMOJI_RE.test(g)) { n += 2; return; }
      Array.from(g).forEach(function (ch) { n += light(ch.codePointAt(0)) ? 1 : 2; });
    });
    return n;
  }

  function countMastodon(text) {
    var n = 0;
    var rest = text.replace(URL_RE, function () { n += 23; return ""; })
      .replace(/(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+[A-Za-z0-9]/g, "$1");
    return n + Array.from(rest).length;
  }

  function estimate(platform, text) {
    if (platform === "x") return countX(text);
    if (platform === "mastodon") return countMastodon(text);
    return graphemes(text).length;
  }

  function updatePart(part) {
    var area = part.querySelector(".post-text");
    var edited = area.value !== area.defaultValue;
    var limit = parseInt(part.getAttribute("data-limit"), 10);
    var length = edited
      ? estimate(part.getAttribute("data-platform"), area.value)
      : parseInt(part.getAttribute("data-length"), 10);
    var count = part.querySelector(".count");
    count.querySelector(".count-num").textContent = String(length);
    count.querySelector(".count-note").hidden = !edited;
    count.classList.toggle("is-over", length > limit);
    var reset = part.querySelector(".btn-reset");
    if (reset) reset.hidden = !edited;
    updateShare(part);
    autosize(area);
  }

  var sizesByContent = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");
  function autosize(area) {
    if (sizesByContent) return;
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }

  document.addEventListener("input", function (event) {
    var part = event.target.closest && event.target.closest(".part");
    if (part && event.target.classList.contains("post-text")) updatePart(part);
  });
  document.addEventListener("click", function (event) {
    var reset = event.target.closest("[data-reset]");
    if (!reset) return;
    var area = document.getElementById(reset.getAttribute("data-reset"));
    area.value = area.defaultValue;
    updatePart(area.closest(".part"));
    area.focus();
    announce("Text restored.");
  });

  // --- share links ---------------------------------------------------------------------------

  var INTENTS = {
    x: "https://x.com/intent/post?text=",
    bluesky: "https://bsky.app/intent/compose?text="
  };
  var mastodonHost = null;

  function updateShare(part) {
    var link = part.querySelector("[data-share]");
    if (!link) return;
    var text = document.getElementById(link.getAttribute("data-source")).value;
    var platform = link.getAttribute("data-share");
    if (platform === "mastodon") {
      if (mastodonHost) {
        link.setAttribute("href", "https://" + mastodonHost + "/share?text=" + encodeURIComponent(text));
        link.setAttribute("target", "_blank");
        link.setAttribute("rel", "noopener noreferrer");
      } else {
        link.setAttribute("href", "#mastodon-server");
        link.removeAttribute("target");
        link.removeAttribute("rel");
      }
    } else if (INTENTS[platform]) {
      link.setAttribute("href", INTENTS[platform] + encodeURIComponent(text));
    }
  }

  // A Mastodon server name: letters, digits and hyphens in dot-separated labels, nothing else
  // (no path, query, port or credentials). A pasted address with its https:// and final slash, or
  // a handle such as @me@x.social, gives the server name; international names become xn--.
  function normalizeHost(raw) {
    var v = String(raw || "").trim().toLowerCase();
    v = v.replace(/^https?:\/\//, "").replace(/\/$/, "");
    var handle = /^@?[a-z0-9_]+@([^@\s]+)$/.exec(v);
    if (handle) v = handle[1];
    if (/[^\x00-\x7f]/.test(v) && /^[^\s/?#:@\\]+$/.test(v)) {
      try { v = new URL("https://" + v + "/").hostname; } catch (e) { return null; }
    }
    if (v.length > 253) return null;
    var label = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
    var re = new RegExp("^(?:" + label + "\\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$");
    return re.test(v) ? v : null;
  }
  window.campaignPackHost = normalizeHost; // for tests and the curious

  var form = document.getElementById("mastodon-form");
  var input = document.getElementById("mastodon-host");
  var error = document.getElementById("mastodon-host-error");
  var saved = document.getElementById("mastodon-saved");
  var current = document.getElementById("mastodon-current");

  function setHost(host, focusAfter) {
    mastodonHost = host;
    if (form) {
      form.hidden = !!host;
      saved.hidden = !host;
      current.textContent = host || "";
      if (host) input.value = host;
    }
    Array.prototype.forEach.call(document.querySelectorAll('.part [data-share="mastodon"]'),
      function (link) { updateShare(link.closest(".part")); });
    if (focusAfter && host) document.getElementById("mastodon-change").focus();
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var host = normalizeHost(input.value);
      if (!host) {
        error.textContent = "That does not look like a server name. Type just the address, such as mastodon.social.";
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.focus();
        announce(error.textContent);
        return;
      }
      error.hidden = true;
      input.removeAttribute("aria-invalid");
      store(STORE_HOST, host);
      setHost(host, true);
      announce("Share buttons now open " + host + ".");
    });
    document.getElementById("mastodon-change").addEventListener("click", function () {
      setHost(null);
      store(STORE_HOST, null);
      input.focus();
      input.select();
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest('[data-share="mastodon"]');
      if (!link || mastodonHost) return;
      event.preventDefault();
      selectTab("mastodon", false);
      error.textContent = "First tell us your Mastodon server, then press Share again.";
      error.hidden = false;
      input.focus();
      announce(error.textContent);
    });
    var remembered = normalizeHost(store(STORE_HOST));
    setHost(remembered, false);
  }

  // --- platform tabs -------------------------------------------------------------------------

  var tablist = document.querySelector('[role="tablist"]');
  var tabs = tablist ? Array.prototype.slice.call(tablist.querySelectorAll('[role="tab"]')) : [];

  function selectTab(key, focus) {
    var found = false;
    tabs.forEach(function (tab) {
      var on = tab.getAttribute("data-platform") === key;
      found = found || on;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !on;
      if (on && focus) tab.focus();
    });
    if (found) store(STORE_TAB, key);
    return found;
  }

  if (tabs.length) {
    tablist.hidden = false;
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { selectTab(tab.getAttribute("data-platform"), false); });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight" || event.key === "ArrowDown") next = tabs[(i + 1) % tabs.length];
        else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = tabs[(i - 1 + tabs.length) % tabs.length];
        else if (event.key === "Home") next = tabs[0];
        else if (event.key === "End") next = tabs[tabs.length - 1];
        if (next) {
          event.preventDefault();
          selectTab(next.getAttribute("data-platform"), true);
        }
      });
    });
    var wanted = (location.hash.match(/^#(?:panel|tab)-([a-z0-9_-]+)$/) || [])[1] || store(STORE_TAB);
    if (!wanted || !selectTab(wanted, false)) selectTab(tabs[0].getAttribute("data-platform"), false);
  }

  // --- posting window in the visitor's time --------------------------------------------------

  var local = document.getElementById("window-local");
  if (local && window.Intl && Intl.DateTimeFormat) {
    var start = new Date(local.getAttribute("data-start"));
    var end = new Date(local.getAttribute("data-end"));
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var fmt = new Intl.DateTimeFormat(undefined, {
      weekday: "long", day: "numeric", month: "long", year: "numeric",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    });
    var text = fmt.formatRange ? fmt.formatRange(start, end) : fmt.format(start) + " – " + fmt.format(end);
    var same = zone && zone === local.getAttribute("data-zone");
    document.getElementById("window-local-text").textContent =
      same ? "The same: you are in this time zone." : text + (zone ? " (" + zone.replace(/_/g, " ") + ")" : "");
    local.hidden = false;
  }

  Array.prototype.forEach.call(document.querySelectorAll(".part"), updatePart);
})();
