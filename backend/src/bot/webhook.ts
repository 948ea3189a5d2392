// Webhook mode: Telegram POSTs updates to the path of TELEGRAM_WEBHOOK_URL,
// with the secret given to setWebhook in X-Telegram-Bot-Api-Secret-Token.
// The secret is checked before anything else happens (grammY would first
// call getMe), in constant time.
import { createHash, timingSafeEqual } from "node:crypto";
import { Router, type RequestHandler } from "express";
import { webhookCallback, type Bot } from "grammy";
import { AppError } from "../core/errors.js";
import type { BotContext } from "./context.js";

const digest = (text: string) => createHash("sha256").update(text).digest();

function requireSecret(secret: string): RequestHandler {
  const expected = digest(secret);
  return (req, _res, next) => {
    const presented = req.get("x-telegram-bot-api-secret-token");
    if (presented && timingSafeEqual(digest(presented), expected)) {
      next();
      return;
    }
    next(new AppError("UNAUTHORIZED", "wrong or missing X-Telegram-Bot-Api-Secret-Token"));
  };
}

export function webhookRoutes(
  bot: Bot<BotContext>,
  options: { url: string; secret: string },
): Router {
  const router = Router();
  const handle = webhookCallback(bot, "express", {
    secretToken: options.secret,
    // A slow update is finished after answering: a timeout answer would make
    // Telegram send the same update again (a second magic link, say).
    onTimeout: "return",
    timeoutMilliseconds: 10_000,
  });
  router.post(new URL(options.url).pathname, requireSecret(options.secret), handle);
  return router;
}
