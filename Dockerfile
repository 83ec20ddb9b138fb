# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# Runtime stage: production dependencies and the compiled JavaScript only, as a non-root user.
FROM node:22-bookworm-slim
ENV NODE_ENV=production
# SHIPPED_ENV of src/heap.ts (a test keeps them equal): large blocks freed go back to the system.
ENV MALLOC_MMAP_THRESHOLD_=1048576
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY dashboards ./dashboards
RUN mkdir -p /var/lib/dify-exporter && chown node:node /var/lib/dify-exporter
USER node
# The working directory is the state volume, so the default ./dify-exporter-state.json persists.
WORKDIR /var/lib/dify-exporter
ENV DIFY_EXPORTER_STATE_PATH=/var/lib/dify-exporter/state.json
VOLUME ["/var/lib/dify-exporter"]
EXPOSE 9818
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9818/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The node flags are SHIPPED_NODE_FLAGS of src/heap.ts (a test keeps them equal).
ENTRYPOINT ["node", "--max-semi-space-size=8", "/app/dist/src/cli.js"]
