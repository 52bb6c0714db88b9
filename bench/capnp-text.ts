/**
 * A tiny writer of Cap'n Proto text, the format of `workerd serve` configs: structs as
 * `(field = value, …)`, lists as `[…]`, strings quoted, `embed "file"` for a file beside the config
 * (read by workerd itself, so a megabyte bundle never passes through a string), `void` for union
 * members without a value. The benches build their configs as plain objects with it, instead of
 * pasting text together.
 */
export type CapnpValue = string | number | boolean | CapnpEmbed | CapnpVoid | CapnpValue[] | { [field: string]: CapnpValue | undefined };

export interface CapnpEmbed {
  readonly embed: string;
}
export interface CapnpVoid {
  readonly void: true;
}

export const embed = (file: string): CapnpEmbed => ({ embed: file });
export const VOID: CapnpVoid = { void: true };

function quote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code > 0x7f) {
      // Cap'n Proto text strings are bytes: write non-ASCII as its UTF-8 bytes.
      for (const byte of Buffer.from(ch, "utf8")) out += `\\x${byte.toString(16).padStart(2, "0")}`;
    } else out += ch;
  }
  return `${out}"`;
}

const isEmbed = (v: object): v is CapnpEmbed => "embed" in v && typeof (v as CapnpEmbed).embed === "string";
const isVoid = (v: object): v is CapnpVoid => "void" in v && (v as CapnpVoid).void === true;

export function capnp(value: CapnpValue, indent = ""): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`capnp: ${value} is not a number Cap'n Proto can write`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${inner}${capnp(v, inner)}`).join(",\n")}\n${indent}]`;
  }
  if (isEmbed(value)) return `embed ${quote(value.embed)}`;
  if (isVoid(value)) return "void";
  const fields = Object.entries(value).filter((e): e is [string, CapnpValue] => e[1] !== undefined);
  if (fields.length === 0) return "()";
  return `(\n${fields.map(([k, v]) => `${inner}${k} = ${capnp(v, inner)}`).join(",\n")}\n${indent})`;
}

/** A whole config file: `const config :Workerd.Config = (…);`. */
export function workerdConfigText(config: CapnpValue): string {
  return `using Workerd = import "/workerd/workerd.capnp";\n\nconst config :Workerd.Config = ${capnp(config)};\n`;
}
