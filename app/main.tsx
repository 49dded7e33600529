import "./csp";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { EngineClient } from "./engine/client";
import { olderTabsStore } from "./features/conversations/older-tabs";
import { registerPwa } from "./features/pwa/register";
import { App } from "./shell/App";
import { AppStoreContext } from "./store/use-app";
import { createAppStore } from "./shell/store";
import { openCrossTabSync } from "./storage/cross-tab";
import { idbConversationRepository } from "./storage/idb-conversations";
import "./index.css";

const engine = new EngineClient(
  () =>
    new Worker(new URL("../workers/llm.worker.ts", import.meta.url), {
      type: "module",
      name: "llm",
    }),
);

const catalogUrl = new URL(`${import.meta.env.BASE_URL}models/catalog.json`, location.href);
registerPwa({
  swUrl: `${import.meta.env.BASE_URL}sw.js`,
  scope: import.meta.env.BASE_URL,
  catalogUrl,
  // The dev server builds no service worker.
  enabled: !import.meta.env.DEV,
});

// Tabs tell each other which conversation they saved or deleted; the others re-read it.
const crossTab = openCrossTabSync((message) => void store.getState().syncFromStorage(message.id));

const store = createAppStore({
  engine,
  repository: idbConversationRepository({
    onChanged: (id) => crossTab.announce({ type: "changed", id }),
    waitingForOlderTabs: (waiting) => olderTabsStore.setState({ waiting }),
  }),
  catalogUrl,
  gpu: navigator.gpu,
  saveIntervalMs: 500,
});

engine.onCrash((error) =>
  store.getState().markModelLost({ code: error.code, message: error.message }),
);
// A closing tab gets one last chance to write a streaming reply; whatever misses it is
// marked as interrupted on the next start.
addEventListener("pagehide", () => void store.getState().flushSaves());

void store.getState().hydrate();
void store.getState().initModels();

const root = document.getElementById("root");
if (!root) throw new Error("index.html lacks #root");
createRoot(root).render(
  <StrictMode>
    <AppStoreContext.Provider value={store}>
      <App />
    </AppStoreContext.Provider>
  </StrictMode>,
);
