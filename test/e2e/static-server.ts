import { createServer, type Server } from "node:http";
import sirv from "sirv";

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a built app on 127.0.0.1 the way a plain static host would, with optional overlay
 * folders in front (test catalogs and model fixtures). Requests for files that exist nowhere
 * get a real 404; only page navigations (no file extension) fall back to index.html.
 */
export async function serveStatic(
  root: string,
  overlays: string[] = [],
  port = 0,
): Promise<StaticSite> {
  const options = { dev: true, etag: true, dotfiles: false } as const;
  const layers = [...overlays, root].map((dir) => sirv(dir, options));
  const spa = sirv(root, { ...options, single: true });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const looksLikeFile = /\.[a-z0-9]+$/i.test(path);
    let index = 0;
    const next = () => {
      const layer = layers[index++];
      if (layer) {
        layer(req, res, next);
        return;
      }
      if (!looksLikeFile) {
        spa(req, res, () => undefined);
        return;
      }
      res.statusCode = 404;
      res.setHeader("content-type", "text/plain");
      res.end("Not found");
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
