// The magic-link pages: confirm (GET, consumes nothing), the key (after the
// POST, shown once), and the problem page (unknown, used, expired link).
import { escapeHtml, layout } from "./html.js";

const when = (date: Date) => date.toISOString().replace("T", " ").slice(0, 16) + " UTC";

export function confirmPage(info: {
  userName: string;
  keyName: string;
  expiresAt: Date;
  token: string;
}): string {
  return layout(
    "Create your API key",
    `<p>This creates a new Berth API key named <strong>${escapeHtml(info.keyName)}</strong>
for <strong>${escapeHtml(info.userName)}</strong>.</p>
<p>The link works once and expires at <time datetime="${info.expiresAt.toISOString()}">${when(info.expiresAt)}</time>.</p>
<form method="post" action="/auth/verify">
<input type="hidden" name="token" value="${escapeHtml(info.token)}">
<button type="submit" id="create">Create the key</button>
</form>`,
  );
}

export function keyPage(info: {
  key: string;
  keyName: string;
  expiresAt: Date | null;
  apiBase: string;
}): string {
  const curl = `curl -H "X-API-Key: ${info.key}" ${info.apiBase}/auth/whoami`;
  return layout(
    "Your API key",
    `<p>Copy it now: it is shown <strong>only once</strong>. Berth keeps only a hash of it.</p>
<label for="key">Key <strong>${escapeHtml(info.keyName)}</strong>${
      info.expiresAt ? `, valid until ${when(info.expiresAt)}` : ""
    }</label>
<input id="key" readonly value="${escapeHtml(info.key)}">
<button type="button" id="copy" data-copy="key" hidden>Copy</button>
<p>Try it:</p>
<pre id="curl">${escapeHtml(curl)}</pre>
<script src="/auth/assets/copy.js"></script>`,
  );
}

export function problemPage(title: string, message: string): string {
  return layout(title, `<p>${escapeHtml(message)}</p>`);
}
