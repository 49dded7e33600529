import { useEffect, useState } from "react";
import { useStrings } from "../i18n/i18n";

interface Props {
  text: string;
  label: string;
  className?: string;
}

/** Copies `text`; says "Copied" for a moment (the change is announced politely). */
export function CopyButton({ text, label, className }: Props) {
  const t = useStrings();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 1500);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <button type="button" onClick={() => void copy()} className={className ?? "md-copy"}>
      <span aria-live="polite">
        {state === "copied" ? t.copied : state === "failed" ? t.copyFailed : label}
      </span>
    </button>
  );
}
