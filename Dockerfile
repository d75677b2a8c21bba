# syntax=docker/dockerfile:1
# The MFA Portal as a container: `docker build -t mfa-portal .` then run it with the settings of .env.example as -e
# or --env-file (never baked in). scripts/standalone.mjs reads this file and performs the runtime stage's copies,
# ENV and CMD into a folder on a machine without a container engine (`npm run standalone`), so keep its instructions
# to those that script knows; its test fails on any other.

# Every dependency, dev included: the build type-checks and compiles with them.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN node_modules/.bin/next build

# Only the standalone output: server.js with the node_modules files the server uses (no devDependency), the SQL
# migrations (traced in by next.config.ts) and the static assets. The code belongs to root, so the server, running
# as the unprivileged `node` user, cannot change it; it may write only its data folder (embedded PGlite storage, the
# default DATABASE_URL pglite:.data/pglite) and Next's cache.
FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production PORT=3000 HOSTNAME=0.0.0.0 NEXT_TELEMETRY_DISABLED=1
# Memory for a long-running server in a task of fixed size (lib/inventory/README.md, "Memory at scale"): V8's old space
# at most half of the memory the task has (Node reads the task's limit from its cgroup; V8 also grows the heap less
# eagerly under a limit than on a large machine), the rest for the young generation, code and buffers; glibc's malloc
# in two arenas, and buffers of 128 KB and more mapped and unmapped on their own, so that what the AWS responses and
# database writes free goes back to the system instead of staying in the process.
ENV NODE_OPTIONS="--max-old-space-size-percentage=50 --max-semi-space-size=8" MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
# pino's worker transport ships its own tests, which the build's file tracing follows (to a test-only package): gone.
RUN rm -rf node_modules/thread-stream/test node_modules/why-is-node-running && mkdir -p .data .next/cache && chown node:node .data .next/cache
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.js"]
