/// <reference lib="webworker" />
import { createEngine } from "#engine-registry";
import { startEngineHost } from "./engine-host";

declare const self: DedicatedWorkerGlobalScope;

startEngineHost(self, createEngine, self.navigator.gpu);
