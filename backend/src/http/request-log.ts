// One log line per request. Only the path is logged, never the query string
// (magic-link tokens travel there) nor any header that carries a key.
import type { RequestHandler } from "express";
import type { Logger } from "../log.js";

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      log.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
          keyId: res.locals.actor?.key?.keyId,
          ip: req.ip,
        },
        "request",
      );
    });
    next();
  };
}
