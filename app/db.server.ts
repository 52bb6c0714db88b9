import { PrismaD1 } from "@prisma/adapter-d1";
import { PrismaClient } from "@prisma/client";
import type { AppBindings } from "./env.server";

/**
 * One Prisma client per D1 binding (per isolate). Prisma runs on D1 through the driver adapter with
 * the wasm query compiler (engineType "client"), so nothing native is needed in workerd or Node.
 * D1 has no interactive transactions: `$transaction` is not atomic here, so writes that must go
 * together use a single statement (upsert/updateMany) instead.
 */
const clients = new WeakMap<object, PrismaClient>();

export function prismaFor(database: D1Database): PrismaClient {
  let client = clients.get(database);
  if (!client) {
    client = new PrismaClient({ adapter: new PrismaD1(database) });
    clients.set(database, client);
  }
  return client;
}

export function db(env: Pick<AppBindings, "DB">): PrismaClient {
  return prismaFor(env.DB);
}
