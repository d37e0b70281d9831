# syntax=docker/dockerfile:1
#
# Video job server. Two stages:
#   build    compiles TypeScript and better-sqlite3 (native, built from source: python3, make, g++),
#            then prunes dev dependencies;
#   runtime  the same Node base with only dist/, production node_modules and package.json,
#            running as the image's unprivileged `node` user.
#
#   docker build -t video-job-server .
#   docker run --init -p 3000:3000 -v video-data:/app/data video-job-server
#
# `--init` is optional: node is PID 1 and handles SIGTERM/SIGINT itself (graceful stop);
# tini only adds zombie reaping, which this single process does not need.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Compilers only here: the runtime image never carries them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
# Dependencies first, so a source change does not rebuild better-sqlite3.
# npm 10 (Node 22) ignores package.json's `allowScripts` and runs install scripts anyway,
# which better-sqlite3 needs to build its binding.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# Output: dist/src/main.js and dist/migrations/*.js. Pruning keeps the compiled binding.
RUN npm run build \
    && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_PATH=/app/data/jobs.db \
    DOWNLOAD_DIR=/app/data/downloads
WORKDIR /app
# Code stays owned by root (read-only to the app); only the data directory belongs to `node`.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Created and chowned before VOLUME, so a fresh named volume starts out owned by `node`.
RUN mkdir -p /app/data/downloads && chown -R node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
# No curl in slim images: node's own fetch. 503 (database unusable) or no answer = unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM directly (no shell in between).
CMD ["node", "dist/src/main.js"]
