import { Container } from "@cloudflare/containers";
import { z } from "zod";

/**
 * The generator (`container/`) as a Cloudflare Container: one instance per pool member, so a
 * member's jobs never queue behind another member's LLM call. Used only when GENERATOR_URL is empty
 * (production); locally Docker is absent, containers are disabled in dev, and any call on this
 * binding would throw — see generator-client.ts.
 */

// The generator's own settings, passed through from the Worker's secrets/vars when set.
const PassThrough = z.object({
  LLM_API_KEY: z.string().optional(),
  LLM_BASE_URL: z.string().optional(),
  LLM_MODEL: z.string().optional(),
});

export class GeneratorContainer extends Container {
  override defaultPort = 8080;
  // Jobs arrive in bursts after catalog or settings changes; sleep between them to save cost.
  override sleepAfter = "5m";
  // The container calls the LLM provider over the internet.
  override enableInternet = true;

  constructor(ctx: DurableObjectState<{}>, env: Cloudflare.Env) {
    super(ctx, env);
    const vars = PassThrough.parse(env);
    const envVars: Record<string, string> = { PORT: "8080" };
    for (const [name, value] of Object.entries(vars)) if (value) envVars[name] = value;
    this.envVars = envVars;
  }
}
