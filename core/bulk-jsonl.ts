/**
 * Reading a bulk operation's JSONL result (docs/decisions/0002-durable-catalog-sync.md) as it
 * streams in, in memory flat in the file's size:
 * - JsonlLineReader splits Uint8Array chunks into lines. A line may be split across chunks (even
 *   inside a multi-byte character): bytes are held until their newline arrives, and only complete
 *   lines are decoded — "\n" never occurs inside a UTF-8 sequence, so a line is always whole UTF-8.
 *   Every line carries the byte offset in the file where it starts.
 * - BulkRecordAssembler groups lines into records: Shopify writes a parent object before its
 *   children (`__parentId`), so a record is complete when the next top-level line starts. Each
 *   record comes with its own start offset and the offset of the line after it, where a reader can
 *   resume (HTTP `Range: bytes=<offset>-`) having written every record before it.
 * It holds at most one record's lines and one partial line.
 */

export interface JsonlLine {
  /** Byte offset in the file of the line's first byte. */
  offset: number;
  text: string;
}

interface Utf8Decoder {
  decode(input: Uint8Array): string;
}
type DecoderConstructor = new (label?: string) => Utf8Decoder;

// TextDecoder is in every runtime that imports core/ (workerd, Node, browsers) but not in core's
// ES-only lib, so it is looked up structurally.
function utf8Decoder(): Utf8Decoder {
  const Decoder = (globalThis as { TextDecoder?: DecoderConstructor }).TextDecoder;
  if (!Decoder) throw new Error("no TextDecoder on this platform");
  return new Decoder("utf-8");
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class JsonlLineReader {
  private readonly decoder = utf8Decoder();
  /** Bytes of the line not yet ended, and where it started. */
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private lineStart: number;
  private position: number;

  constructor(startOffset = 0) {
    this.lineStart = startOffset;
    this.position = startOffset;
  }

  /** File offset after the last byte pushed. */
  get offset(): number {
    return this.position;
  }

  /** Bytes held for a line that has not ended yet. */
  get heldBytes(): number {
    return this.partBytes;
  }

  /** The complete lines this chunk ends (blank lines skipped). */
  push(chunk: Uint8Array): JsonlLine[] {
    const lines: JsonlLine[] = [];
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, from);
      if (nl === -1) break;
      this.emit(chunk.subarray(from, nl), lines);
      this.lineStart = this.position + nl + 1;
      from = nl + 1;
    }
    if (from < chunk.length) {
      // Copied: the caller may reuse its buffer.
      this.parts.push(chunk.slice(from));
      this.partBytes += chunk.length - from;
    }
    this.position += chunk.length;
    return lines;
  }

  /** The last line when the file does not end with a newline. */
  end(): JsonlLine[] {
    const lines: JsonlLine[] = [];
    if (this.partBytes > 0) this.emit(new Uint8Array(0), lines);
    this.lineStart = this.position;
    return lines;
  }

  private emit(tail: Uint8Array, into: JsonlLine[]): void {
    let bytes = tail;
    if (this.partBytes > 0) {
      bytes = new Uint8Array(this.partBytes + tail.length);
      let at = 0;
      for (const part of this.parts) {
        bytes.set(part, at);
        at += part.length;
      }
      bytes.set(tail, at);
      this.parts = [];
      this.partBytes = 0;
    }
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end--;
    const text = this.decoder.decode(bytes.subarray(0, end));
    if (text.trim().length > 0) into.push({ offset: this.lineStart, text });
  }
}

export class JsonlError extends Error {
  override name = "JsonlError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** A line's JSON object; a line that is not one is an error naming its offset. */
export function parseJsonlLine(line: JsonlLine): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch {
    throw new JsonlError(`line at byte ${line.offset} is not JSON`, line.offset);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new JsonlError(`line at byte ${line.offset} is not a JSON object`, line.offset);
  return value as Record<string, unknown>;
}

export interface BulkRecord {
  /** The top-level object (a product) and its child objects (its variants), in file order. */
  parent: Record<string, unknown>;
  children: Record<string, unknown>[];
  /** Byte offset where the parent's line starts. */
  offset: number;
  /** Byte offset of the next record's line (or the end of the file): the resume point after it. */
  nextOffset: number;
}

/** More children than Shopify allows variants per product: the rest are dropped and counted. */
export const MAX_CHILDREN = 4096;

export class BulkRecordAssembler {
  private current: { parent: Record<string, unknown>; children: Record<string, unknown>[]; offset: number } | null = null;
  /** Child lines met before any parent (a resume from a wrong offset would show here). */
  orphans = 0;
  /** Child lines over MAX_CHILDREN, dropped. */
  dropped = 0;

  /** Lines held for the record being assembled (at most one record's). */
  get heldLines(): number {
    return this.current ? 1 + this.current.children.length : 0;
  }

  /** Offset of the record being assembled, if any. */
  get pendingOffset(): number | null {
    return this.current?.offset ?? null;
  }

  /** Adds a line; returns the previous record when this line starts the next one. */
  push(offset: number, value: Record<string, unknown>): BulkRecord | null {
    if (typeof value.__parentId === "string") {
      if (!this.current) this.orphans++;
      else if (this.current.children.length >= MAX_CHILDREN) this.dropped++;
      else this.current.children.push(value);
      return null;
    }
    const done = this.current ? { ...this.current, nextOffset: offset } : null;
    this.current = { parent: value, children: [], offset };
    return done;
  }

  /** The last record, at the end of the file (`endOffset` = the file's size). */
  finish(endOffset: number): BulkRecord | null {
    const done = this.current ? { ...this.current, nextOffset: endOffset } : null;
    this.current = null;
    return done;
  }
}

/**
 * Records of a JSONL stream read from `startOffset` (a record boundary). With `expectedEnd` (the
 * offset where the stream must end, from Content-Length), a stream that stops short is an error,
 * not a shorter catalog: its last record would be incomplete.
 */
export async function* readBulkRecords(chunks: AsyncIterable<Uint8Array>, o: { startOffset?: number; expectedEnd?: number } = {}): AsyncGenerator<BulkRecord> {
  const reader = new JsonlLineReader(o.startOffset ?? 0);
  const assembler = new BulkRecordAssembler();
  for await (const chunk of chunks) {
    for (const line of reader.push(chunk)) {
      const record = assembler.push(line.offset, parseJsonlLine(line));
      if (record) yield record;
    }
  }
  if (o.expectedEnd !== undefined && reader.offset !== o.expectedEnd) {
    throw new JsonlError(`JSONL stream ended at byte ${reader.offset}, expected ${o.expectedEnd}`, reader.offset);
  }
  for (const line of reader.end()) {
    const record = assembler.push(line.offset, parseJsonlLine(line));
    if (record) yield record;
  }
  const last = assembler.finish(reader.offset);
  if (last) yield last;
}
