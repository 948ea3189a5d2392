import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../../src/http/pages/html.js";
import { confirmPage, keyPage, problemPage } from "../../../src/http/pages/magic-link.js";

const hostile = `<script>alert("x")</script>&'`;

describe("magic-link pages", () => {
  it("escapes every value", () => {
    expect(escapeHtml(hostile)).toBe("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
    const pages = [
      confirmPage({ userName: hostile, keyName: hostile, expiresAt: new Date(0), token: hostile }),
      keyPage({ key: hostile, keyName: hostile, expiresAt: new Date(0), apiBase: "http://b" }),
      problemPage(hostile, hostile),
    ];
    for (const page of pages) expect(page).not.toContain("<script>alert");
  });

  it("confirm page posts the token with a button and no script", () => {
    const page = confirmPage({
      userName: "Ada",
      keyName: "laptop",
      expiresAt: new Date("2030-01-02T03:04:05Z"),
      token: "tok",
    });
    expect(page).toContain('<form method="post" action="/auth/verify">');
    expect(page).toContain('<input type="hidden" name="token" value="tok">');
    expect(page).toContain("2030-01-02 03:04 UTC");
    expect(page).not.toContain("<script");
  });

  it("key page shows the key once with a curl example", () => {
    const page = keyPage({
      key: "berth_k",
      keyName: "laptop",
      expiresAt: null,
      apiBase: "https://b.example",
    });
    expect(page).toContain('value="berth_k"');
    expect(page).toContain("curl -H &quot;X-API-Key: berth_k&quot; https://b.example/auth/whoami");
    expect(page).toContain('<script src="/auth/assets/copy.js"></script>');
  });
});
