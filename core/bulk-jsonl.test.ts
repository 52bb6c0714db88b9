import { describe, expect, it } from "vitest";
import { BulkRecordAssembler, JsonlLineReader, parseJsonlLine, readBulkRecords, type BulkRecord } from "./bulk-jsonl.ts";

const encoder = new TextEncoder();

/** Products with 0–2 variants, in Shopify's order (parent first), with multi-byte text. */
function product(i: number): string {
  const p = JSON.stringify({ id: `gid://shopify/Product/${i}`, title: `Café nº ${i} — ✓ 🧣` });
  const variants = Array.from({ length: i % 3 }, (_, v) => JSON.stringify({ id: `gid://shopify/ProductVariant/${i}${v}`, __parentId: `gid://shopify/Product/${i}` }));
  return [p, ...variants].map((l) => `${l}\n`).join("");
}

function chunked(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const size = sizes[k % sizes.length]!;
    out.push(bytes.slice(at, at + size));
    at += size;
  }
  return out;
}

async function* stream(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

async function collect(chunks: AsyncIterable<Uint8Array>, o?: { startOffset?: number; expectedEnd?: number }): Promise<BulkRecord[]> {
  const out: BulkRecord[] = [];
  for await (const r of readBulkRecords(chunks, o)) out.push(r);
  return out;
}

describe("JsonlLineReader", () => {
  const text = `${product(1)}${product(2)}{"note":"naïve"}\n`;
  const bytes = encoder.encode(text);
  const expected = (() => {
    const lines: { offset: number; text: string }[] = [];
    let offset = 0;
    for (const line of text.split("\n").slice(0, -1)) {
      lines.push({ offset, text: line });
      offset += encoder.encode(line).length + 1;
    }
    return lines;
  })();

  it("gives the same lines and byte offsets whatever the chunking, even inside a multi-byte character", () => {
    for (let size = 1; size <= 13; size++) {
      const reader = new JsonlLineReader();
      const lines = chunked(bytes, [size]).flatMap((c) => reader.push(c));
      expect(lines, `chunks of ${size} bytes`).toEqual(expected);
      expect(reader.end()).toEqual([]);
      expect(reader.offset).toBe(bytes.length);
    }
  });

  it("reads a last line without a newline, CRLF endings and skips blank lines, counting their bytes", () => {
    const reader = new JsonlLineReader(100);
    const lines = [...reader.push(encoder.encode('{"a":1}\r\n\n{"b":"é"}')), ...reader.end()];
    expect(lines).toEqual([
      { offset: 100, text: '{"a":1}' },
      { offset: 110, text: '{"b":"é"}' },
    ]);
  });

  it("names the offset of a line that is not a JSON object", () => {
    expect(() => parseJsonlLine({ offset: 42, text: "{nope" })).toThrow("line at byte 42 is not JSON");
    expect(() => parseJsonlLine({ offset: 7, text: "[1]" })).toThrow("line at byte 7 is not a JSON object");
  });
});

describe("bulk records", () => {
  const text = Array.from({ length: 6 }, (_, i) => product(i)).join("");
  const bytes = encoder.encode(text);

  it("emits each product with its variants when the next product starts, and the last at the end", async () => {
    const records = await collect(stream(chunked(bytes, [5, 17, 3])));
    expect(records.map((r) => [r.parent.id, r.children.map((c) => c.id)])).toEqual(
      Array.from({ length: 6 }, (_, i) => [`gid://shopify/Product/${i}`, Array.from({ length: i % 3 }, (_, v) => `gid://shopify/ProductVariant/${i}${v}`)]),
    );
    // Each record starts where the previous one's resume point is; the last ends at the file's end.
    expect(records[0]?.offset).toBe(0);
    for (let k = 1; k < records.length; k++) expect(records[k]?.offset).toBe(records[k - 1]?.nextOffset);
    expect(records.at(-1)?.nextOffset).toBe(bytes.length);
    expect(new TextDecoder().decode(bytes.slice(records[3]!.offset, records[3]!.nextOffset))).toBe(product(3));
  });

  it("resumes from a record's offset (a Range request) with exactly the records after it", async () => {
    const all = await collect(stream([bytes]));
    const from = all[2]!.nextOffset;
    const resumed = await collect(stream(chunked(bytes.slice(from), [4])), { startOffset: from, expectedEnd: bytes.length });
    expect(resumed).toEqual(all.slice(3));
  });

  it("refuses a stream that ends before its expected end instead of yielding a cut record", async () => {
    const seen: unknown[] = [];
    const cut = bytes.slice(0, bytes.length - 10);
    await expect(
      (async () => {
        for await (const r of readBulkRecords(stream([cut]), { expectedEnd: bytes.length })) seen.push(r.parent.id);
      })(),
    ).rejects.toThrow(`JSONL stream ended at byte ${cut.length}, expected ${bytes.length}`);
    // Everything before the cut product was complete and was yielded; the cut one was not.
    expect(seen).toEqual(["gid://shopify/Product/0", "gid://shopify/Product/1", "gid://shopify/Product/2", "gid://shopify/Product/3", "gid://shopify/Product/4"]);
  });

  it("counts child lines without a parent instead of attaching them to nothing", () => {
    const assembler = new BulkRecordAssembler();
    expect(assembler.push(0, { id: "v", __parentId: "p" })).toBeNull();
    expect(assembler.orphans).toBe(1);
    expect(assembler.finish(10)).toBeNull();
  });

  it("streams 100,000 products holding at most one product's lines and one partial line", async () => {
    const n = 100_000;
    // Generated lazily in odd-sized chunks: the file (about 10 MB) never exists whole.
    async function* generated(): AsyncGenerator<Uint8Array> {
      let buffer = "";
      for (let i = 0; i < n; i++) {
        buffer += product(i);
        if (buffer.length > 7_000 + (i % 5) * 1_111) {
          yield encoder.encode(buffer);
          buffer = "";
        }
      }
      if (buffer) yield encoder.encode(buffer);
    }
    const reader = new JsonlLineReader();
    const assembler = new BulkRecordAssembler();
    let count = 0;
    let maxHeldLines = 0;
    let maxHeldBytes = 0;
    let lastOffset = -1;
    let children = 0;
    const take = (r: BulkRecord | null) => {
      if (!r) return;
      expect(r.parent.id).toBe(`gid://shopify/Product/${count}`);
      expect(r.offset).toBeGreaterThan(lastOffset);
      lastOffset = r.offset;
      children += r.children.length;
      count++;
    };
    for await (const chunk of generated()) {
      for (const line of reader.push(chunk)) {
        take(assembler.push(line.offset, parseJsonlLine(line)));
        maxHeldLines = Math.max(maxHeldLines, assembler.heldLines);
      }
      maxHeldBytes = Math.max(maxHeldBytes, reader.heldBytes);
    }
    take(assembler.finish(reader.offset));
    expect(count).toBe(n);
    expect(children).toBe(Array.from({ length: n }, (_, i) => i % 3).reduce((a, b) => a + b, 0));
    // A product here has at most 2 variants: 3 lines; a partial line is shorter than a product's text.
    expect(maxHeldLines).toBe(3);
    expect(maxHeldBytes).toBeLessThan(encoder.encode(product(n - 1)).length);
  });
});
