// The volunteer pack's one script. It reads data only from the page (text, values and
// data- attributes the template escaped) and writes only with textContent, value and
// setAttribute, never by parsing markup. It loads nothing and sends nothing.
(function () {
  "use strict";
  function hostKey(platform) { return "campaign-pack:" + platform + "-host"; }
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

  // A thread's later parts are replies, never new posts: their button copies the text and says
  // where it goes (no share page can post a reply to the volunteer's own part 1).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reply-note]");
    if (!button) return;
    var note = document.getElementById(button.getAttribute("data-reply-note"));
    if (!note) return;
    note.hidden = false;
    button.setAttribute("aria-expanded", "true");
  });

  // --- character counts ----------------------------------------------------------------------
  // Unedited text shows the count computed at build time, the platform's own way. After an
  // edit the count is re-estimated here, the way the platform's rules declare (data-counter):
  //   twitter-text: links count 23, most scripts 1 per character, CJK and emoji 2;
  //   urls-23: links count 23, @user@server counts as @user, characters otherwise;
  //   graphemes: user-perceived characters (grapheme clusters), links in full.

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

  function countUrls23(text) {
    var n = 0;
    var rest = text.replace(URL_RE, function () { n += 23; return ""; })
      .replace(/(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+[A-Za-z0-9]/g, "$1");
    return n + Array.from(rest).length;
  }

  // How each platform counts, as its rules declare it (data-counter on the part).
  function estimate(counter, text) {
    if (counter === "twitter-text") return countX(text);
    if (counter === "urls-23") return countUrls23(text);
    return graphemes(text).length;
  }

  function updatePart(part) {
    var area = part.querySelector(".post-text");
    var edited = area.value !== area.defaultValue;
    var limit = parseInt(part.getAttribute("data-limit"), 10);
    var length = edited
      ? estimate(part.getAttribute("data-counter"), area.value)
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

  var hosts = {};  // platform -> the volunteer's own server, for platforms shared that way

  function updateShare(part) {
    var link = part.querySelector("[data-share]");
    if (!link) return;
    var text = document.getElementById(link.getAttribute("data-source")).value;
    var own = link.getAttribute("data-own-server-link");
    if (own) {
      var section = document.getElementById(own + "-server");
      var host = hosts[own];
      if (host && section) {
        var url = section.getAttribute("data-share-url").replace("{server}", host);
        link.setAttribute("href", url + encodeURIComponent(text));
        link.setAttribute("target", "_blank");
        link.setAttribute("rel", "noopener noreferrer");
      } else {
        link.setAttribute("href", "#" + own + "-server");
        link.removeAttribute("target");
        link.removeAttribute("rel");
      }
    } else if (link.getAttribute("data-share-url")) {
      link.setAttribute("href", link.getAttribute("data-share-url") + encodeURIComponent(text));
    }
  }

  // A server name: letters, digits and hyphens in dot-separated labels, nothing else (no path,
  // query, port or credentials). A pasted address with its https:// and final slash, or a handle
  // such as @me@x.social, gives the server name; international names become xn--.
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

  // One controller per platform whose share page is on each volunteer's own server.
  function ownServer(section) {
    var key = section.getAttribute("data-own-server");
    var name = section.getAttribute("data-platform-name");
    var example = section.getAttribute("data-server-example");
    var form = document.getElementById(key + "-form");
    var input = document.getElementById(key + "-host");
    var error = document.getElementById(key + "-host-error");
    var saved = document.getElementById(key + "-saved");
    var current = document.getElementById(key + "-current");
    var change = document.getElementById(key + "-change");
    var selector = '.part [data-own-server-link="' + key + '"]';

    function setHost(host, focusAfter) {
      hosts[key] = host;
      form.hidden = !!host;
      saved.hidden = !host;
      current.textContent = host || "";
      if (host) input.value = host;
      Array.prototype.forEach.call(document.querySelectorAll(selector),
        function (link) { updateShare(link.closest(".part")); });
      if (focusAfter && host) change.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var host = normalizeHost(input.value);
      if (!host) {
        error.textContent = "That does not look like a server name. Type just the address, such as " + example + ".";
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.focus();
        announce(error.textContent);
        return;
      }
      error.hidden = true;
      input.removeAttribute("aria-invalid");
      store(hostKey(key), host);
      setHost(host, true);
      announce("Share buttons now open " + host + ".");
    });
    change.addEventListener("click", function () {
      setHost(null);
      store(hostKey(key), null);
      input.focus();
      input.select();
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest('[data-own-server-link="' + key + '"]');
      if (!link || hosts[key]) return;
      event.preventDefault();
      selectTab(key, false);
      error.textContent = "First tell us your " + name + " server, then press Share again.";
      error.hidden = false;
      input.focus();
      announce(error.textContent);
    });
    setHost(normalizeHost(store(hostKey(key))), false);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-own-server]"), ownServer);

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
    // Written as the page writes the campaign's times: "Tuesday 1 December 2026, 12:30", on a
    // 24-hour clock unless the campaign's language reads AM/PM.
    var twelve = local.getAttribute("data-hour12") === "true";
    var partOf = function (fmt, d, type) {
      return (fmt.formatToParts(d).filter(function (p) { return p.type === type; })[0] || {}).value || "";
    };
    var dayFmt = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric" });
    var timeFmt = new Intl.DateTimeFormat("en-US", {
      hour: twelve ? "numeric" : "2-digit", minute: "2-digit", hourCycle: twelve ? "h12" : "h23"
    });
    var day = function (d) {
      return ["weekday", "day", "month", "year"].map(function (t) { return partOf(dayFmt, d, t); }).join(" ");
    };
    var text = day(start) === day(end)
      ? day(start) + ", " + timeFmt.format(start) + "–" + timeFmt.format(end)
      : day(start) + ", " + timeFmt.format(start) + " to " + day(end) + ", " + timeFmt.format(end);
    // the zone named once: "UTC", or "Kabul time" (with its abbreviation when it has a real one)
    var label = "";
    if (zone === "UTC" || zone === "Etc/UTC") {
      label = "UTC";
    } else if (zone) {
      label = zone.split("/").pop().replace(/_/g, " ") + " time";
      var abbrev = partOf(new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }), start, "timeZoneName");
      if (/^[A-Z]{2,5}$/.test(abbrev) && abbrev !== "UTC") label += " (" + abbrev + ")";
    }
    var same = zone && zone === local.getAttribute("data-zone");
    document.getElementById("window-local-text").textContent =
      same ? "The same: you are in this time zone." : text + (label ? " " + label : "");
    local.hidden = false;
  }

  Array.prototype.forEach.call(document.querySelectorAll(".part"), updatePart);
})();
