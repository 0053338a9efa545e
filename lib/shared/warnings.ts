import type { IConstruct } from "constructs";
import { AnnotationMetadataEntryType } from "cdktf";

/**
 * A synth-time warning that cdktf prints, like `Annotations.addWarning`, but
 * without a stack trace: cdktf writes annotation traces into manifest.json,
 * and their absolute paths would make the output differ between checkouts.
 */
export function addWarning(scope: IConstruct, message: string): void {
  if (scope.node.metadata.some((m) => m.type === AnnotationMetadataEntryType.WARN && m.data === message)) return;
  scope.node.addMetadata(AnnotationMetadataEntryType.WARN, message, { stackTrace: false });
}
