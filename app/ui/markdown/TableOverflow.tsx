import { useId, useState } from "react";
import { useStrings, useTranslate } from "../../i18n/i18n";

interface Props {
  shown: number;
  total: number;
  /** The table's markdown. */
  text: string;
}

/** Below a table cut at the cell budget (render.tsx): says so and shows the whole as text. */
export function TableOverflow({ shown, total, text }: Props) {
  const t = useStrings();
  const tr = useTranslate();
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div className="md-table-cut" data-testid="table-cut">
      <span>{tr("tableCut", { shown, total })}</span>{" "}
      {text && (
        <button
          type="button"
          className="md-table-cut-toggle"
          aria-expanded={open}
          aria-controls={id}
          onClick={() => setOpen(!open)}
        >
          {open ? t.tableHideText : t.tableShowText}
        </button>
      )}
      {/* Mounted only when asked for: the text can be as large as the message. */}
      {open && (
        <pre id={id} className="md-table-text">
          {text}
        </pre>
      )}
    </div>
  );
}
