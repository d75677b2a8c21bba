import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // No image optimisation: the portal has no raster images, so sharp (libvips, LGPL) is never loaded.
  images: { unoptimized: true },
  reactStrictMode: true,
  // forbidden() renders app/forbidden.tsx with HTTP 403 for the wrong role.
  // serverActions.bodySizeLimit: the body limit Next enforces for actions; lib/security/body-limit.ts (BODY_LIMIT_BYTES)
  // refuses a declared larger body in the proxy with a 413 before Next would answer it with a 500.
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: '1mb' } },
  // PGlite ships a WASM build that must be loaded from node_modules at run time, not bundled.
  // next-auth 4's OAuth clients (openid-client 5, no later 5.x; oauth for OAuth 1) call url.parse(). Node 24 warns
  // (DEP0169) about that call except from node_modules, so they load from there rather than bundled into our chunks.
  serverExternalPackages: ['@electric-sql/pglite', 'openid-client', 'oauth'],
  // .next/standalone: server.js with only the node_modules files the server uses (the Dockerfile's runtime stage and
  // scripts/standalone.mjs copy it). lib/db/client.ts finds the migrations from the working directory at run time,
  // which tracing cannot see, so they are included by name.
  output: 'standalone',
  outputFileTracingIncludes: { '/*': ['./lib/db/migrations/**/*'] },
  // sharp and libvips (LGPL) are traced in for next's image optimiser, which the portal switches off: not shipped.
  outputFileTracingExcludes: { 'next-server': ['**/node_modules/sharp/**/*', '**/node_modules/@img/**/*'] },
};

export default nextConfig;
