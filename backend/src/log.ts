// Structured JSON logs (pino). Secrets must never reach a log line: the
// redaction list is a safety net, not a licence to log request bodies.
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

export const REDACTED_PATHS = [
  'req.headers["x-api-key"]',
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-telegram-bot-api-secret-token"]',
  "*.apiKey",
  "*.key",
  "*.token",
  "*.secret",
  "*.password",
  "*.envVars",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "berth" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
