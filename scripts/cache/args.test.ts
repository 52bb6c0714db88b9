import { describe, expect, it } from "vitest";
import { DEFAULT_LOCAL_EDGE, DEFAULT_PERSIST_DIR, parseInvocation } from "./args.ts";
import { CliError } from "./cli-error.ts";

const noEnv = {};

function usageMessage(argv: string[], env: Record<string, string> = noEnv): string {
  try {
    parseInvocation(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return (error as CliError).message;
  }
  throw new Error(`expected a usage error for ${argv.join(" ")}`);
}

describe("parseInvocation", () => {
  it("reads each command with its arguments, local state by default", () => {
    expect(parseInvocation(["list"], noEnv)).toEqual({
      command: { name: "list", store: null },
      target: { kind: "local", persistDir: DEFAULT_PERSIST_DIR, edgeUrl: DEFAULT_LOCAL_EDGE, token: null },
      json: false,
    });
    expect(parseInvocation(["list", "demo-home"], noEnv).command).toEqual({ name: "list", store: "demo-home" });
    expect(parseInvocation(["stats", "demo-home", "--json"], noEnv)).toMatchObject({ command: { name: "stats", store: "demo-home" }, json: true });
    expect(parseInvocation(["purge", "demo-home"], noEnv).command).toEqual({ name: "purge", store: "demo-home", persona: null });
    expect(parseInvocation(["purge", "demo-home", "dealhunter"], noEnv).command).toEqual({ name: "purge", store: "demo-home", persona: "dealhunter" });
    expect(parseInvocation(["purge", "--all"], noEnv).command).toEqual({ name: "purge", store: null, persona: null });
    expect(parseInvocation(["warm", "demo-jewelry", "--timeout", "30"], noEnv).command).toEqual({ name: "warm", store: "demo-jewelry", timeoutMs: 30_000 });
  });

  it("answers --help, -h and help whatever else is given", () => {
    for (const argv of [["--help"], ["-h"], ["help"], ["purge", "--help"]]) expect(parseInvocation(argv, noEnv).command).toEqual({ name: "help" });
  });

  it("targets a deployed edge with --url and a token from the flag or WAND_OPS_TOKEN", () => {
    expect(parseInvocation(["list", "--url", "https://edge.example.com/", "--token", "t0k"], noEnv).target).toEqual({
      kind: "remote",
      url: "https://edge.example.com",
      token: "t0k",
    });
    expect(parseInvocation(["stats", "--url", "https://edge.example.com"], { WAND_OPS_TOKEN: "from-env" }).target).toMatchObject({ token: "from-env" });
  });

  it("takes the local state directory, the local edge and its token as options", () => {
    expect(parseInvocation(["warm", "demo-home", "--persist", "/tmp/x", "--edge", "http://127.0.0.1:18555", "--token", "k"], noEnv).target).toEqual({
      kind: "local",
      persistDir: "/tmp/x",
      edgeUrl: "http://127.0.0.1:18555",
      token: "k",
    });
  });

  it("refuses bad arguments with a message that says what is wrong", () => {
    expect(usageMessage([])).toMatch(/no command/);
    expect(usageMessage(["flush"])).toMatch(/unknown command "flush"/);
    expect(usageMessage(["list", "--verbose"])).toMatch(/--verbose/);
    expect(usageMessage(["purge"])).toMatch(/needs a store/);
    expect(usageMessage(["purge", "demo-home", "shopaholic"])).toMatch(/unknown persona "shopaholic"/);
    expect(usageMessage(["purge", "demo-home", "--all"])).toMatch(/--all takes no store/);
    expect(usageMessage(["list", "Demo Home"])).toMatch(/bad store "Demo Home"/);
    expect(usageMessage(["list", "../etc"])).toMatch(/bad store/);
    expect(usageMessage(["list", "a", "b"])).toMatch(/too many arguments/);
    expect(usageMessage(["warm"])).toMatch(/warm needs a store/);
    expect(usageMessage(["warm", "demo-home", "--timeout", "soon"])).toMatch(/--timeout must be/);
    expect(usageMessage(["list", "--timeout", "5"])).toMatch(/only applies to warm/);
    expect(usageMessage(["list", "--all"])).toMatch(/only applies to purge/);
    expect(usageMessage(["list", "--url", "https://edge.example.com"])).toMatch(/needs the edge's ops token/);
    expect(usageMessage(["list", "--url", "ftp://edge", "--token", "t"])).toMatch(/http\(s\) URL/);
    expect(usageMessage(["list", "--url", "https://e.example.com", "--token", "t", "--persist", "/tmp"])).toMatch(/drop --persist/);
    expect(usageMessage(["list", "--token"])).toMatch(/--token/);
  });
});
