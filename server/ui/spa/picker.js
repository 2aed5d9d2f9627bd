// Picking a user by searching: the users the caller sees (of one location, when given),
// ten at a time. Not a form of its own, so that it can stand inside another one (the
// change log's filters): Enter in the field searches, it submits nothing.
import { useState } from "preact/hooks";
import { gql } from "./api.js";
import { t } from "./i18n.js";
import { USERS_PAGE } from "./queries.js";
import { html } from "./ui.js";

// `label` names the field, `pickLabel(user)` each button found, `onPick` gets the user.
export function UserSearch({ id, locationId = null, label, pickLabel, onPick }) {
  const [text, setText] = useState("");
  const [found, setFound] = useState(null);
  async function search() {
    const { users } = await gql(USERS_PAGE, { first: 10, after: null,
      filter: { search: text || null, locationId } });
    setFound(users.edges.map((e) => e.node));
  }
  function enter(event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    search();
  }
  return html`<div class="toolbar picker">
    <label for=${id}>${label}</label>
    <input id=${id} type="search" value=${text} onKeyDown=${enter}
      onInput=${(e) => setText(e.currentTarget.value)} />
    <button type="button" onClick=${search}>${t("users.searchButton")}</button>
    ${found && !found.length && html`<p class="muted">${t("users.none")}</p>`}
    ${found && found.length > 0 && html`<ul class="found">${found.map((u) => html`<li>
      <button type="button" onClick=${() => { onPick(u); setFound(null); setText(""); }}>
        ${pickLabel(u)}</button></li>`)}</ul>`}
  </div>`;
}
