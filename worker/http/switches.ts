import type { MiddlewareHandler } from "hono";
import { switchState } from "../control.ts";
import type { AppEnv } from "../env.ts";
import { ProblemError } from "./problem.ts";

/**
 * The global and per-tenant kill switches, checked on every authenticated request
 * except the admin API (so an admin can lift them). Specialist switches are checked
 * per call, in admission.
 */
export function killSwitches(): MiddlewareHandler<AppEnv> {
  return async function killSwitches(c, next) {
    if (c.req.path.startsWith("/v1/admin/")) return next();
    const state = await switchState(c.env);
    if (state.global?.disabled)
      throw new ProblemError({ status: 503, slug: "router-disabled", title: "Router disabled", detail: `the router is stopped by its global kill switch: ${state.global.reason}` });
    const tenant = state.tenants[c.get("principal").tenant];
    if (tenant?.disabled) throw new ProblemError({ status: 403, slug: "tenant-disabled", title: "Tenant disabled", detail: `this tenant is stopped by a kill switch: ${tenant.reason}` });
    await next();
  };
}
