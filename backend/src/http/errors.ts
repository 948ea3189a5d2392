// The REST door's one mapping from Berth's errors to HTTP answers.
// Every error body is { error: { code, message, details? } }.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { z } from "zod";
import { AppError, type ErrorCode } from "../core/errors.js";
import type { Logger } from "../log.js";

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  QUOTA_EXCEEDED: 403,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  NOT_IMPLEMENTED: 501,
  INTERNAL: 500,
};

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    const field = issue?.path.join(".") || undefined;
    const message = issue ? `${field ? `${field}: ` : ""}${issue.message}` : "invalid input";
    return new AppError("INVALID_INPUT", message, { field, issues: error.issues.length });
  }
  // body-parser marks its own failures (bad JSON, too large) with a status.
  const status = (error as { status?: number; type?: string })?.status;
  if (status === 400) return new AppError("INVALID_INPUT", "the request body is not valid JSON");
  if (status === 413) return new AppError("INVALID_INPUT", "the request body is too large");
  return new AppError("INTERNAL", "internal error");
}

export function errorBody(error: AppError) {
  const details = Object.keys(error.details).length > 0 ? error.details : undefined;
  return { error: { code: error.code, message: error.message, details } };
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const appError = toAppError(error);
    const status = STATUS_BY_CODE[appError.code];
    if (status >= 500) log.error({ err: error, path: req.path }, "request failed");
    if (res.headersSent) return;
    const retry = appError.details.retryAfterSeconds;
    if (status === 429 && typeof retry === "number") res.set("Retry-After", String(retry));
    res.status(status).json(errorBody(appError));
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError("NOT_FOUND", `no route for ${req.method} ${req.path}`));
};
