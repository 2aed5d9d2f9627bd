// What every screen shares: htm bound to Preact, error lists, paging by cursors.
import { h } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";

export const html = htm.bind(h);

export function Errors({ errors }) {
  if (!errors || !errors.length) return null;
  return html`<div role="alert"><ul class="errors">
    ${errors.map((e) => html`<li><strong>${e.code}</strong>: ${e.message}</li>`)}
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
export function usePages(load, key) {
  const [cursors, setCursors] = useState([null]);
  const [connection, setConnection] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(false);
  const page = cursors.length - 1;

  async function fetchPage(after, nextCursors) {
    setLoading(true);
    setError(null);
    try {
      setConnection(await load(after));
      setCursors(nextCursors);
    } catch (e) {
      setError({ code: e.code, message: e.message });
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    fetchPage(null, [null]);
  }, [key]);

  return {
    connection,
    error,
    loading,
    page,
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
      Previous page
    </button>
    <span aria-live="polite">${first}–${last} of ${connection.totalCount}</span>
    <button
      type="button"
      onClick=${pages.next}
      disabled=${loading || !connection.pageInfo.hasNextPage}
    >
      Next page
    </button>
  </nav>`;
}
