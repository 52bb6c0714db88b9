import type { LoaderFunctionArgs } from "@remix-run/cloudflare";
import type { PersonaCacheState } from "../../core/edge-api.ts";
import { requireAdmin } from "../admin-context.server";
import { tryEdge } from "../edge-call.server";
import { edgeApi } from "../env.server";

/** The authenticated shop's cache state per persona (the Preview page polls it while regenerating). */
export const loader = async ({ request, context }: LoaderFunctionArgs): Promise<{ states: PersonaCacheState[] | null; error: string | null }> => {
  const admin = await requireAdmin(request, context);
  const outcome = await tryEdge(() => edgeApi(admin.env).cacheState(admin.store));
  return outcome.ok ? { states: outcome.value, error: null } : { states: null, error: outcome.error };
};
