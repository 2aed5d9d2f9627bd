// Sign in as a system administrator or a sub-administrator; with a temporary password
// (one another administrator chose), choose an own one before going on.
import { useState } from "preact/hooks";
import { gql } from "./api.js";
import { CHANGE_MY_PASSWORD, SIGN_IN } from "./queries.js";
import { t } from "./i18n.js";
import { errorOf, Errors, html } from "./ui.js";

export function SignIn({ onSignedIn, notice, languageSwitch }) {
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState(null);
  const [busy, setBusy] = useState(false);
  // The token of a sign-in whose temporary password must be changed first.
  const [pending, setPending] = useState(null);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setErrors(null);
    try {
      const { adminSignIn } = await gql(SIGN_IN, { login, password });
      if (!adminSignIn.token) setErrors(adminSignIn.errors);
      else if (adminSignIn.passwordChangeRequired) setPending(adminSignIn.token);
      else onSignedIn({ token: adminSignIn.token, login });
    } catch (e) {
      setErrors([errorOf(e)]);
    } finally {
      setBusy(false);
    }
  }

  if (pending) {
    return html`<${NewPassword} token=${pending} current=${password}
      languageSwitch=${languageSwitch} onChanged=${() => onSignedIn({ token: pending, login })} />`;
  }
  return html`<main class="centered">
    <form class="card signin" onSubmit=${submit}>
      <h1>Connect Admin</h1>
      ${languageSwitch}
      <p>${t("signin.intro")}</p>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      <label for="login">${t("signin.login")}</label>
      <input id="login" name="login" autocomplete="username" required
        value=${login} onInput=${(e) => setLogin(e.currentTarget.value)} />
      <label for="password">${t("signin.password")}</label>
      <input id="password" name="password" type="password" autocomplete="current-password"
        required value=${password} onInput=${(e) => setPassword(e.currentTarget.value)} />
      <${Errors} errors=${errors} />
      <button type="submit" class="primary" disabled=${busy}>${t("signin.button")}</button>
    </form>
  </main>`;
}

function NewPassword({ token, current, languageSwitch, onChanged }) {
  const [chosen, setChosen] = useState("");
  const [repeated, setRepeated] = useState("");
  const [errors, setErrors] = useState(null);
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setErrors(null);
    setMismatch(chosen !== repeated);
    if (chosen !== repeated) return;
    setBusy(true);
    try {
      const { changeMyPassword } = await gql(
        CHANGE_MY_PASSWORD, { current, new: chosen }, { token });
      if (changeMyPassword.ok) onChanged();
      else setErrors(changeMyPassword.errors);
    } catch (e) {
      setErrors([errorOf(e)]);
    } finally {
      setBusy(false);
    }
  }

  return html`<main class="centered">
    <form class="card signin" onSubmit=${submit}>
      <h1>${t("signin.newPasswordTitle")}</h1>
      ${languageSwitch}
      <p>${t("signin.newPasswordIntro")}</p>
      <label for="new-password">${t("signin.newPassword")}</label>
      <input id="new-password" name="new-password" type="password" autocomplete="new-password"
        required value=${chosen} onInput=${(e) => setChosen(e.currentTarget.value)} />
      <label for="repeated-password">${t("signin.repeatPassword")}</label>
      <input id="repeated-password" name="repeated-password" type="password"
        autocomplete="new-password" required value=${repeated}
        onInput=${(e) => setRepeated(e.currentTarget.value)} />
      ${mismatch && html`<p role="alert" class="errors">${t("signin.passwordsDiffer")}</p>`}
      <${Errors} errors=${errors} />
      <button type="submit" class="primary" disabled=${busy}>${t("signin.changePassword")}</button>
    </form>
  </main>`;
}
