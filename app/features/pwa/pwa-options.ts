import type { VitePWAOptions } from "vite-plugin-pwa";

/**
 * Build-time options for vite-plugin-pwa (read by vite.config.ts, not shipped to the browser).
 *
 * Invariants:
 * - The precache holds the whole app shell, including the LLM worker and web-llm's chunk, so a
 *   cached model can load with the network unplugged.
 * - Model files are never stored by the service worker: web-llm keeps them in IndexedDB, and a
 *   second copy would double gigabytes of storage. Nothing under models/ is precached, and the
 *   navigation fallback never answers for models/ or any path with a file extension, so a
 *   missing model file stays a 404 instead of becoming index.html.
 * - models/catalog.json is network-first with a cached fallback: a new catalog shows up at
 *   once when online, and the last one seen still works offline.
 * - A new version waits until the page asks for it (see register.ts), so an update never cuts
 *   off a reply that is being written.
 */
export const CATALOG_CACHE = "cutegpt-catalog";

export const pwaOptions: Partial<VitePWAOptions> = {
  registerType: "prompt",
  // The app registers the service worker itself (app/features/pwa/register.ts).
  injectRegister: false,
  // globPatterns below already precache every icon; listing them again would duplicate entries.
  includeManifestIcons: false,
  manifest: {
    id: "./",
    name: "CuteGPT Web · 浏览器里的 CuteGPT",
    short_name: "CuteGPT",
    description:
      "CuteGPT, a Chinese–English chat model, running entirely in your browser on WebGPU; works offline once a model is downloaded. CuteGPT 中英双语对话模型，完全在浏览器中通过 WebGPU 运行；模型下载后可离线使用。",
    lang: "en",
    dir: "ltr",
    categories: ["productivity", "utilities"],
    theme_color: "#7c3aed",
    background_color: "#ffffff",
    display: "standalone",
    start_url: "./",
    scope: "./",
    icons: [
      { src: "icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "icons/maskable-192.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
      { src: "icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  },
  workbox: {
    globPatterns: ["**/*.{js,css,html,svg,png,wasm,woff2}"],
    globIgnores: ["models/**", ".vite/**"],
    // web-llm's chunk is about 6 MB; leave room for growth.
    maximumFileSizeToCacheInBytes: 12 * 1024 * 1024,
    cleanupOutdatedCaches: true,
    // The first install takes over the open page at once so it works offline without a
    // reload; later versions wait for the page's go-ahead (skipWaiting stays off).
    clientsClaim: true,
    skipWaiting: false,
    navigateFallback: "index.html",
    navigateFallbackDenylist: [/\/models\//, /\/[^/?]+\.[^/?]+(\?.*)?$/],
    runtimeCaching: [
      {
        urlPattern: /\/models\/catalog\.json(\?.*)?$/,
        handler: "NetworkFirst",
        options: {
          cacheName: CATALOG_CACHE,
          networkTimeoutSeconds: 5,
          cacheableResponse: { statuses: [200] },
        },
      },
    ],
  },
};
