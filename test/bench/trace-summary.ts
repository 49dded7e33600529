/**
 * Summaries of a Chromium trace's main thread (render-trace.ts prints them): CPU (thread
 * time) self time by event name, the top-level tasks by kind, and JavaScript self time by
 * function from the V8 sampling profiler's chunks. CPU time, not wall time, because the
 * bench machine's cores are shared and a task's wall time grows when it waits for one.
 */

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  tid: number;
  pid: number;
  id?: string;
  args?: {
    name?: string;
    data?: {
      functionName?: string;
      cpuProfile?: {
        nodes?: { id: number; parent?: number; callFrame: CallFrame }[];
        samples?: number[];
      };
      timeDeltas?: number[];
      startTime?: number;
    };
  };
}

interface CallFrame {
  functionName: string;
  url?: string;
  lineNumber: number;
  columnNumber: number;
}

interface Span {
  event: TraceEvent;
  start: number;
  end: number;
  cpu: number;
  children: Span[];
}

export interface Summary {
  /** Milliseconds of main-thread CPU in the traced interval (top-level tasks). */
  cpuMs: number;
  /** Self CPU milliseconds by event name, largest first. */
  selfByName: [string, number][];
  /** Top-level tasks by kind: how many and their CPU milliseconds. */
  tasks: { kind: string; count: number; cpuMs: number }[];
  /** Each rendering lifecycle update: when, its CPU by phase, and the layers it repainted. */
  frames: {
    atMs: number;
    cpuMs: number;
    layoutMs: number;
    prePaintMs: number;
    paintMs: number;
    painted: [string, number][];
  }[];
  /** JavaScript self time by function (sampled), largest first. */
  jsSelf: [string, number][];
  /** Main-thread CPU per fixed window of the trace, by kind of task: the windows behind a p95. */
  windows: { atMs: number; cpuMs: number; kinds: [string, number][] }[];
}

/** The render bench's window (render.bench.ts). */
const WINDOW_MS = 250;

function mainThread(events: TraceEvent[]): { pid: number; tid: number } {
  const main = events.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  if (!main) throw new Error("no renderer main thread in the trace");
  return { pid: main.pid, tid: main.tid };
}

/** The complete events of one thread as a forest, nested by time. */
function forest(events: TraceEvent[]): Span[] {
  const spans = events
    .filter((e) => e.ph === "X")
    .map((event) => ({
      event,
      start: event.ts,
      end: event.ts + (event.dur ?? 0),
      cpu: event.tdur ?? event.dur ?? 0,
      children: [] as Span[],
    }))
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const roots: Span[] = [];
  const stack: Span[] = [];
  for (const span of spans) {
    while (stack.length && stack.at(-1)!.end <= span.start) stack.pop();
    const parent = stack.at(-1);
    (parent ? parent.children : roots).push(span);
    stack.push(span);
  }
  return roots;
}

function* walk(span: Span): Generator<Span> {
  yield span;
  for (const child of span.children) yield* walk(child);
}

/** What a top-level task was for, from the events inside it. */
function kindOf(task: Span): string {
  const names = new Set([...walk(task)].map((s) => s.event.name));
  const frame =
    names.has("WebFrameWidgetImpl::UpdateLifecycle") ||
    names.has("WebFrameWidgetImpl::BeginMainFrame");
  if (frame) {
    const parts = ["frame"];
    if (names.has("EventHandler::handleMouseMoveEvent")) parts.push("+hover");
    if (names.has("Paint")) parts.push("+paint");
    return parts.join("");
  }
  if (names.has("HandlePostMessage")) return "message from a worker";
  if (names.has("TimerFire")) {
    const fn = [...walk(task)].find((s) => s.event.name === "FunctionCall")?.event.args?.data;
    return `timer (${fn?.functionName || "?"})`;
  }
  if (names.has("MessagePort::Accept")) return "MessageChannel (React scheduler, nextTask)";
  // The sampling profiler starts (and gathers its first samples) in a long task of its own.
  if (names.has("V8.InvokeApiInterruptCallbacks")) return "the profiler's own start";
  if ([...names].some((n) => n.includes("GC"))) return "garbage collection";
  return `other (${task.children[0]?.event.name ?? task.event.name})`;
}

