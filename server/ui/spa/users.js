// User management: the tree of locations and their configuration groups, and on each
// node the tabs User (its users: search, pages, selection of a row, a range with Shift
// (across pages too), the whole page; Other… > Reset user) and Settings. Addresses:
// #/users/location/<id>[/settings], #/users/group/<id>[/settings].
import { useEffect, useRef, useState } from "preact/hooks";
import { gql } from "./api.js";
import { t } from "./i18n.js";
import { SCOPES, USERS_PAGE } from "./queries.js";
import { ResetPanel } from "./reset.js";
import { NewLocation, NodeActions } from "./nodes.js";
import { ScopeSettings } from "./settings.js";
import { Teams } from "./teams.js";
import { errorOf, Errors, html, MenuButton, Pager, Title, usePages } from "./ui.js";

const PAGE_SIZES = [5, 10, 25, 50, 100];

export const scopeHref = (kind, id, tab) => `#/users/${kind}/${encodeURIComponent(id)}${
  tab === "settings" || (tab === "teams" && kind === "location") ? `/${tab}` : ""}`;

function ScopeTree({ locations, scope, tab }) {
  const item = (kind, node) => html`<a class="scope" href=${scopeHref(kind, node.id, tab)}
      aria-current=${scope && scope.id === node.id ? "page" : undefined}>${node.name}</a>`;
  return html`<nav class="scopes" aria-label=${t("users.tree")}>
    <ul>
      ${locations.map((loc) => html`<li>
        ${item("location", loc)}
        ${loc.configurationGroups.length > 0 && html`<ul>
          ${loc.configurationGroups.map((g) => html`<li>${item("group", g)}</li>`)}
        </ul>`}
      </li>`)}
    </ul>
  </nav>`;
}

function findScope(locations, kind, id) {
  for (const loc of locations) {
    if (kind === "location" && loc.id === id) return { kind, id, name: loc.name, location: loc };
    for (const g of loc.configurationGroups) {
      if (kind === "group" && g.id === id) {
        return { kind, id, name: t("users.groupName", { location: loc.name, group: g.name }),
                 location: loc };
      }
    }
  }
  return null;
}

// A system administrator's search across every location: #/users/all.
function SearchEverywhere() {
  return html`<p class="everywhere"><a href="#/users/all">${t("users.searchAll")}</a></p>`;
}

