// Sign in as a system administrator or a sub-administrator.
import { useState } from "preact/hooks";
import { gql } from "./api.js";
import { SIGN_IN } from "./queries.js";
import { Errors, html } from "./ui.js";

export function SignIn({ onSignedIn, notice }) {
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setErrors(null);
    try {
      const { adminSignIn } = await gql(SIGN_IN, { login, password });
      if (adminSignIn.token) onSignedIn({ token: adminSignIn.token, login });
      else setErrors(adminSignIn.errors);
    } catch (e) {
      setErrors([{ code: e.code, message: e.message }]);
    } finally {
      setBusy(false);
    }
  }

  return html`<main class="centered">
    <form class="card signin" onSubmit=${submit}>
      <h1>Connect Admin</h1>
      <p>Web Administration: sign in as an administrator.</p>
      ${notice && html`<p class="notice" role="status">${notice}</p>`}
      <label for="login">Login</label>
      <input id="login" name="login" autocomplete="username" required
        value=${login} onInput=${(e) => setLogin(e.currentTarget.value)} />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password"
        required value=${password} onInput=${(e) => setPassword(e.currentTarget.value)} />
      <${Errors} errors=${errors} />
      <button type="submit" class="primary" disabled=${busy}>Sign in</button>
    </form>
  </main>`;
}
