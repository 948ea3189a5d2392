// The bot's life inside Berth: off without a token, and stopping Berth
// stops polling (the last offset is confirmed, nothing polls afterwards).
import { describe, expect, it } from "vitest";
import { startTestBerth } from "../helpers/berth.js";
import { FakeTelegram } from "../helpers/fake-telegram.js";
import { waitFor } from "../helpers/wait.js";
import { startBotBerth, telegramUser } from "./harness.js";

describe("bot lifecycle", () => {
  it("is off when TELEGRAM_BOT_TOKEN is not set", async () => {
    const t = await startTestBerth();
    try {
      expect(t.berth.telegram).toBeNull();
      expect((await fetch(`${t.url}/health`)).status).toBeLessThan(600);
    } finally {
      await t.close();
    }
  });

  it("stops polling when Berth stops", async () => {
    const b = await startBotBerth();
    const update = b.telegram.message(telegramUser("Last"), "/help");
    b.telegram.push(update);
    await b.telegram.processed(update.update_id);
    const bot = b.berth.telegram!.bot;
    expect(bot.isRunning()).toBe(true);
    await b.berth.close();
    expect(bot.isRunning()).toBe(false);
    // grammY confirms what it handled with a last, non-waiting getUpdates.
    const last = b.telegram.callsTo("getUpdates").at(-1)!;
    expect(last.params).toMatchObject({ offset: update.update_id + 1, limit: 1 });
    const calls = b.telegram.lastSeq;
    b.telegram.push(b.telegram.message(telegramUser("Late"), "/help"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(b.telegram.lastSeq).toBe(calls);
    await b.database.drop();
    await b.telegram.close();
  });

  it("keeps Berth up when Telegram refuses the token", async () => {
    const telegram = await FakeTelegram.start();
    const t = await startTestBerth({
      TELEGRAM_BOT_TOKEN: "700000001:not-the-right-token",
      TELEGRAM_API_ROOT: telegram.url,
    });
    try {
      await waitFor(() => t.logs.text.includes("Telegram bot stopped"));
      expect(t.logs.text).toContain("401: Unauthorized");
      expect(t.logs.text).not.toContain("not-the-right-token");
      expect((await fetch(`${t.url}/ping`)).status).toBe(200);
    } finally {
      await t.close();
      await telegram.close();
    }
  });
});
