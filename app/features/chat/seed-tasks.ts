export interface SeedTask {
  id: string;
  title: { en: string; zh: string };
  instruction: string;
  input: string;
  followUps?: string[];
}

/**
 * The seed's example tasks (CuteGPT README), loaded only when the empty-chat screen shows
 * them so they add nothing to the page's first download. Joining instruction + "\n" + input
 * reproduces each seed query exactly, which is also how CuteGPT's prompt joins them.
 */
export async function loadSeedTasks(): Promise<SeedTask[]> {
  const data = (await import("./seed-tasks.json")).default as { tasks: SeedTask[] };
  return data.tasks;
}