function jsSelfTime(
  events: TraceEvent[],
  pid: number,
  tid: number,
  skipStartMs: number,
): [string, number][] {
  // The profile arrives in chunks; node ids are shared across the chunks of one profile.
  const frames = new Map<number, CallFrame>();
  const self = new Map<string, number>();
  // Chunks come from the profiler's own thread; the "Profile" event names the thread sampled.
  const profile = events.find((e) => e.name === "Profile" && e.pid === pid && e.tid === tid);
  if (!profile) return [];
  const chunks = events.filter(
    (e) => e.name === "ProfileChunk" && e.pid === pid && e.id === profile.id,
  );
  // The profiler's start is a long task of its own; samples from its first moments are left out.
  let time = profile.args?.data?.startTime ?? 0;
  const from = time + skipStartMs * 1000;
  for (const chunk of chunks) {
    const data = chunk.args?.data;
    for (const node of data?.cpuProfile?.nodes ?? []) frames.set(node.id, node.callFrame);
    const samples = data?.cpuProfile?.samples ?? [];
    const deltas = data?.timeDeltas ?? [];
    samples.forEach((id, i) => {
      time += deltas[i] ?? 0;
      const frame = frames.get(id);
      if (!frame || time < from) return;
      const file = (frame.url ?? "").split("/").pop() ?? "";
      const key = `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
      // A sample's time is the gap to the next one.
      const next = deltas[i + 1] ?? deltas[i] ?? 0;
      self.set(key, (self.get(key) ?? 0) + next / 1000);
    });
  }
  return [...self].sort((a, b) => b[1] - a[1]);
}

export function summarize(events: TraceEvent[]): Summary {
  const { pid, tid } = mainThread(events);
  const roots = forest(events.filter((e) => e.pid === pid && e.tid === tid));
  const selfByName = new Map<string, number>();
  for (const root of roots) {
    for (const span of walk(root)) {
      const own = span.cpu - span.children.reduce((n, c) => n + c.cpu, 0);
      selfByName.set(span.event.name, (selfByName.get(span.event.name) ?? 0) + own / 1000);
    }
  }
  const tasks = new Map<string, { count: number; cpuMs: number }>();
  for (const root of roots) {
    const kind = kindOf(root);
    const entry = tasks.get(kind) ?? { count: 0, cpuMs: 0 };
    entry.count += 1;
    entry.cpuMs += root.cpu / 1000;
    tasks.set(kind, entry);
  }
  const start = Math.min(...roots.map((r) => r.start));
  const frames: Summary["frames"] = [];
  for (const root of roots) {
    for (const span of walk(root)) {
      if (span.event.name !== "WebFrameWidgetImpl::UpdateLifecycle") continue;
      const inside = [...walk(span)];
      const cpuOf = (name: string) =>
        inside.filter((s) => s.event.name === name).reduce((n, s) => n + s.cpu, 0) / 1000;
      frames.push({
        atMs: (span.start - start) / 1000,
        cpuMs: span.cpu / 1000,
        layoutMs: cpuOf("Layout"),
        prePaintMs: cpuOf("PrePaint"),
        paintMs: cpuOf("LocalFrameView::RunPaintLifecyclePhase"),
        painted: inside
          .filter((s) => s.event.name === "Paint" && s.cpu > 50)
          .map((s) => {
            const data = s.event.args?.data as { nodeName?: string; nodeId?: number } | undefined;
            return [`${(data?.nodeName ?? "?").slice(0, 24)}#${data?.nodeId}`, s.cpu / 1000];
          }),
      });
    }
  }
  const windows: Summary["windows"] = [];
  for (const root of roots) {
    const index = Math.floor((root.start - start) / 1000 / WINDOW_MS);
    for (let i = windows.length; i <= index; i++) {
      windows.push({ atMs: i * WINDOW_MS, cpuMs: 0, kinds: [] });
    }
    const window = windows[index]!;
    const kind = kindOf(root);
    window.cpuMs += root.cpu / 1000;
    const entry = window.kinds.find(([k]) => k === kind);
    if (entry) entry[1] += root.cpu / 1000;
    else window.kinds.push([kind, root.cpu / 1000]);
  }
  for (const window of windows) window.kinds.sort((a, b) => b[1] - a[1]);
  return {
    windows,
    frames,
    cpuMs: roots.reduce((n, r) => n + r.cpu, 0) / 1000,
    selfByName: [...selfByName].sort((a, b) => b[1] - a[1]),
    tasks: [...tasks].map(([kind, t]) => ({ kind, ...t })).sort((a, b) => b.cpuMs - a.cpuMs),
    jsSelf: jsSelfTime(events, pid, tid, 300),
  };
}
