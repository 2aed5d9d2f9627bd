// What every screen shares: htm bound to Preact, error lists, paging by cursors.
import { h } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";
import { currentLanguage, errorText, formatNumber, has, LANGUAGES, t } from "./i18n.js";

export const html = htm.bind(h);

// A request that failed (api.js throws its code and message) as an error the screens list,
// and as the outcome of a mutation that failed.
export const errorOf = (e) => ({ code: e.code, message: e.message });
export const failed = (e) => ({ ok: false, errors: [errorOf(e)] });

// Codes whose server message carries what the reader needs (an SMTP reply, a length).
const DETAILED = new Set(["MAIL_DELIVERY_FAILED", "VALUE_TOO_LONG", "BAD_USER_INPUT",
                          "PASSWORD_POLICY", "INTERNAL_SERVER_ERROR", "ERROR"]);

export function Errors({ errors }) {
  if (!errors || !errors.length) return null;
  return html`<div role="alert"><ul class="errors">
    ${errors.map((e) => html`<li>${errorText(e)}${DETAILED.has(e.code) && has(`error.${e.code}`)
      ? html` <span class="detail">${e.message}</span>` : ""} <code>${e.code}</code></li>`)}
  </ul></div>`;
}

// A heading that takes the focus when its screen opens, so a screen reader hears it.
export function Title({ children }) {
  const ref = useRef(null);
  useEffect(() => ref.current && ref.current.focus(), []);
  return html`<h2 tabindex="-1" ref=${ref}>${children}</h2>`;
}

// Forward paging over a Relay connection, with the cursors of the pages seen kept
// for "Previous". `load(after)` answers the connection; `key` restarts at page 1.
// `seen` holds each page loaded since then by its number (0 first): a new Map at
// each restart.
export function usePages(load, key) {
  const [cursors, setCursors] = useState([null]);
  const [connection, setConnection] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(false);
  const seen = useRef(new Map());
  const page = cursors.length - 1;

  async function fetchPage(after, nextCursors, restart = false) {
    setLoading(true);
    setError(null);
    try {
      const loaded = await load(after);
      if (restart) seen.current = new Map();
      seen.current.set(nextCursors.length - 1, loaded);
      setConnection(loaded);
      setCursors(nextCursors);
    } catch (e) {
      setError(errorOf(e));
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    fetchPage(null, [null], true);
  }, [key]);

  return {
    connection,
    error,
    loading,
    page,
    seen: seen.current,
    next: () =>
      connection.pageInfo.hasNextPage &&
      fetchPage(connection.pageInfo.endCursor, [...cursors, connection.pageInfo.endCursor]),
    previous: () => page > 0 && fetchPage(cursors[page - 1], cursors.slice(0, -1)),
    reload: () => fetchPage(cursors[page], cursors),
  };
}

export function Pager({ pages, pageSize, label }) {
  const { connection, page, loading } = pages;
  if (!connection) return null;
  const first = connection.totalCount ? page * pageSize + 1 : 0;
  const last = page * pageSize + connection.edges.length;
  return html`<nav class="pager" aria-label=${label}>
    <button type="button" onClick=${pages.previous} disabled=${loading || page === 0}>
      ${t("pager.previous")}
    </button>
    <span aria-live="polite">${t("pager.range", { first: formatNumber(first),
      last: formatNumber(last), total: formatNumber(connection.totalCount) })}</span>
    <button
      type="button"
      onClick=${pages.next}
      disabled=${loading || !connection.pageInfo.hasNextPage}
    >
      ${t("pager.next")}
    </button>
  </nav>`;
}

// A menu button (WAI-ARIA "menu button"): Enter, Space or a click opens it on its first
// item, ArrowDown / ArrowUp open it on the first / last; in the menu the arrows, Home and
// End move, Enter or Space chooses, Escape closes it and returns to the button, Tab leaves.
// An item that does not apply stays in the menu, aria-disabled, so it is announced.
export function MenuButton({ id, label, items, disabled }) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const button = useRef(null);
  const menu = useRef(null);

  useEffect(() => {
    if (open) menu.current.querySelectorAll("[role=menuitem]")[active].focus();
  }, [open, active]);

  useEffect(() => {
    if (!open) return undefined;
    const outside = (event) => {
      if (!menu.current.contains(event.target) && !button.current.contains(event.target)) {
        setOpen(false);
      }
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open]);

  function openAt(index) {
    setActive(index);
    setOpen(true);
  }

  function close() {
    setOpen(false);
    button.current.focus();
  }

  function onButtonKey(event) {
    const at = { ArrowDown: 0, ArrowUp: items.length - 1 }[event.key];
    if (at === undefined) return;
    event.preventDefault();
    openAt(at);
  }

  function onMenuKey(event) {
    const last = items.length - 1;
    const at = { ArrowDown: active === last ? 0 : active + 1,
                 ArrowUp: active === 0 ? last : active - 1, Home: 0, End: last }[event.key];
    if (at !== undefined) {
      event.preventDefault();
      setActive(at);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Tab") {
      setOpen(false);
    }
  }

  function choose(item) {
    if (item.disabled) return;
    close();
    item.onSelect();
  }

  return html`<div class="menu-button">
    <button type="button" id=${id} ref=${button} aria-haspopup="menu"
      aria-expanded=${open ? "true" : "false"} aria-controls=${open ? `${id}-menu` : undefined}
      disabled=${disabled} onClick=${() => (open ? setOpen(false) : openAt(0))}
      onKeyDown=${onButtonKey}>${label}</button>
    ${open && html`<div role="menu" id=${`${id}-menu`} aria-labelledby=${id} ref=${menu}
        onKeyDown=${onMenuKey}>
      ${items.map((item, i) => html`<button type="button" role="menuitem" tabindex="-1"
          aria-disabled=${item.disabled ? "true" : undefined}
          onFocus=${() => setActive(i)} onClick=${() => choose(item)}>${item.label}</button>`)}
    </div>`}
  </div>`;
}

// The language switch: the choice is kept (localStorage) for the next visits.
export function LanguageSwitch({ onChange }) {
  return html`<div class="language">
    <label for="language">${t("language.label")}</label>
    <select id="language" value=${currentLanguage()}
      onChange=${(e) => onChange(e.currentTarget.value)}>
      ${Object.entries(LANGUAGES).map(([code, name]) => html`<option value=${code}
        lang=${code}>${name}</option>`)}
    </select>
  </div>`;
}
