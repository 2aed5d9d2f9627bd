// The Teams tab of a location: the teams with a member in it; create one, rename it, set
// its relationship level, add members by searching the location's users, remove members
// (the API keeps at least one: TEAM_NEEDS_MEMBER), delete it.
import { useEffect, useState } from "preact/hooks";
import { gql } from "./api.js";
import { t } from "./i18n.js";
import { UserSearch } from "./picker.js";
import { CREATE_TEAM, DELETE_TEAM, TEAMS, UPDATE_TEAM } from "./queries.js";
import { errorOf, Errors, failed, html, Title } from "./ui.js";

const LEVELS = ["EXTERNAL", "FORWARDING_PARTICIPANT", "FORWARDER", "EMPLOYEE", "TEAM_COLLEAGUE",
                "ASSISTANT", "ASSISTANT_PLUS"];

async function send(document, variables, setOutcome, done) {
  try {
    const payload = Object.values(await gql(document, variables))[0];
    setOutcome({ ok: !payload.errors.length, errors: payload.errors });
    if (!payload.errors.length) done();
  } catch (e) {
    setOutcome(failed(e));
  }
}

// A search among the location's users for a new member.
function MemberSearch(props) {
  return html`<${UserSearch} ...${props} label=${t("teams.findMember")}
    pickLabel=${(u) => t("teams.add", { name: u.displayName })} />`;
}

function Team({ team, locationId, onChanged }) {
  const [name, setName] = useState(team.name);
  const [outcome, setOutcome] = useState(null);
  const [confirm, setConfirm] = useState(false);
  const update = (changes) => send(UPDATE_TEAM, { input: { id: team.id, ...changes } },
    setOutcome, onChanged);
  const ids = team.members.map((m) => m.id);
  return html`<section class="card" aria-labelledby=${`team-${team.id}`}>
    <h3 id=${`team-${team.id}`}>${team.name}</h3>
    <form class="toolbar" onSubmit=${(e) => { e.preventDefault(); update({ name }); }}>
      <label for=${`tn-${team.id}`}>${t("teams.name")}</label>
      <input id=${`tn-${team.id}`} value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
      <button type="submit">${t("teams.rename")}</button>
      <label for=${`tl-${team.id}`}>${t("teams.level")}</label>
      <select id=${`tl-${team.id}`} value=${team.relationship}
        onChange=${(e) => update({ relationship: e.currentTarget.value })}>
        ${LEVELS.map((l) => html`<option value=${l}>${t(`level.${l}`)}</option>`)}
      </select>
    </form>
    <ul>${team.members.map((m) => html`<li>${m.displayName}
      <button type="button" onClick=${() => update({ memberIds: ids.filter((x) => x !== m.id) })}>
        ${t("teams.remove", { name: m.displayName })}</button></li>`)}</ul>
    <${MemberSearch} id=${`tm-${team.id}`} locationId=${locationId}
      onPick=${(u) => !ids.includes(u.id) && update({ memberIds: [...ids, u.id] })} />
    <button type="button" class="danger" onClick=${() => setConfirm(true)}>
      ${t("teams.delete", { name: team.name })}</button>
    ${confirm && html`<div role="alertdialog" aria-labelledby=${`td-${team.id}`} class="confirm">
      <p id=${`td-${team.id}`}>${t("teams.confirmDelete", { name: team.name })}</p>
      <button type="button" class="danger" onClick=${() => send(DELETE_TEAM, { id: team.id },
        setOutcome, onChanged)}>${t("user.deleteNow")}</button>
      <button type="button" onClick=${() => setConfirm(false)}>${t("common.cancel")}</button>
    </div>`}
    ${outcome && html`<${Errors} errors=${outcome.errors} />`}
  </section>`;
}

function NewTeam({ locationId, onCreated }) {
  const [name, setName] = useState("");
  const [members, setMembers] = useState([]);
  const [outcome, setOutcome] = useState(null);
  function create(event) {
    event.preventDefault();
    send(CREATE_TEAM, { input: { name, memberIds: members.map((m) => m.id) } }, setOutcome,
      () => { setName(""); setMembers([]); onCreated(); });
  }
  return html`<section class="card" aria-labelledby="new-team">
    <h3 id="new-team">${t("teams.new")}</h3>
    <${MemberSearch} id="new-team-member" locationId=${locationId}
      onPick=${(u) => !members.some((m) => m.id === u.id) && setMembers([...members, u])} />
    <p>${members.length ? members.map((m) => m.displayName).join(", ") : t("teams.noMembers")}</p>
    <form class="toolbar" onSubmit=${create}>
      <label for="new-team-name">${t("teams.name")}</label>
      <input id="new-team-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} />
      <button type="submit" class="primary">${t("teams.create")}</button>
    </form>
    ${outcome && html`<${Errors} errors=${outcome.errors} />`}
  </section>`;
}

export function Teams({ scope }) {
  const [teams, setTeams] = useState(null);
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  const locationId = scope.location.id;
  useEffect(() => {
    gql(TEAMS).then(({ teams }) => setTeams(teams.filter((team) =>
      team.members.some((m) => m.location.id === locationId))),
      (e) => setError(errorOf(e)));
  }, [locationId, version]);
  const changed = () => setVersion(version + 1);
  if (error) return html`<${Errors} errors=${[error]} />`;
  if (!teams) return html`<p aria-live="polite">${t("common.loading")}</p>`;
  return html`<section class="teams">
    <${Title}>${t("teams.title", { name: scope.location.name })}<//>
    ${!teams.length && html`<p class="muted">${t("teams.none")}</p>`}
    ${teams.map((team) => html`<${Team} key=${team.id} team=${team} locationId=${locationId}
      onChanged=${changed} />`)}
    <${NewTeam} locationId=${locationId} onCreated=${changed} />
  </section>`;
}
