import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".wasm": "application/wasm",
  ".json": "application/json; charset=utf-8",
  ".bin": "application/octet-stream",
  ".model": "application/octet-stream",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Headers the app needs from a model host on another origin: CORS for fetch, CORP so a
 * cross-origin-isolated page may still load the files, and application/wasm so the library
 * can be compiled while it streams.
 */
export const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
  "Access-Control-Allow-Headers": "Range, Content-Type, Cache-Control",
  "Access-Control-Expose-Headers": "Content-Length, Content-Range, ETag",
  "Cross-Origin-Resource-Policy": "cross-origin",
} as const;

export function createModelServer(root: string): Server {
  const base = resolve(root);
  return createServer((req, res) => {
    for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
    if (req.method === "OPTIONS") {
      res.writeHead(204).end();
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD, OPTIONS" }).end();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const file = normalize(join(base, pathname));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    const size = statSync(file).size;
    res.writeHead(200, {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Content-Length": String(size),
      // Rebuilt files keep their names; the browser must revalidate instead of guessing.
      "Cache-Control": "no-cache",
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  });
}

/** Loopback only: the output folder is for this machine's browser, not the network. */
export function serveFolder(root: string, port: number): Promise<Server> {
  const server = createModelServer(root);
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolvePromise(server));
  });
}
