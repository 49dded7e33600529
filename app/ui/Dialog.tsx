import { useEffect, useId, useRef, type ReactNode } from "react";

interface Props {
  title: string;
  onClose(): void;
  children: ReactNode;
  /** Words for the close button (the dialog never imports the strings). */
  closeLabel: string;
}

/**
 * A modal sheet on the native <dialog>: the browser traps focus, closes it on Esc, makes the
 * page behind it inert and puts focus back where it was. Mounted only while open, so what it
 * shows (the model picker, the settings) exists once in the page.
 */
export function Dialog({ title, onClose, children, closeLabel }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // A ref so a new onClose each render does not re-open the dialog.
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    const onCloseEvent = () => close.current();
    dialog.addEventListener("close", onCloseEvent);
    return () => {
      dialog.removeEventListener("close", onCloseEvent);
      if (dialog.open) dialog.close();
      // Removing an open dialog from the page does not hand focus back; do it here.
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className="m-auto max-h-[calc(100dvh-1rem)] w-[min(42rem,calc(100vw-1rem))] flex-col open:flex rounded-lg bg-white text-zinc-900 shadow-xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <div className="flex items-center gap-2 border-b border-zinc-200 px-4 py-2 dark:border-zinc-800">
        <h2 id={titleId} className="flex-1 text-base font-semibold">
          {title}
        </h2>
        <button
          type="button"
          className="rounded px-2 py-1 text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800"
          onClick={() => ref.current?.close()}
        >
          {closeLabel}
        </button>
      </div>
      <div className="min-h-0 overflow-y-auto">{children}</div>
    </dialog>
  );
}