export function Users({ route, me }) {
  const [locations, setLocations] = useState(null);
  const [error, setError] = useState(null);
  const [resetting, setResetting] = useState(false);
  const [selected, setSelected] = useState(new Map());
  const [kind, id, tab = "users"] = route;
  const [version, setVersion] = useState(0);

  useEffect(() => {
    gql(SCOPES).then(({ locations }) => setLocations(locations),
      (e) => setError(errorOf(e)));
  }, [version]);
  // After a node was made or deleted: the tree anew, and the new location shown.
  function changed(locationId) {
    setVersion(version + 1);
    location.hash = locationId ? scopeHref("location", locationId, "users") : "#/users";
  }

  const everywhere = kind === "all" && me.system
    ? { kind: "all", id: "all", name: t("users.allLocations"), location: null } : null;
  const scope = locations && (everywhere || findScope(locations, kind, id) ||
    (locations.length ? findScope(locations, "location", locations[0].id) : null));
  useEffect(() => setSelected(new Map()), [scope && scope.id]);

  if (error) return html`<${Errors} errors=${[error]} />`;
  if (!locations) return html`<p aria-live="polite">${t("common.loading")}</p>`;
  if (resetting) {
    return html`<${ResetPanel} users=${[...selected.values()]}
      selection=${resetting === true ? null : resetting} onClose=${() => setResetting(false)} />`;
  }
  if (!scope) {
    return html`<div><p>${t("users.noLocation")}</p>
      ${me.system && html`<${NewLocation} onCreated=${changed} />`}</div>`;
  }
  const tabs = [["users", t("users.tabUsers")], ["settings", t("users.tabSettings")],
                ...(scope.kind === "location" ? [["teams", t("users.tabTeams")]] : [])];
  return html`<div class="users-screen">
    <div>
      ${me.system && html`<${SearchEverywhere} />`}
      <${ScopeTree} locations=${locations} scope=${scope} tab=${tab} />
      ${me.system && html`<${NewLocation} onCreated=${changed} />`}
    </div>
    <div class="scope-view">
      ${scope.kind !== "all" && html`<nav class="tabs" aria-label=${t("users.tabs", { name: scope.name })}>
        ${tabs.map(([key, label]) => html`<a href=${scopeHref(scope.kind, scope.id, key)}
          aria-current=${tab === key ? "page" : undefined}>${label}</a>`)}
      </nav>`}
      ${tab === "teams" && scope.kind === "location" ? html`<${Teams} key=${scope.id} scope=${scope} />`
        : tab === "settings" && scope.kind !== "all"
        ? html`<${ScopeSettings} key=${scope.id} scope=${scope} />
          <${NodeActions} key=${`a-${scope.id}`} scope=${scope} me=${me} onChanged=${changed} />`
        : html`<${UserList} key=${scope.id} scope=${scope} selected=${selected}
            setSelected=${setSelected} onReset=${(all) => setResetting(all || true)} />`}
    </div>
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

// The users list's filter as a reset's selection (resolved by the server).
function selectionOf(filter) {
  return { locationId: filter.locationId || null, search: filter.search,
           configurationGroupId: filter.configurationGroupId || null };
}

function UserList({ scope, selected, setSelected, onReset }) {
  const [search, setSearch] = useState("");
  const [applied, setApplied] = useState("");
  const [pageSize, setPageSize] = useState(25);
  const anchor = useRef(null);
  const filter = { search: applied || null };
  if (scope.kind === "location") filter.locationId = scope.id;
  if (scope.kind === "group") filter.configurationGroupId = scope.id;
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

  // Every user of the node (or of the search), a page of the largest size at a time.
  async function selectAll() {
    const next = new Map(selected);
    let after = null;
    for (;;) {
      const { users } = await gql(USERS_PAGE, { first: 100, after, filter });
      for (const edge of users.edges) next.set(edge.node.id, edge.node);
      if (!users.pageInfo.hasNextPage) break;
      after = users.pageInfo.endCursor;
    }
    setSelected(next);
  }

  const count = selected.size;
  const total = pages.connection ? pages.connection.totalCount : 0;
  return html`<section class="user-list" aria-labelledby="users-title">
    <${Title}><span id="users-title">${t("users.title", { name: scope.name })}</span><//>
    ${scope.location && html`<p><a href=${`#/user/new/${encodeURIComponent(scope.location.id)}${
      scope.kind === "group" ? `/${encodeURIComponent(scope.id)}` : ""}`}>${t("users.create")}</a></p>`}
    <form class="toolbar" role="search" onSubmit=${(e) => { e.preventDefault(); setApplied(search.trim()); }}>
      <label for="search">${t("users.search")}</label>
      <input id="search" type="search" value=${search}
        onInput=${(e) => setSearch(e.currentTarget.value)} />
      <button type="submit">${t("users.searchButton")}</button>
      <label for="page-size">${t("users.pageSize")}</label>
      <select id="page-size" value=${pageSize}
        onChange=${(e) => setPageSize(Number(e.currentTarget.value))}>
        ${PAGE_SIZES.map((n) => html`<option value=${n}>${n}</option>`)}
      </select>
    </form>
    <div class="toolbar sticky">
      <span aria-live="polite">${t("users.selected", { count })}</span>
      <button type="button" disabled=${!count} onClick=${() => setSelected(new Map())}>
        ${t("users.clearSelection")}
      </button>
      ${total > count && total > rows.length && html`<button type="button" onClick=${selectAll}>
        ${t(applied ? "users.selectAllFound" : "users.selectAll", { count: total })}</button>`}
      <${MenuButton} id="other-actions" label=${t("users.other")} disabled=${!count} items=${[
        { label: t("users.resetOne"), disabled: count !== 1, onSelect: () => onReset() },
        { label: t("users.resetMany"), disabled: count < 2, onSelect: () => onReset() },
      ]} />
      ${total > 0 && html`<button type="button" onClick=${() => onReset({ count: total,
        name: applied ? `${scope.name}: ${applied}` : scope.name, filter: selectionOf(filter) })}>
        ${t(applied ? "users.resetAllFound" : "users.resetAll", { count: total })}</button>`}
    </div>
    <${Errors} errors=${pages.error && [pages.error]} />
    <div class="table-wrap" tabindex="0" role="region" aria-label=${t("users.table")}>
      <table>
        <thead><tr>
          <th scope="col"><input type="checkbox" aria-label=${t("users.selectPage")}
            checked=${allOnPage} onChange=${togglePage} disabled=${!rows.length} /></th>
          <th scope="col">${t("users.name")}</th><th scope="col">${t("users.login")}</th>
          <th scope="col" class="wide">${t("users.email")}</th>
          <th scope="col" class="wide">${t("users.where")}</th><th scope="col">${t("users.notes")}</th>
        </tr></thead>
        <tbody>
          ${rows.map((u, i) => html`<tr class=${selected.has(u.id) ? "selected" : ""}
              onClick=${(e) => e.target.tagName === "TD" && toggle(u, i, e.shiftKey)}>
            <td><input type="checkbox" aria-label=${t("users.selectOne", { name: u.displayName })}
              checked=${selected.has(u.id)}
              onClick=${(e) => toggle(u, i, e.shiftKey)} /></td>
            <td><a href=${`#/user/${encodeURIComponent(u.id)}`}>${u.displayName}</a></td>
            <td>${u.login}</td>
            <td class="wide">${u.email || html`<span class="muted">${t("common.none")}</span>`}</td>
            <td class="wide">${[u.location.name, u.configurationGroup && u.configurationGroup.name]
              .filter(Boolean).join(" › ")}</td>
            <td>${[u.isVip && t("users.vip"), u.blocked && t("users.blocked")].filter(Boolean).join(", ")}</td>
          </tr>`)}
        </tbody>
      </table>
      ${pages.connection && !rows.length && html`<p>${t("users.none")}</p>`}
    </div>
    <${Pager} pages=${pages} pageSize=${pageSize} label=${t("users.pages")} />
  </section>`;
}
