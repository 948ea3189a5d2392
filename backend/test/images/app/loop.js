// Load probe for rolling-update tests: requests URL every INTERVAL ms for
// DURATION ms; a request counts as failed only when three tries (each with a
// fresh DNS lookup) all fail. Prints a JSON summary.
// Usage: node loop.js URL DURATION_MS [INTERVAL_MS]
"use strict";
const http = require("node:http");
const [url, duration = "20000", interval = "100"] = process.argv.slice(2);
const summary = { ok: 0, failed: 0, versions: {} };

function once() {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000, agent: false }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => {
        try {
          resolve(res.statusCode === 200 ? JSON.parse(body).version : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(null));
  });
}

async function attempt() {
  for (let i = 0; i < 3; i++) {
    const version = await once();
    if (version) return version;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

(async () => {
  const end = Date.now() + Number(duration);
  while (Date.now() < end) {
    const version = await attempt();
    if (version) {
      summary.ok++;
      summary.versions[version] = (summary.versions[version] || 0) + 1;
    } else summary.failed++;
    await new Promise((r) => setTimeout(r, Number(interval)));
  }
  console.log(JSON.stringify(summary));
})();
