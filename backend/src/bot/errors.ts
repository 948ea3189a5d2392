// The bot's one mapping from Berth's errors to replies. Core messages are
// written for people, so most codes show them as they are (escaped).
import { GrammyError, HttpError } from "grammy";
import { z } from "zod";
import { AppError, type ErrorCode } from "../core/errors.js";
import { escapeHtml } from "./format.js";

const SORRY = "Something went wrong on Berth's side. It has been logged; please try again later.";

const REPLY_BY_CODE: Record<ErrorCode, (message: string) => string> = {
  INVALID_INPUT: (m) => `That did not work: ${m}.`,
  UNAUTHORIZED: () => "I don't know you yet: send /start to create your Berth account.",
  FORBIDDEN: (m) => `Not allowed: ${m}.`,
  NOT_FOUND: (m) => `${capitalise(m)}.`,
  CONFLICT: (m) => `${capitalise(m)}.`,
  GONE: (m) => `${capitalise(m)}.`,
  QUOTA_EXCEEDED: (m) => `${capitalise(m)}.`,
  RATE_LIMITED: (m) => `Slow down: ${m}.`,
  UNAVAILABLE: (m) => `Berth cannot do that right now (${m}). Try again in a minute.`,
  NOT_IMPLEMENTED: (m) => `Not available yet: ${m}.`,
  INTERNAL: () => SORRY,
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Telegram's answer to a double press: the edit it asked for is already there. */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && /message is not modified/.test(error.description);
}

/** The reply (HTML) for an error, and whether it is Berth's fault (log it). */
export function replyForError(error: unknown): { html: string; unexpected: boolean } {
  if (AppError.is(error, "FORBIDDEN") && error.details.reason === "not_allowlisted") {
    return { html: escapeHtml(notAllowed(Number(error.details.telegramId))), unexpected: false };
  }
  if (error instanceof AppError) {
    const text = REPLY_BY_CODE[error.code](error.message.replace(/\.$/, ""));
    return { html: escapeHtml(text), unexpected: error.code === "INTERNAL" };
  }
  if (error instanceof z.ZodError) {
    const message = error.issues[0]?.message ?? "invalid input";
    return { html: escapeHtml(REPLY_BY_CODE.INVALID_INPUT(message)), unexpected: false };
  }
  return { html: escapeHtml(SORRY), unexpected: true };
}

/** A refusal for people outside the allowlist: polite, and no account made.
 * It tells them their id, which is what the operator needs to add them. */
export function notAllowed(telegramId: number): string {
  return (
    "Sorry, this Berth is private: its operator has not added your Telegram account. " +
    `If you think you should have access, ask them to add your Telegram user id, ${telegramId}.`
  );
}

/**
 * What of an error may be logged. grammY's errors carry the request payload
 * (a magic link, for one) and the underlying fetch error, whose message can
 * hold the request URL, bot token included: log neither.
 */
export function loggable(error: unknown): unknown {
  if (error instanceof GrammyError) {
    return { name: error.name, message: error.message, method: error.method };
  }
  if (error instanceof HttpError) return { name: error.name, message: error.message };
  return error;
}
