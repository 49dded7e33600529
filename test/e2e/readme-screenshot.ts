import { readFileSync } from "node:fs";
import { chromium } from "@playwright/test";
import { chromiumLaunchOptions } from "./chromium";
import { serveStatic } from "./static-server";

/**
 * Makes docs/screenshot-zh.png for the README: the test build (`vite build --mode test`) in
 * headless Chromium, light theme, Chinese UI, a few of the CuteGPT README's own examples as
 * saved chats and CuteGPT loaded on the test engine. `npm run screenshot` runs it.
 */
interface SeedConversation {
  id: string;
  conversation: { title: string; messages: { role: "user" | "assistant"; content: string }[] };
}

const seeds = (
  JSON.parse(readFileSync("test/fixtures/seed-conversations.json", "utf8")) as {
    conversations: SeedConversation[];
  }
).conversations;
const shown = [
  "ship-extraction",
  "person-extraction",
  "company-extraction",
  "book-recommendations",
];
const records = shown.map((id, i) => {
  const seed = seeds.find((s) => s.id === id)!;
  const t = Date.UTC(2026, 0, 5, 9, 0) + i * 3_600_000;
  return {
    id,
    title: seed.conversation.title,
    createdAt: t,
    updatedAt: t + 60_000,
    modelId: "CuteGPT-13B-ift-q4f32_1-MLC",
    messages: seed.conversation.messages.map((m, j) => ({
      id: `${id}-${j}`,
      role: m.role,
      content: m.content,
      createdAt: t + j * 1000,
      status: "done",
    })),
  };
});

const shipped = JSON.parse(readFileSync("public/models/catalog.json", "utf8")) as {
  models: { id: string; family: string }[];
};
const testCatalog = JSON.parse(readFileSync("test/fixtures/site/models/catalog.json", "utf8")) as {
  models: { id: string }[];
};
// CuteGPT as a deploy that published it would list it, running on the test engine.
const cuteGpt = ["q4f16_1", "q4f32_1"].map((q) => ({
  ...testCatalog.models.find((m) => m.id === `cutegpt-test-ift-${q}`)!,
  id: `CuteGPT-13B-ift-${q}-MLC`,
  name: `CuteGPT 13B · instruction-tuned · ${q}`,
}));
const catalog = {
  version: 1,
  modelBaseUrl: "./",
  models: [...cuteGpt, ...shipped.models.filter((m) => m.family !== "cutegpt")],
};

const site = await serveStatic("dist-test", ["test/fixtures/site"]);
const browser = await chromium.launch(chromiumLaunchOptions());
try {
  const context = await browser.newContext({
    locale: "zh-CN",
    colorScheme: "light",
    viewport: { width: 1180, height: 700 },
    serviceWorkers: "block",
  });
  const page = await context.newPage();
  await page.route("**/models/catalog.json", (route) => route.fulfill({ json: catalog }));
  await page.goto(site.url + "/");
  // The app creates its databases on start; write into them once it is up.
  await page.getByRole("combobox", { name: "模型" }).waitFor();
  await page.evaluate(async (records) => {
    // (No named helpers in here: tsx would wrap them in a __name call the page lacks.)
    let db: IDBDatabase | undefined;
    for (let i = 0; i < 100 && !db?.objectStoreNames.contains("conversations"); i++) {
      db?.close();
      await new Promise((r) => setTimeout(r, i === 0 ? 0 : 100));
      db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open("cutegpt-chats");
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
    }
    if (!db) throw new Error("no database");
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction("conversations", "readwrite");
      for (const r of records) tx.objectStore("conversations").put(r, r.id);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, records);
  await page.reload();
  await page.getByTestId("conversation-list").getByText("推荐名著").click();
  await page.getByRole("button", { name: "加载模型" }).click();
  await page.getByRole("button", { name: "就绪" }).waitFor();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: "docs/screenshot-zh.png" });
  console.log("wrote docs/screenshot-zh.png");
} finally {
  await browser.close();
  await site.close();
}
