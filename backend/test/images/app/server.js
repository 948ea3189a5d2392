// The test bed's app image: one small program whose behaviour the tests pick
// through environment variables, so one imported image covers every case.
//   MODE=serve (default)  HTTP on PORT: "/" answers JSON, "/health" 200 or 503
//   MODE=crash            print a few lines, exit with EXIT_CODE after CRASH_AFTER_MS
//   MODE=noisy            print NOISY_LINES lines at start, then serve
//   HEALTHY=false         "/health" answers 503
//   ECHO_ENV=NAME         print NAME's value at start (log redaction tests)
"use strict";
const http = require("node:http");
const os = require("node:os");

const env = process.env;
const mode = env.MODE || "serve";
const port = Number(env.PORT || 8080);
const version = env.APP_VERSION || "unknown";

if (env.ECHO_ENV) console.log(`env ${env.ECHO_ENV}=${env[env.ECHO_ENV]}`);

if (mode === "crash") {
  console.log("starting, about to fail");
  console.error("fatal: the test app was told to crash");
  setTimeout(() => process.exit(Number(env.EXIT_CODE || 3)), Number(env.CRASH_AFTER_MS || 200));
} else {
  if (mode === "noisy") {
    const n = Number(env.NOISY_LINES || 5000);
    for (let i = 0; i < n; i++) console.log(`noise line ${i} ${"x".repeat(60)}`);
  }
  const server = http.createServer((req, res) => {
    if (req.url === "/health") {
      const ok = env.HEALTHY !== "false";
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" });
      res.end(ok ? "ok" : "unhealthy");
      return;
    }
    console.log(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ app: "berth-test", version, hostname: os.hostname() }));
  });
  server.listen(port, "0.0.0.0", () => console.log(`listening on ${port} version ${version}`));
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
