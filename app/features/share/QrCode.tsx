import qrcode from "qrcode-generator";
import { useMemo } from "react";

/** A QR code as a data: image (allowed by the CSP's img-src), drawn from the link itself. */
export function QrCode({ text, label }: { text: string; label: string }) {
  const src = useMemo(() => {
    const qr = qrcode(0, "L");
    qr.addData(text, "Byte");
    qr.make();
    return qr.createDataURL(3, 4);
  }, [text]);
  return (
    <figure className="mt-3 flex flex-col items-center gap-1">
      <img
        src={src}
        alt={label}
        data-testid="share-qr"
        className="h-auto max-w-full [image-rendering:pixelated]"
      />
      <figcaption className="text-xs text-zinc-600 dark:text-zinc-400">{label}</figcaption>
    </figure>
  );
}
