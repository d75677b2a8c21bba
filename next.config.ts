import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // No image optimisation: the portal has no raster images, so sharp (libvips, LGPL) is never loaded.
  images: { unoptimized: true },
  reactStrictMode: true,
  // forbidden() renders app/forbidden.tsx with HTTP 403 for the wrong role.
  experimental: { authInterrupts: true },
  // PGlite ships a WASM build that must be loaded from node_modules at run time, not bundled.
  serverExternalPackages: ['@electric-sql/pglite'],
};

export default nextConfig;
