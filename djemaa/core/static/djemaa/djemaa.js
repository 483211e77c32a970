// Small enhancements for every page; each page works without them.

const TIME_ZONE_COOKIE = "djemaa_tz";
const ONE_YEAR_IN_SECONDS = 365 * 24 * 60 * 60;

// Tell the server the browser's time zone, so guests see times in their own zone
// (core.middleware reads the cookie; a member's own setting wins over it).
function rememberTimeZone() {
  let zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return;
  }
  // IANA names ("America/Argentina/Buenos_Aires") are valid cookie values as they are; the
  // server reads the cookie without URL-decoding, so anything else is left unsaid.
  if (!zone || !/^[A-Za-z0-9_+\-/]+$/.test(zone)) {
    return;
  }
  const wanted = `${TIME_ZONE_COOKIE}=${zone}`;
  if (!document.cookie.split("; ").includes(wanted)) {
    document.cookie = `${wanted}; path=/; max-age=${ONE_YEAR_IN_SECONDS}; SameSite=Lax`;
  }
}

// The language switch changes language as soon as one is picked; its button is for no-JS.
function enhanceLanguageSwitch() {
  for (const form of document.querySelectorAll("form.language-switch")) {
    const select = form.querySelector("select");
    const button = form.querySelector("button[type=submit]");
    if (!select) {
      continue;
    }
    if (button) {
      button.hidden = true;
    }
    select.addEventListener("change", () => form.requestSubmit());
  }
}

rememberTimeZone();
enhanceLanguageSwitch();
