import type { WorkerReply, WorkerRequest } from "../../../app/protocol/worker-protocol";
import type { Engine } from "../../../workers/engine";
import { startEngineHost } from "../../../workers/engine-host";

/**
 * A worker stand-in that runs the real engine host in-process: messages cross through
 * structuredClone, as they would between threads. `freeze()` makes it go silent the way a
 * closed or hung worker does.
 */
export class InProcessWorker {
  private toHost: ((e: MessageEvent<WorkerRequest>) => void)[] = [];
  private toClient: ((e: MessageEvent<WorkerReply>) => void)[] = [];
  frozen = false;
  terminated = false;

  constructor(engine: Engine, gpu: GPU | "none" = fakeGpu([])) {
    startEngineHost(
      {
        postMessage: (reply) => {
          if (this.frozen || this.terminated) return;
          const data = structuredClone(reply);
          queueMicrotask(() =>
            this.toClient.forEach((l) => l({ data } as MessageEvent<WorkerReply>)),
          );
        },
        addEventListener: (_type, listener) => this.toHost.push(listener),
      },
      async () => engine,
      gpu === "none" ? undefined : gpu,
    );
  }

  postMessage(request: WorkerRequest) {
    if (this.frozen || this.terminated) return;
    const data = structuredClone(request);
    queueMicrotask(() => this.toHost.forEach((l) => l({ data } as MessageEvent<WorkerRequest>)));
  }

  addEventListener(type: string, listener: (e: MessageEvent<WorkerReply>) => void) {
    if (type === "message") this.toClient.push(listener);
  }

  terminate() {
    this.terminated = true;
  }

  freeze() {
    this.frozen = true;
  }
}

export function fakeGpu(features: string[]): GPU {
  return {
    requestAdapter: async () => ({ features: new Set(features) }) as unknown as GPUAdapter,
  } as unknown as GPU;
}
