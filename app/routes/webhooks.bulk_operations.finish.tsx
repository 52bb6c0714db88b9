import type { ActionFunctionArgs } from "@remix-run/cloudflare";
import { z } from "zod";
import { edgeApi } from "../env.server";
import { handleWebhook } from "../webhooks.server";

/**
 * bulk_operations/finish: a bulk query the store's catalog sync started has ended (completed,
 * failed or canceled). The edge reads the result at once instead of waiting for its next poll; the
 * call is idempotent there, so a redelivery changes nothing.
 */
const payloadSchema = z.object({
  admin_graphql_api_id: z.string().min(1),
  status: z.string().min(1),
});

export const action = async (args: ActionFunctionArgs) =>
  handleWebhook(args, { topics: ["BULK_OPERATIONS_FINISH"] }, async ({ env, store, shop, payload }) => {
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) throw new Response("bulk_operations/finish without admin_graphql_api_id and status", { status: 400 });
    console.log(JSON.stringify({ event: "bulk_operations/finish", shop, id: parsed.data.admin_graphql_api_id, status: parsed.data.status }));
    await edgeApi(env).bulkOperationFinished(store, { bulkOperationId: parsed.data.admin_graphql_api_id, status: parsed.data.status });
  });
