// Message text for Telegram's HTML parse mode. Everything that comes from a
// person (names, key names, error reasons, logs) goes through escapeHtml.

/** Telegram's limit is 4096 characters after entities are parsed; keep room. */
export const MAX_MESSAGE = 4000;

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** "2026-11-23 14:05 UTC": one unambiguous form, whatever the reader's zone. */
export function formatDate(date: Date | null, none = "never"): string {
  if (!date) return none;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The last lines of `text` that fit in `max` characters (whole lines). */
export function lastLines(text: string, max: number): { text: string; trimmed: boolean } {
  if (text.length <= max) return { text, trimmed: false };
  const tail = text.slice(text.length - max);
  const newline = tail.indexOf("\n");
  return { text: newline >= 0 ? tail.slice(newline + 1) : tail, trimmed: true };
}

/** At most `max` characters of one-line text, with an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Options for every reply: HTML, and no link previews (Telegram's servers
 * would fetch each link, magic links included). */
export const HTML = {
  parse_mode: "HTML",
  link_preview_options: { is_disabled: true },
} as const;
