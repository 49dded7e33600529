import { useEffect, useState } from "react";
import { useApp } from "../../store/use-app";
import { useStrings } from "../../i18n/i18n";
import { loadSeedTasks, type SeedTask } from "./seed-tasks";

/** The empty-chat screen's presets: choosing one fills the instruction and input fields. */
export function SeedTasks() {
  const t = useStrings();
  const [tasks, setTasks] = useState<SeedTask[]>([]);
  const setComposer = useApp((s) => s.setComposer);
  const zh = t.languageCode === "zh";

  useEffect(() => {
    let live = true;
    void loadSeedTasks().then((loaded) => live && setTasks(loaded));
    return () => {
      live = false;
    };
  }, []);

  if (tasks.length === 0) return null;
  return (
    <section aria-labelledby="seed-tasks-title" className="w-full max-w-2xl">
      <h2 id="seed-tasks-title" className="mb-2 text-sm font-semibold">
        {t.seedTasksTitle}
      </h2>
      <ul className="grid grid-cols-1 gap-2 sm:grid-cols-2">
        {tasks.map((task) => (
          <li key={task.id}>
            <button
              type="button"
              data-task={task.id}
              onClick={() => {
                setComposer({
                  text: task.instruction,
                  input: task.input,
                  showInput: task.input !== "",
                });
                document.getElementById("composer")?.focus();
              }}
              className="w-full rounded border border-zinc-300 p-2 text-left text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              <span className="font-medium">{zh ? task.title.zh : task.title.en}</span>
              <span className="mt-1 block truncate text-xs text-zinc-600 dark:text-zinc-400">
                {task.instruction.slice(0, 80)}
              </span>
              {task.followUps?.length ? (
                <span className="mt-1 block text-xs text-zinc-600 dark:text-zinc-400">
                  {t.seedTaskThen} {task.followUps.join(" / ")}
                </span>
              ) : null}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
