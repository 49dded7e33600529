import { serveStatic } from "./static-server";

// Playwright's webServer entry: `tsx test/e2e/serve.ts <root> <port> [overlay...]`.
const [root = "dist-test", port = "4180", ...overlays] = process.argv.slice(2);
const site = await serveStatic(root, overlays, Number(port));
console.log(`serving ${root} at ${site.url}`);
