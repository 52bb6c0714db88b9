import { readFile, writeFile } from "node:fs/promises";
import { SourceMap, type SourceMapPayload } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runWrk } from "./edge-load.ts";
import { openInspector } from "./inspector-session.ts";

/**
 * A CPU profile of the edge under load, through workerd's inspector (Profiler domain of the
 * DevTools protocol): wrk drives memory hits while V8 samples the edge isolate every 100 µs. The
 * samples are mapped back to the sources through the bundle's source map and summarised as the
 * functions with the most self time and the most inclusive time (the whole profile is written to
 * the system's temporary directory, for Chrome DevTools).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileEntry {
  /** function @ source:line, mapped to the original source when the bundle's map knows it. */
  frame: string;
  /** Share of all samples (0–1). */
  share: number;
}

export interface ProfileSummary {
  samples: number;
  /** Wall time the profile covers, µs. */
  durationUs: number;
  /** Requests served while profiling (the profiler slows the isolate down). */
  requests: number;
  /** Samples outside JavaScript: the runtime's own work (HTTP, streams) and idle time. */
  program: number;
  garbageCollector: number;
  idle: number;
  topSelf: ProfileEntry[];
  topInclusive: ProfileEntry[];
  file: string;
}

function frameName(node: ProfileNode, map: SourceMap | null): { label: string; project: boolean } {
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  const name = functionName || "(anonymous)";
  if (!url) return { label: name, project: false };
  const entry = map?.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number; name?: string } | undefined;
  if (entry?.originalSource) {
    const source = entry.originalSource.replace(/^.*?\/(edge-worker|core|node_modules)\//, "$1/");
    return { label: `${entry.name ?? name} @ ${source}:${(entry.originalLine ?? 0) + 1}`, project: !source.startsWith("node_modules/") };
  }
  return { label: `${name} @ ${url}:${lineNumber + 1}`, project: false };
}

export function summarise(profile: Profile, map: SourceMap | null, requests: number, file: string, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0) || 1;
  const labels = new Map<number, string>();
  for (const node of profile.nodes) labels.set(node.id, frameName(node, map).label);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const special = (name: string) => profile.nodes.filter((n) => n.callFrame.functionName === name).reduce((s, n) => s + (n.hitCount ?? 0), 0) / total;
  // A frame without a script (a runtime API implemented natively: Response, URL, Headers …) is
  // labelled with the nearest script frame that called it, so its cost lands on the code using it.
  const runtimeFrames = new Set(["(root)", "(program)", "(idle)", "(garbage collector)"]);
  const labelOf = (node: ProfileNode, caller: string | null): string => {
    const label = labels.get(node.id)!;
    if (node.callFrame.url || runtimeFrames.has(node.callFrame.functionName)) return label;
    return `native ${node.callFrame.functionName || "(anonymous)"} ← ${caller ?? "(root)"}`;
  };
  // Inclusive time: each sample counts once per distinct frame on its stack (recursion not doubled).
  const walk = (id: number, onStack: Map<string, number>, caller: string | null): number => {
    const node = byId.get(id)!;
    const label = labelOf(node, caller);
    const hits = node.hitCount ?? 0;
    self.set(label, (self.get(label) ?? 0) + hits);
    onStack.set(label, (onStack.get(label) ?? 0) + 1);
    let subtree = hits;
    const nextCaller = node.callFrame.url ? label : caller;
    for (const child of node.children ?? []) subtree += walk(child, onStack, nextCaller);
    const depth = onStack.get(label)! - 1;
    if (depth === 0) {
      inclusive.set(label, (inclusive.get(label) ?? 0) + subtree);
      onStack.delete(label);
    } else onStack.set(label, depth);
    return subtree;
  };
  const root = profile.nodes[0];
  if (root) walk(root.id, new Map(), null);
  const rank = (m: Map<string, number>, skip: (label: string) => boolean): ProfileEntry[] =>
    [...m.entries()]
      .filter(([label]) => !skip(label))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, hits]) => ({ frame, share: hits / total }));
  return {
    samples: total,
    durationUs: profile.endTime - profile.startTime,
    requests,
    program: special("(program)"),
    garbageCollector: special("(garbage collector)"),
    idle: special("(idle)"),
    topSelf: rank(self, (l) => runtimeFrames.has(l)),
    topInclusive: rank(inclusive, (l) => runtimeFrames.has(l)),
    file,
  };
}

/** Profiles worker `service` (its source map: `mapFile`) while wrk runs `script` against `url`. */
export async function profileLoad(o: { inspectorPort: number; service: string; mapFile?: string; url: string; warmUrl: string; script: string; seconds: number; name: string }): Promise<ProfileSummary> {
  // A restarted edge's memory is empty: the first requests load the page from KV again.
  for (let i = 0; i < 3; i++) await (await fetch(o.warmUrl)).text();
  await runWrk(o.url, 1, o.script);
  const session = await openInspector(o.inspectorPort, o.service);
  try {
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 100 });
    await session.send("Profiler.start");
    const load = await runWrk(o.url, o.seconds, o.script);
    const { profile } = await session.send<{ profile: Profile }>("Profiler.stop");
    let map: SourceMap | null = null;
    try {
      if (o.mapFile) map = new SourceMap(JSON.parse(await readFile(o.mapFile, "utf8")) as SourceMapPayload);
    } catch {
      // no map: bundle positions only
    }
    // Outside the bench's temporary directory, which is removed when the run ends.
    const file = join(tmpdir(), `wand-${o.name}-${Date.now()}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    return summarise(profile, map, load.requests, file);
  } finally {
    session.close();
  }
}

/** The summary in one paragraph (the first `top` entries of each list), for the bench's notes and the console. */
export function describeProfile(p: ProfileSummary, top = 10): string {
  // A share of the samples as µs of the isolate's thread per request (the profile's wall time × share / requests).
  const pct = (x: number) => `${(x * 100).toFixed(1)} % ≈ ${((x * p.durationUs) / Math.max(1, p.requests)).toFixed(1)} µs/req`;
  return (
    `${p.samples} samples, ${(p.durationUs / 1e6).toFixed(1)} s, ${p.requests} requests (${(p.durationUs / Math.max(1, p.requests)).toFixed(1)} µs wall/req); outside JS: runtime (program) ${pct(p.program)}, GC ${pct(p.garbageCollector)}, idle ${pct(p.idle)}. ` +
    `Most self time: ${p.topSelf.slice(0, top).map((e) => `${e.frame} ${pct(e.share)}`).join("; ")}. ` +
    `Most inclusive time: ${p.topInclusive.slice(0, top).map((e) => `${e.frame} ${pct(e.share)}`).join("; ")}.`
  );
}
