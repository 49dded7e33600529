import { useStrings } from "../../i18n/i18n";
import { classifyImage } from "./url";

interface Props {
  src: string;
  alt: string;
}

/**
 * data:/blob: images show. A remote image is never fetched by the page (an image URL is the
 * classic way to leak a chat): it becomes a link naming its URL, which opens the image in its
 * own tab only when clicked. The CSP's img-src forbids remote images here anyway.
 */
export function MarkdownImage({ src, alt }: Props) {
  const t = useStrings();
  const source = classifyImage(src);
  if (source.kind === "blocked") return <span className="md-image-alt">{alt}</span>;
  if (source.kind === "inline") {
    return <img src={source.src} alt={alt} referrerPolicy="no-referrer" className="md-image" />;
  }
  return (
    <a
      href={source.src}
      target="_blank"
      rel="noopener noreferrer nofollow"
      referrerPolicy="no-referrer"
      className="md-image-placeholder"
      data-testid="remote-image"
    >
      <span>
        {t.loadImage}
        {alt ? `: ${alt}` : ""}
      </span>
      <span className="md-image-url">
        {t.remoteImage} {source.src}
      </span>
    </a>
  );
}
