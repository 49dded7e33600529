import { useStrings } from "../../i18n/i18n";

/**
 * The real destination of a link whose text could pass for another address, always visible
 * (so it is there on hover, on focus and before the click) and part of the link's name.
 */
export function LinkHost({ host }: { host: string }) {
  const t = useStrings();
  return (
    <span className="md-link-host" data-testid="link-host">
      {" "}
      ({t.linkGoesTo} <bdi>{host}</bdi>)
    </span>
  );
}
