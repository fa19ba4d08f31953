// Project-specific Workers types (what `wrangler types` would generate).
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./index.ts");
  }
  interface Env extends import("./env.ts").Env {}
}
