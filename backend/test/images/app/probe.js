// HTTP probe for health checks and tests: exit 0 when URL answers 2xx.
// Usage: node probe.js URL [timeoutMs]
"use strict";
const http = require("node:http");
const url = process.argv[2];
const timeout = Number(process.argv[3] || 3000);
const req = http.get(url, { timeout }, (res) => {
  let body = "";
  res.on("data", (c) => (body += c));
  res.on("end", () => {
    process.stdout.write(body);
    process.exit(res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1);
  });
});
req.on("timeout", () => req.destroy(new Error("timeout")));
req.on("error", (e) => {
  console.error(e.message);
  process.exit(2);
});
