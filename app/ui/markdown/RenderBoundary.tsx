import { Component, type ReactNode } from "react";

interface Props {
  /** Shown as plain text if rendering below throws. */
  source: string;
  /** Said once above the text, for a whole message (not for each chunk). */
  notice?: string;
  children: ReactNode;
}

/**
 * Contains a rendering failure to the message (or chunk) it happened in: the rest of the chat
 * keeps working and the text is still there to read and copy. A new `source` tries again.
 */
export class RenderBoundary extends Component<Props, { failedOn: string | undefined }> {
  override state: { failedOn: string | undefined } = { failedOn: undefined };

  static getDerivedStateFromError(): Partial<{ failedOn: string | undefined }> {
    return { failedOn: "" };
  }

  override componentDidCatch(): void {
    this.setState({ failedOn: this.props.source });
  }

  override render(): ReactNode {
    const { failedOn } = this.state;
    if (failedOn === undefined || (failedOn !== "" && failedOn !== this.props.source)) {
      return this.props.children;
    }
    return (
      <div data-testid="render-fallback">
        {this.props.notice && <p className="md-render-failed">{this.props.notice}</p>}
        <p className="whitespace-pre-wrap">{this.props.source}</p>
      </div>
    );
  }
}
