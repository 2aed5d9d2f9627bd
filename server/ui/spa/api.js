// The one way to the server: GraphQL over HTTP at /graphql, and its websocket
// (graphql-transport-ws) for resetProgress. Nothing else, as a partner's frontend.

const SESSION_KEY = "connect-admin.session";
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export function savedSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY));
  } catch {
    return null;
  }
}

export function keepSession(session) {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

export function whenSignedOut(callback) {
  onSignedOut = callback;
}

function authorization() {
  const session = savedSession();
  return session ? `Bearer ${session.token}` : null;
}

// With { token }: as that session instead of the kept one (a sign-in not finished yet).
export async function gql(query, variables = {}, { token } = {}) {
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json",
  };
  const bearer = token ? `Bearer ${token}` : authorization();
  if (bearer) headers.Authorization = bearer;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("The server cannot be reached.", "NETWORK");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server answered ${response.status}.`, `HTTP_${response.status}`);
  }
  if (body.errors && body.errors.length) {
    const [first] = body.errors;
    const code = (first.extensions && first.extensions.code) || "ERROR";
    if (code === "UNAUTHENTICATED") {
      keepSession(null);
      onSignedOut("Your session has ended. Please sign in again.");
    }
    throw new ApiError(first.message, code);
  }
  return body.data;
}

// One subscription over graphql-transport-ws; onData gets each result's data.
// Answers { ready: Promise (subscribed), done: Promise (completed), close() }.
export function subscribe(query, variables, onData) {
  const url = new URL("/graphql", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url, "graphql-transport-ws");
  let subscribed;
  const ready = new Promise((resolve) => (subscribed = resolve));
  const done = new Promise((resolve, reject) => {
    socket.onopen = () =>
      socket.send(
        JSON.stringify({ type: "connection_init", payload: { Authorization: authorization() } }),
      );
    socket.onmessage = async (event) => {
      const text = typeof event.data === "string" ? event.data : await event.data.text();
      const message = JSON.parse(text);
      if (message.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
        subscribed();
      } else if (message.type === "next") {
        if (message.payload.data) onData(message.payload.data);
      } else if (message.type === "error") {
        reject(new ApiError(message.payload[0].message, "SUBSCRIPTION"));
        socket.close();
      } else if (message.type === "complete") {
        resolve();
        socket.close();
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      }
    };
    socket.onerror = () => reject(new ApiError("The progress stream failed.", "NETWORK"));
    socket.onclose = () => resolve();
  });
  done.catch(() => {});
  done.finally(subscribed);
  return { ready, done, close: () => socket.close() };
}

// The promise, or undefined after `seconds`: the UI never waits on progress for long.
export function atMost(seconds, promise) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(resolve, seconds * 1000))]);
}

export function newOperationId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
