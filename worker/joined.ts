/**
 * `p`, as a promise of the calling request. A single-flight read (one read in flight,
 * shared by every request of the isolate that arrives meanwhile) was started by one
 * request: another request that awaits it directly resumes inside the first one's I/O
 * context, and its own I/O (its request body, its streams) then fails with "Cannot
 * perform I/O on behalf of a different request". A promise created here, in the
 * caller's context, is resolved back into that context instead (workerd's cross-request
 * promise resolution; https://developers.cloudflare.com/workers/observability/errors/,
 * "Cannot perform I/O on behalf of a different request"). Elsewhere (Node) it is just
 * the same result.
 *
 * @example
 * if (inflight) return joined(inflight); // not `return inflight`
 */
export function joined<T>(p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    p.then(resolve, reject);
  });
}
