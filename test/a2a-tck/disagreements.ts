/**
 * Tests of the official A2A compatibility kit (../shared/a2a-tck) that are wrong about
 * the A2A 1.0 specification (../shared/a2a-tck/current_spec/specification.md), by pytest
 * node id, each with the section that shows it and what the router does instead.
 * `npm run test:a2a-tck` fails on any other failing test, and on a listed test that passes.
 */
export const DISAGREEMENTS: Readonly<Record<string, string>> = {};
