// The Web Administration: sign in, then the screens by the address's #fragment.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { gql, keepSession, savedSession, whenSignedOut } from "./api.js";
import { AuditTrail } from "./audit.js";
import { UserDetails } from "./details.js";
import { Gateway } from "./gateway.js";
import { SIGN_OUT, WHO } from "./queries.js";
import { SignIn } from "./signin.js";
import { Errors, html } from "./ui.js";
import { Users } from "./users.js";

function useRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
}

async function whoAmI(login) {
  const { administrators } = await gql(WHO);
  const me = administrators.find((a) => a.login === login);
  if (!me) return { login, system: false, locations: [] };
  return { login, name: [me.firstName, me.lastName].filter(Boolean).join(" "),
           system: me.locations.length === 0, locations: me.locations };
}

function App() {
  const [session, setSession] = useState(savedSession);
  const [me, setMe] = useState(null);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const route = useRoute();

  useEffect(() => whenSignedOut((message) => {
    setSession(null);
    setMe(null);
    setNotice(message);
  }), []);

  useEffect(() => {
    if (!session) return;
    whoAmI(session.login).then(setMe, (e) => setError({ code: e.code, message: e.message }));
  }, [session]);

  function signedIn(newSession) {
    keepSession(newSession);
    setNotice(null);
    setSession(newSession);
    if (!location.hash) location.hash = "#/users";
  }

  async function signOut() {
    // The server ends the session first, so that the token is worthless even if kept.
    try {
      await gql(SIGN_OUT);
    } catch {
      // Already ended (or expired) on the server: nothing more to end.
    }
    keepSession(null);
    setSession(null);
    setMe(null);
    setNotice("You are signed out.");
  }

  if (!session) return html`<${SignIn} onSignedIn=${signedIn} notice=${notice} />`;
  if (!me) return html`<main class="centered"><${Errors} errors=${error && [error]} />
    <p aria-live="polite">Loading…</p></main>`;

  const [screen = "users", id] = route;
  const nav = [["users", "Users"], ...(me.system ? [["gateway", "E-Mail Gateway"]] : []),
               ["audit", "Audit trail"]];
  let view;
  if (screen === "users" && id) view = html`<${UserDetails} id=${id} />`;
  else if (screen === "gateway" && me.system) view = html`<${Gateway} />`;
  else if (screen === "audit") view = html`<${AuditTrail} />`;
  else view = html`<${Users} me=${me} />`;

  return html`
    <header class="top">
      <span class="brand">Connect Admin</span>
      <nav aria-label="Main">
        <ul>
          ${nav.map(([key, label]) => html`<li>
            <a href="#/${key}" aria-current=${screen === key ? "page" : undefined}>${label}</a>
          </li>`)}
        </ul>
      </nav>
      <span class="who">
        ${me.login} (${me.system ? "system administrator" : "sub-administrator"})
      </span>
      <button type="button" onClick=${signOut}>Sign out</button>
    </header>
    <main id="main">${view}</main>
  `;
}

const root = document.getElementById("app");
root.replaceChildren(); // the "Loading…" line: Preact renders beside what it finds
render(html`<${App} />`, root);
