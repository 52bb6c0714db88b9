/**
 * A step of the output pipeline refused the model's answer (empty, no HTML, too few products...).
 * generate.ts turns it into the template page with the message in `warnings`; it never reaches HTTP.
 */
export class PipelineError extends Error {
  override name = "PipelineError";
}
