// User management: a location or configuration group, its users (search, pages,
// selection of a row, a range with Shift (across pages too), the whole page), and
// Other… > Reset user.
import { useEffect, useRef, useState } from "preact/hooks";
import { gql } from "./api.js";
import { SCOPES, USERS_PAGE } from "./queries.js";
import { ResetPanel } from "./reset.js";
import { Errors, html, MenuButton, Pager, Title, usePages } from "./ui.js";

const PAGE_SIZES = [5, 10, 25, 50, 100];

function ScopeTree({ locations, scope, onSelect }) {
  const item = (kind, node, name) => html`<button type="button" class="scope"
      aria-current=${scope && scope.id === node.id ? "true" : undefined}
      onClick=${() => onSelect({ kind, id: node.id, name })}>${node.name}</button>`;
  return html`<nav class="scopes" aria-label="Locations and configuration groups">
    <ul>
      ${locations.map((loc) => html`<li>
        ${item("location", loc, loc.name)}
        ${loc.configurationGroups.length > 0 && html`<ul>
          ${loc.configurationGroups.map((g) => html`<li>
            ${item("group", g, `${loc.name} › ${g.name}`)}
          </li>`)}
        </ul>`}
      </li>`)}
    </ul>
  </nav>`;
}

export function Users() {
  const [locations, setLocations] = useState(null);
  const [scope, setScope] = useState(null);
  const [error, setError] = useState(null);
  const [resetting, setResetting] = useState(false);
  const [selected, setSelected] = useState(new Map());

  useEffect(() => {
    gql(SCOPES).then(({ locations }) => {
      setLocations(locations);
      if (locations.length) {
        setScope({ kind: "location", id: locations[0].id, name: locations[0].name });
      }
    }, (e) => setError({ code: e.code, message: e.message }));
  }, []);

  function chooseScope(next) {
    setScope(next);
    setSelected(new Map());
  }

  if (error) return html`<${Errors} errors=${[error]} />`;
  if (!locations) return html`<p aria-live="polite">Loading…</p>`;
  if (resetting) {
    return html`<${ResetPanel} users=${[...selected.values()]}
      onClose=${() => setResetting(false)} />`;
  }
  return html`<div class="users-screen">
    <${ScopeTree} locations=${locations} scope=${scope} onSelect=${chooseScope} />
    ${scope ? html`<${UserList} key=${scope.id} scope=${scope} selected=${selected}
                      setSelected=${setSelected} onReset=${() => setResetting(true)} />`
            : html`<p>No location is visible to you.</p>`}
  </div>`;
}

function usersBetween(seen, pageSize, a, b) {
  const [first, last] = [Math.min(a, b), Math.max(a, b)];
  const found = [];
  for (let page = Math.floor(first / pageSize); page <= Math.floor(last / pageSize); page++) {
    (seen.get(page)?.edges ?? []).forEach((edge, i) => {
      const position = page * pageSize + i;
      if (position >= first && position <= last) found.push(edge.node);
    });
  }
  return found;
}

function UserList({ scope, selected, setSelected, onReset }) {
  const [search, setSearch] = useState("");
  const [applied, setApplied] = useState("");
  const [pageSize, setPageSize] = useState(25);
  const anchor = useRef(null);
  const filter = { search: applied || null,
                   [scope.kind === "location" ? "locationId" : "configurationGroupId"]: scope.id };
  const pages = usePages(
    async (after) => (await gql(USERS_PAGE, { first: pageSize, after, filter })).users,
    `${applied}|${pageSize}`,
  );
  const rows = pages.connection ? pages.connection.edges.map((e) => e.node) : [];
  const allOnPage = rows.length > 0 && rows.every((u) => selected.has(u.id));

  // The anchor of a range is a position in the whole list, so that a range may span
  // pages: those between were all seen (paging goes one page at a time).
  function toggle(user, index, shift) {
    const next = new Map(selected);
    const on = !selected.has(user.id);
    const position = pages.page * pageSize + index;
    const from = anchor.current;
    const range = shift && from && from.seen === pages.seen
      ? usersBetween(pages.seen, pageSize, from.position, position)
      : [user];
    for (const u of range) on ? next.set(u.id, u) : next.delete(u.id);
    anchor.current = { seen: pages.seen, position };
    setSelected(next);
  }

  function togglePage() {
    const next = new Map(selected);
    for (const u of rows) allOnPage ? next.delete(u.id) : next.set(u.id, u);
    setSelected(next);
  }

  const count = selected.size;
  return html`<section class="user-list" aria-labelledby="users-title">
    <${Title}><span id="users-title">Users of ${scope.name}</span><//>
    <form class="toolbar" role="search" onSubmit=${(e) => { e.preventDefault(); setApplied(search.trim()); }}>
      <label for="search">Search users</label>
      <input id="search" type="search" value=${search}
        onInput=${(e) => setSearch(e.currentTarget.value)} />
      <button type="submit">Search</button>
      <label for="page-size">Users per page</label>
      <select id="page-size" value=${pageSize}
        onChange=${(e) => setPageSize(Number(e.currentTarget.value))}>
        ${PAGE_SIZES.map((n) => html`<option value=${n}>${n}</option>`)}
      </select>
    </form>
    <div class="toolbar">
      <span aria-live="polite">${count} selected</span>
      <button type="button" disabled=${!count} onClick=${() => setSelected(new Map())}>
        Clear selection
      </button>
      <${MenuButton} id="other-actions" label="Other…" disabled=${!count} items=${[
        { label: "Reset user…", disabled: count !== 1, onSelect: onReset },
        { label: "Reset for multiple selections…", disabled: count < 2, onSelect: onReset },
      ]} />
    </div>
    <${Errors} errors=${pages.error && [pages.error]} />
    <div class="table-wrap" tabindex="0" role="region" aria-label="Users table">
      <table>
        <thead><tr>
          <th scope="col"><input type="checkbox" aria-label="Select all users on this page"
            checked=${allOnPage} onChange=${togglePage} disabled=${!rows.length} /></th>
          <th scope="col">Name</th><th scope="col">Login</th>
          <th scope="col" class="wide">E-mail</th>
          <th scope="col" class="wide">Configuration group</th><th scope="col">Notes</th>
        </tr></thead>
        <tbody>
          ${rows.map((u, i) => html`<tr class=${selected.has(u.id) ? "selected" : ""}
              onClick=${(e) => e.target.tagName === "TD" && toggle(u, i, e.shiftKey)}>
            <td><input type="checkbox" aria-label=${`Select ${u.displayName}`}
              checked=${selected.has(u.id)}
              onClick=${(e) => toggle(u, i, e.shiftKey)} /></td>
            <td><a href=${`#/users/${encodeURIComponent(u.id)}`}>${u.displayName}</a></td>
            <td>${u.login}</td>
            <td class="wide">${u.email || html`<span class="muted">none</span>`}</td>
            <td class="wide">${u.configurationGroup ? u.configurationGroup.name : "—"}</td>
            <td>${[u.isVip && "VIP", u.blocked && "blocked"].filter(Boolean).join(", ")}</td>
          </tr>`)}
        </tbody>
      </table>
      ${pages.connection && !rows.length && html`<p>No users match.</p>`}
    </div>
    <${Pager} pages=${pages} pageSize=${pageSize} label="Pages of users" />
  </section>`;
}
