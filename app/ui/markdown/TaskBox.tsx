import { useStrings } from "../../i18n/i18n";

/** A task list box: shown, not editable (the text belongs to a message). */
export function TaskBox({ checked }: { checked: boolean }) {
  const t = useStrings();
  return (
    <>
      <span aria-hidden="true" className="md-task-box" data-checked={checked}>
        {checked ? "☑" : "☐"}
      </span>
      <span className="sr-only">{checked ? t.taskDone : t.taskTodo}: </span>
    </>
  );
}
