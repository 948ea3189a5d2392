// The container's health check (Dockerfile HEALTHCHECK, deploy.sh's wait):
// exit 0 and print /health's JSON when Berth answers 200 on its own port;
// exit 1 otherwise. Node's fetch, so the image needs no curl.
//   node dist/healthcheck.js [timeoutMs]
export {};

const port = Number(process.env.PORT ?? 3000) || 3000;
const timeoutMs = Number(process.argv[2] ?? 4000);

try {
  const response = await fetch(`http://127.0.0.1:${port}/health`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  process.stdout.write(`${await response.text()}\n`);
  process.exitCode = response.status === 200 ? 0 : 1;
} catch (error) {
  process.stderr.write(`health check failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
