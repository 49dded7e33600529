import { mkdirSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { serveFolder } from "../../../model-build/serve";
import { tempDir } from "./helpers";

let tmp: ReturnType<typeof tempDir>;
let close: () => Promise<void>;
let base: string;

beforeEach(async () => {
  tmp = tempDir();
  mkdirSync(join(tmp.dir, "out", "libs"), { recursive: true });
  mkdirSync(join(tmp.dir, "out", "M-MLC", "resolve", "main"), { recursive: true });
  writeFileSync(join(tmp.dir, "out", "libs", "m.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d]));
  writeFileSync(join(tmp.dir, "out", "M-MLC", "resolve", "main", "mlc-chat-config.json"), "{}");
  writeFileSync(join(tmp.dir, "secret.txt"), "outside");
  const server = await serveFolder(join(tmp.dir, "out"), 0);
  const { address, port } = server.address() as AddressInfo;
  expect(address).toBe("127.0.0.1");
  base = `http://127.0.0.1:${port}`;
  close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
});
afterEach(async () => {
  await close();
  tmp.cleanup();
});

describe("serving the output folder", () => {
  it("serves the wasm as application/wasm with CORS headers", async () => {
    const res = await fetch(`${base}/libs/m.wasm`, {
      headers: { Origin: "http://127.0.0.1:5173" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/wasm");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([0, 0x61, 0x73, 0x6d]));
  });

  it("serves the web-llm folder layout and answers preflight requests", async () => {
    const res = await fetch(`${base}/M-MLC/resolve/main/mlc-chat-config.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const options = await fetch(`${base}/libs/m.wasm`, { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("access-control-allow-methods")).toContain("GET");
  });

  it("answers 404 for missing files and never leaves the folder", async () => {
    expect((await fetch(`${base}/nope.json`)).status).toBe(404);
    const escaped = await fetch(`${base}/..%2Fsecret.txt`);
    expect([403, 404]).toContain(escaped.status);
    expect(await escaped.text()).not.toContain("outside");
  });
});
