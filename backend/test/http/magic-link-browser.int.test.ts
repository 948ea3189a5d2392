// The magic-link flow in a real headless Chromium (TESTBED.md): open the
// link (nothing consumed), click, read the key, use it, reload: already used.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/browser.js";
import { createMagicLink } from "../../src/core/auth/magic-links.js";
import { call, startTestBerth, type TestBerth } from "../helpers/berth.js";

let t: TestBerth;
let browser: Browser;

beforeAll(async () => {
  t = await startTestBerth();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t.close();
});

describe("magic link in a browser", () => {
  it("opens, creates the key on click, shows it once, then says already used", async () => {
    const user = await t.ctx.db.user.create({ data: { name: "Linus" } });
    const link = await createMagicLink(t.ctx, { userId: user.id, keyName: "browser" });
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(e.message));

    const opened = await page.goto(link.url);
    expect(opened?.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Create your API key");
    expect(await page.textContent("main")).toContain("Linus");
    const unused = await t.ctx.db.magicLink.findFirstOrThrow({ where: { userId: user.id } });
    expect(unused.usedAt).toBeNull();

    await Promise.all([page.waitForNavigation(), page.click("#create")]);
    await expect(page.locator("h1").textContent()).resolves.toBe("Your API key");
    const key = await page.inputValue("#key");
    expect(key).toMatch(/^berth_/);
    expect(await page.isVisible("#copy")).toBe(true); // the script ran under the CSP
    expect(await page.textContent("#curl")).toContain(`X-API-Key: ${key}`);

    const me = await call(`${t.url}/auth/whoami`, { key });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { name: "Linus" }, key: { name: "browser" } });

    const reloaded = await page.reload();
    expect(reloaded?.status()).toBe(410);
    expect(await page.textContent("main")).toContain("already been used");
    const again = await page.goto(link.url);
    expect(again?.status()).toBe(410);
    // No script error and no CSP violation (the 410 and the favicon 404 log too).
    expect(problems.filter((p) => !p.startsWith("Failed to load resource"))).toEqual([]);
    expect(t.logs.text).not.toContain(key);
  });
});
