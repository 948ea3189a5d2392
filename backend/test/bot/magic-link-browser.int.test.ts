// The whole path a person takes: /api_create in Telegram, the link from the
// bot's message opened in a real headless Chromium, the key created there,
// and used against the API. The key never passes through Telegram.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/browser.js";
import { call } from "../helpers/berth.js";
import { say, startBotBerth, telegramUser, type BotBerth } from "./harness.js";

let b: BotBerth;
let browser: Browser;

beforeAll(async () => {
  b = await startBotBerth();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await b.close();
});

describe("a key from the bot's magic link", () => {
  it("works in the browser flow, and the key works against the API", async () => {
    const user = telegramUser("Linus", { last_name: "T" });
    await say(b, user, "/start");
    const reply = await say(b, user, "/api_create agent");
    const url = /http:\/\/127\.0\.0\.1:\d+\/auth\/verify\?token=[\w-]+/.exec(reply.text)![0];

    const page = await browser.newPage();
    const opened = await page.goto(url);
    expect(opened?.status()).toBe(200);
    await expect(page.locator("h1").textContent()).resolves.toBe("Create your API key");
    expect(await page.textContent("main")).toContain("Linus T");
    await Promise.all([page.waitForNavigation(), page.click("#create")]);
    const key = await page.inputValue("#key");
    expect(key).toMatch(/^berth_/);

    const me = await call(`${b.url}/auth/whoami`, { key });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { name: "Linus T" }, key: { name: "agent" } });

    // The key is in neither the chat nor the logs; the token is not logged.
    const list = await say(b, user, "/api_list");
    expect(list.text).toContain("agent");
    for (const c of b.telegram.calls) expect(JSON.stringify(c.params)).not.toContain(key);
    expect(b.logs.text).not.toContain(key);
    expect(b.logs.text).not.toContain(url.split("token=")[1]);
    await page.close();
  });
});
