// Every text of the Web Administration comes from one catalogue per language
// (messages.de.js, messages.en.js: ICU messages, formatted by intl-messageformat),
// dates and numbers through Intl. The browser's language picks the default; a switch
// keeps the choice in localStorage. Only the catalogue in use is loaded.
import IntlMessageFormat from "intl-messageformat";

export const LANGUAGES = { de: "Deutsch", en: "English" };
const FALLBACK = "en";
const STORED = "connect-admin.language";
const CATALOGUES = {
  de: () => import("./messages.de.js"),
  en: () => import("./messages.en.js"),
};

let language = FALLBACK;
let messages = {};
let formats = new Map();

function stored() {
  try {
    return localStorage.getItem(STORED);
  } catch {
    return null;
  }
}

// The language to start with: the one chosen before, else the browser's first one we
// have, else English.
export function preferredLanguage() {
  const chosen = stored();
  if (chosen && chosen in LANGUAGES) return chosen;
  for (const tag of navigator.languages || [navigator.language]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return FALLBACK;
}

// Loads the language's catalogue and makes it current; `keep` remembers the choice.
export async function loadLanguage(next, keep = false) {
  const chosen = next in LANGUAGES ? next : FALLBACK;
  const loaded = (await CATALOGUES[chosen]()).default;
  language = chosen;
  messages = loaded;
  formats = new Map();
  document.documentElement.lang = chosen;
  document.title = t("app.title");
  if (keep) {
    try {
      localStorage.setItem(STORED, chosen);
    } catch {
      // Private mode without storage: the choice lasts for this page only.
    }
  }
  return chosen;
}

export function currentLanguage() {
  return language;
}

// The message `id` with its values; an unknown id answers the id itself, so a missing
// text shows up on the screen (and tests/cli/test_web_admin_i18n.py fails before).
export function t(id, values) {
  let format = formats.get(id);
  if (!format) {
    const text = messages[id];
    if (text === undefined) return id;
    format = new IntlMessageFormat(text, language);
    formats.set(id, format);
  }
  return format.format(values);
}

export function has(id) {
  return id in messages;
}

export function formatDateTime(value) {
  if (!value) return "";
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" })
    .format(new Date(value));
}

export function formatNumber(value) {
  return new Intl.NumberFormat(language).format(value);
}

// The text of an error as the API answers it ({code, message}): ours in the reader's
// language where the catalogue has the code, else the server's message.
export function errorText(error) {
  const id = `error.${error.code}`;
  return has(id) ? t(id) : error.message;
}
