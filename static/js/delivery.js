/* The delivery forms' summary: household, quantity, price and the amount to pay, worked out
   as the manager types. A progressive enhancement: the page works without it, and the server
   computes the amount again and decides. Numbers are read as the page's language writes them
   (Vietnamese 1.200,5; English 1,200.5); anything else shows a dash. */
(function () {
  "use strict";

  if (typeof BigInt === "undefined" || typeof Intl === "undefined") {
    return; // exact amounts need BigInt: without it, the server's confirmation step remains
  }
  var HALF = BigInt(500);
  var THOUSAND = BigInt(1000);
  var lang = document.documentElement.lang === "en" ? "en" : "vi";
  var GROUP = lang === "vi" ? "." : ",";
  var DECIMAL = lang === "vi" ? "," : ".";
  var DASH = "–";
  var numbers = new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-US", {
    maximumFractionDigits: 3,
  });

  function escaped(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  var GROUPED = new RegExp(
    "^\\d{1,3}(?:" + escaped(GROUP) + "\\d{3})+(?:" + escaped(DECIMAL) + "(\\d+))?$"
  );
  var PLAIN = new RegExp("^\\d+(?:" + escaped(DECIMAL) + "(\\d+))?$");

  /* The number typed, as a BigInt count of 10^-places units, or null when it is not a number
     written the page's way or has more than `places` decimals. */
  function parse(text, places) {
    text = text.trim();
    var match = GROUPED.exec(text) || PLAIN.exec(text);
    if (!match) {
      return null;
    }
    var decimals = match[1] || "";
    if (decimals.length > places) {
      return null;
    }
    var whole = text.split(DECIMAL)[0].split(GROUP).join("");
    while (decimals.length < places) {
      decimals += "0";
    }
    return BigInt(whole + decimals);
  }

  function quantityText(thousandths) {
    return numbers.format(Number(thousandths) / 1000);
  }

  function money(amount) {
    return numbers.format(amount) + " ₫";
  }

  /* The household chosen in the list, ticked among the matches, or typed. */
  function householdText(form) {
    var select = form.querySelector("select[name='household_id']");
    if (select) {
      var option = select.options[select.selectedIndex];
      return option && option.value ? option.textContent.trim() : "";
    }
    var ticked = form.querySelector("input[name='household_id']:checked");
    var label = ticked && form.querySelector("label[for='" + ticked.id + "']");
    if (label) {
      return label.textContent.trim();
    }
    var typed = form.querySelector("input[name='household']");
    return typed ? typed.value.trim() : "";
  }

  function unitOf(form) {
    var lot = form.elements.namedItem("lot_id");
    if (lot && lot.tagName === "SELECT") {
      var option = lot.options[lot.selectedIndex];
      return option && option.value ? option.getAttribute("data-unit") || "" : "";
    }
    return form.getAttribute("data-unit") || "";
  }

  function show(summary, name, text) {
    var place = summary.querySelector("[data-show='" + name + "']");
    if (place) {
      place.textContent = text || DASH;
    }
  }

  function update(form, summary) {
    var unit = unitOf(form);
    var quantity = parse(form.elements.namedItem("quantity").value, 3);
    var price = parse(form.elements.namedItem("unit_price_vnd").value, 0);
    show(summary, "household", householdText(form));
    show(summary, "quantity", quantity === null ? "" : (quantityText(quantity) + " " + unit).trim());
    show(summary, "price", price === null ? "" : money(price) + (unit ? "/" + unit : ""));
    // quantity x price, rounded half up to the đồng, as the server does
    show(summary, "amount",
      quantity === null || price === null ? "" : money((quantity * price + HALF) / THOUSAND));
  }

  function enhance(form) {
    var summary = form.querySelector("[data-delivery-summary]");
    if (!summary) {
      return;
    }
    summary.hidden = false;
    var refresh = function () {
      update(form, summary);
    };
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
  }

  document.querySelectorAll("form[data-delivery-form]").forEach(enhance);
})();
