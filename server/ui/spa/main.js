// The Web Administration: sign in, then the screens by the address's #fragment, each
// with its own address (back and reload keep the place). The screens' modules are
// loaded when first opened, so that the first load stays small.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { gql, keepSession, savedSession, whenSignedOut } from "./api.js";
import { loadLanguage, preferredLanguage, t } from "./i18n.js";
import { SIGN_OUT, WHO } from "./queries.js";
import { SignIn } from "./signin.js";
import { errorOf, Errors, html, LanguageSwitch } from "./ui.js";

// Route's first part: the module that shows it, and its export.
const SCREENS = {
  users: [() => import("./users.js"), "Users"],
  user: [() => import("./details.js"), "UserDetails"],
  system: [() => import("./system.js"), "SystemSettings"],
  changelog: [() => import("./audit.js"), "ChangeLog"],
  jobs: [() => import("./jobs.js"), "ResetJobs"],
};

function useRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  // What follows "?" is a screen's own state (the change log's filters), not the route.
  return hash.replace(/^#\/?/, "").split("?")[0].split("/").filter(Boolean)
    .map(decodeURIComponent);
}

async function whoAmI() {
  const { viewer } = await gql(WHO);
  const admin = viewer.administrator;
  return { login: admin.login, name: [admin.firstName, admin.lastName].filter(Boolean).join(" "),
           system: viewer.isSystemAdministrator, locations: admin.locations };
}

// A screen's module, imported the first time it is shown.
function Screen({ name, ...props }) {
  const [loaded, setLoaded] = useState({});
  const [error, setError] = useState(null);
  const [load, exported] = SCREENS[name];
  useEffect(() => {
    if (loaded[name]) return;
    load().then((module) => setLoaded((had) => ({ ...had, [name]: module[exported] })),
      () => setError({ code: "NETWORK", message: "" }));
  }, [name]);
  const Component = loaded[name];
  if (error) return html`<${Errors} errors=${[error]} />`;
  if (!Component) return html`<p aria-live="polite">${t("common.loading")}</p>`;
  return html`<${Component} ...${props} />`;
}

function App({ startLanguage }) {
  const [language, setLanguage] = useState(startLanguage);
  const [session, setSession] = useState(savedSession);
  const [me, setMe] = useState(null);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const route = useRoute();

  useEffect(() => whenSignedOut(() => {
    setSession(null);
    setMe(null);
    setNotice("signin.sessionEnded");
  }), []);

  useEffect(() => {
    if (!session) return;
    whoAmI().then(setMe, (e) => setError(errorOf(e)));
  }, [session]);

  async function switchLanguage(next) {
    setLanguage(await loadLanguage(next, true));
  }

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
    setNotice("signin.signedOut");
  }

  const languageSwitch = html`<${LanguageSwitch} key=${language} onChange=${switchLanguage} />`;
  if (!session) {
    return html`<${SignIn} onSignedIn=${signedIn} notice=${notice && t(notice)}
      languageSwitch=${languageSwitch} />`;
  }
  if (!me) return html`<main class="centered"><${Errors} errors=${error && [error]} />
    <p aria-live="polite">${t("common.loading")}</p></main>`;

  const [first = "users", ...rest] = route;
  const screen = first in SCREENS ? first : "users";
  const nav = [["users", "#/users", t("nav.users")],
               ["system", "#/system", t("nav.system")],
               ["changelog", "#/changelog", t("nav.changelog")],
               ["jobs", "#/jobs", t("nav.jobs")]];
  return html`
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault();
      document.getElementById("main").focus(); }}>${t("nav.skip")}</a>
    <header class="top">
      <span class="brand">Connect Admin</span>
      <nav aria-label=${t("nav.label")}>
        <ul>
          ${nav.map(([key, href, label]) => html`<li>
            <a href=${href} aria-current=${screen === key ? "page" : undefined}>${label}</a>
          </li>`)}
        </ul>
      </nav>
      <span class="who">
        ${t(me.system ? "who.system" : "who.sub", { login: me.login })}
      </span>
      ${languageSwitch}
      <button type="button" onClick=${signOut}>${t("signout.button")}</button>
    </header>
    <main id="main" tabindex="-1" key=${language}>
      <${Screen} name=${screen} route=${rest} me=${me} />
    </main>
  `;
}

const root = document.getElementById("app");
loadLanguage(preferredLanguage()).then((language) => {
  root.replaceChildren(); // the "Loading…" line: Preact renders beside what it finds
  render(html`<${App} startLanguage=${language} />`, root);
});
