// The web form's only script (besides Telegram's telegram-web-app.js): it puts
// Telegram's signed initData into every form, posts the opening form, applies the
// Telegram theme colours and closes the Mini App after a saved answer. No words here:
// every text is in the server-rendered page.
(function () {
  "use strict";

  function webApp() {
    return (window.Telegram && window.Telegram.WebApp) || null;
  }

  // initData from Telegram, or (local mode, a plain browser) from the link's
  // #tgWebAppData=…, kept for this tab as Telegram's own script does.
  function initData() {
    var app = webApp();
    if (app && app.initData) {
      return app.initData;
    }
    var fromHash = new URLSearchParams(window.location.hash.slice(1)).get("tgWebAppData");
    if (fromHash) {
      window.sessionStorage.setItem("koordbotInitData", fromHash);
      return fromHash;
    }
    return window.sessionStorage.getItem("koordbotInitData") || "";
  }

  var THEME = {
    bg_color: "--bg",
    text_color: "--text",
    hint_color: "--hint",
    link_color: "--link",
    button_color: "--button",
    button_text_color: "--button-text",
    secondary_bg_color: "--secondary-bg",
  };

  function applyTheme() {
    var app = webApp();
    var params = (app && app.themeParams) || {};
    var style = document.documentElement.style;
    Object.keys(THEME).forEach(function (key) {
      var value = params[key];
      if (typeof value === "string" && /^#[0-9a-fA-F]{3,8}$/.test(value)) {
        style.setProperty(THEME[key], value);
      }
    });
    if (app && app.ready) {
      app.ready();
      if (app.expand) {
        app.expand();
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    applyTheme();
    var data = initData();
    document.querySelectorAll("input.init-data").forEach(function (input) {
      input.value = data;
    });
    var opening = document.querySelector("form[data-auto]");
    if (opening) {
      if (data) {
        opening.submit();
      } else {
        document.getElementById("opening").hidden = true;
        document.getElementById("outside").hidden = false;
      }
    }
    var app = webApp();
    if (document.body.dataset.close && app && app.close && app.initData) {
      window.setTimeout(function () { app.close(); }, 1500);
    }
  });
})();
