// Locations and configuration groups themselves: a new location (system administrators),
// a new group in a location, deleting a node after a confirmation that names it (the API
// refuses one still in use: LOCATION_IN_USE, CONFIGURATION_GROUP_IN_USE).
import { useState } from "preact/hooks";
import { gql } from "./api.js";
import { t } from "./i18n.js";
import { CREATE_GROUP, CREATE_LOCATION, DELETE_GROUP, DELETE_LOCATION } from "./queries.js";
import { errorOf, Errors, html } from "./ui.js";

async function send(document, variables, setErrors) {
  try {
    const payload = Object.values(await gql(document, variables))[0];
    setErrors(payload.errors.length ? payload.errors : null);
    return payload.errors.length ? null : payload;
  } catch (e) {
    setErrors([errorOf(e)]);
    return null;
  }
}

function NameForm({ id, label, button, onName }) {
  const [name, setName] = useState("");
  const [errors, setErrors] = useState(null);
  async function submit(event) {
    event.preventDefault();
    if (await onName(name, setErrors)) setName("");
  }
  return html`<form class="node-form" onSubmit=${submit}>
    <label for=${id}>${label}</label>
    <input id=${id} value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
    <button type="submit">${button}</button>
    <${Errors} errors=${errors} />
  </form>`;
}

export function NewLocation({ onCreated }) {
  return html`<${NameForm} id="new-location" label=${t("nodes.newLocation")}
    button=${t("nodes.create")} onName=${async (name, setErrors) => {
      const made = await send(CREATE_LOCATION, { input: { name } }, setErrors);
      if (made) onCreated(made.location.id);
      return made;
    }} />`;
}

export function NodeActions({ scope, me, onChanged }) {
  const [confirm, setConfirm] = useState(false);
  const [errors, setErrors] = useState(null);
  const group = scope.kind === "group";
  async function remove() {
    setConfirm(false);
    const done = await send(group ? DELETE_GROUP : DELETE_LOCATION, { id: scope.id }, setErrors);
    if (done) onChanged(null);
  }
  return html`<div class="card">
    ${!group && html`<${NameForm} id="new-group" label=${t("nodes.newGroup")}
      button=${t("nodes.create")} onName=${async (name, setErrs) => {
        const made = await send(CREATE_GROUP, { input: { locationId: scope.id, name } }, setErrs);
        if (made) onChanged(null);
        return made;
      }} />`}
    ${(group || me.system) && html`<button type="button" class="danger"
      onClick=${() => setConfirm(true)}>${t(group ? "nodes.deleteGroup" : "nodes.deleteLocation",
        { name: scope.name })}</button>`}
    ${confirm && html`<div role="alertdialog" aria-labelledby="confirm-node" class="confirm">
      <p id="confirm-node">${t("nodes.confirmDelete", { name: scope.name })}</p>
      <button type="button" class="danger" onClick=${remove}>${t("user.deleteNow")}</button>
      <button type="button" onClick=${() => setConfirm(false)}>${t("common.cancel")}</button>
    </div>`}
    <${Errors} errors=${errors} />
  </div>`;
}
